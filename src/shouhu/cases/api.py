"""API v1 of find-and-intervene: the county's risk rule settings, alerts, mandatory reports and cases.

Thin, as the visits API: every object is fetched through a queryset scoped by ``accounts.access``
(outside it, or with a malformed id: 404, so that existence does not leak), every change goes through
``cases.services`` or ``cases.reports``, whose refusals answer 403 (seen but not allowed) and whose
field errors answer 400. Lists, and openings of an alert or a case (they name a child), are logged.
"""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shouhu.accounts import access
from shouhu.api.errors import INVALID, NOT_FOUND, REFUSED, call, scoped_get
from shouhu.api.filters import region_code
from shouhu.api.versions import CONFLICT, STALE, VersionedViewMixin
from shouhu.audit.services import Action, log_access
from shouhu.cases import reports, rules, selectors, services
from shouhu.cases.models import Alert, AlertStatus, Case, CaseStatus, Report, ReportStatus, RuleSetting
from shouhu.regions.codes import Level, county_of, reaches

from .api_serializers import (
    AlertMarkSerializer,
    AlertSerializer,
    CaseSerializer,
    CaseStepSerializer,
    CaseTaskDoneSerializer,
    CaseTaskNewSerializer,
    ReasonSerializer,
    ReportCaseSerializer,
    ReportFileSerializer,
    ReportLinkSerializer,
    ReportSerializer,
    RuleSettingSerializer,
    RuleUpdateSerializer,
)

# --- rule settings --------------------------------------------------------------------------------


def rule_rows(county: str) -> list[dict]:
    found = services.settings_of(county)
    return [{"setting": found[code], "kind": kind} for code, kind in rules.KINDS.items()]


@extend_schema_view(
    list=extend_schema(
        summary="The risk rules of your county, as the county has set them",
        description="For users who work a territory in one county: that county's settings.",
        responses={200: RuleSettingSerializer(many=True)},
    ),
    partial_update=extend_schema(
        summary="Change a rule's settings (never its logic)",
        description="County staff and administrators of the county. Each change is kept in the history.",
        request=RuleUpdateSerializer,
        responses={
            200: RuleSettingSerializer,
            400: INVALID,
            403: REFUSED,
            404: OpenApiResponse(description="No such rule, or you may not change your county's rules."),
        },
    ),
)
class RuleSettingViewSet(viewsets.GenericViewSet):
    queryset = RuleSetting.objects.none()  # for the schema; the county comes from the user's territory
    serializer_class = RuleSettingSerializer
    filter_backends: list = []
    pagination_class = None
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def list(self, request):
        code = access.territory_code(request.user)
        rows = rule_rows(county_of(code)) if code and reaches(code, Level.COUNTY) else []
        return Response(self.get_serializer(rows, many=True).data)

    def partial_update(self, request, code=None):
        county = access.configurable_county(request.user)
        if county is None or code not in rules.KINDS:
            raise Http404
        body = RuleUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call(services.rule_update, actor=request.user, county=county, code=code, **body.validated_data)
        row = {"setting": services.settings_of(county)[code], "kind": rules.KINDS[code]}
        return Response(self.get_serializer(row).data)


# --- alerts ---------------------------------------------------------------------------------------


class AlertFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices, label=gettext_lazy("状态"))
    severity = django_filters.ChoiceFilter(choices=rules.SEVERITIES, label=gettext_lazy("风险等级"))
    region = django_filters.CharFilter(
        method="filter_region",
        label=gettext_lazy("区划代码"),
        validators=[region_code],
        help_text="Alerts of this region and every region below it.",
    )

    class Meta:
        model = Alert
        fields: list[str] = []

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_code__within=value)


@extend_schema_view(
    list=extend_schema(summary="Risk alerts of your territory", description="Newest first; logged."),
    retrieve=extend_schema(
        summary="One alert, with the facts that raised it",
        description="Logged as an opening of the child's file.",
        responses={200: AlertSerializer, 404: NOT_FOUND},
    ),
)
class AlertViewSet(VersionedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Alert.objects.none()  # for the schema; get_queryset scopes
    serializer_class = AlertSerializer
    filterset_class = AlertFilter

    def get_queryset(self):
        return access.alerts_visible_to(self.request.user).select_related("child", "work_item")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(request=request, action=Action.LIST)
        return response

    def retrieve(self, request, pk=None):
        alert = scoped_get(self.get_queryset(), pk)
        log_access(request=request, action=Action.VIEW, child=alert.child)
        return Response(AlertSerializer(alert).data)

    @extend_schema(
        summary="Close an alert with a reason",
        description="Urgent and high alerts: supervisors and county staff over the place only (or a "
        "visit that confirms the child is safe); medium and low: whoever works the child's village.",
        request=ReasonSerializer,
        responses={
            200: AlertSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        alert = scoped_get(self.get_queryset(), pk)
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call(
            services.alert_close,
            actor=request.user,
            alert=alert,
            reason=body.validated_data["reason"],
            expected_version=self.expected_version(request),
        )
        log_access(request=request, action=Action.UPDATE, child=alert.child)
        return Response(AlertSerializer(scoped_get(self.get_queryset(), pk)).data)

    @extend_schema(
        summary="Record the responses the law asks for",
        description="Police informed, written notice to the parents, guardian urged: each recorded once, "
        "with the time of its first marking; `false` leaves a mark as it is.",
        request=AlertMarkSerializer,
        responses={
            200: AlertSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"])
    def mark(self, request, pk=None):
        alert = scoped_get(self.get_queryset(), pk)
        body = AlertMarkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call(
            services.alert_mark,
            actor=request.user,
            alert=alert,
            expected_version=self.expected_version(request),
            **body.validated_data,
        )
        log_access(request=request, action=Action.UPDATE, child=alert.child)
        return Response(AlertSerializer(scoped_get(self.get_queryset(), pk)).data)


# --- reports --------------------------------------------------------------------------------------


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=gettext_lazy("状态"))

    class Meta:
        model = Report
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Mandatory reports of your territory and those you filed",
        description="Newest first; logged. A report you filed about a place you do not work shows its "
        "status only: it grants nothing about the child.",
    ),
    retrieve=extend_schema(summary="One mandatory report", responses={200: ReportSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        summary="File a mandatory report",
        description="Anyone signed in. Numbered at once (`reference`); the township hears of it at once "
        "and must triage it within a deadline set by the urgency.",
        request=ReportFileSerializer,
        responses={201: ReportSerializer, 400: INVALID},
    ),
)
class ReportViewSet(VersionedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Report.objects.none()  # for the schema; get_queryset scopes
    serializer_class = ReportSerializer
    filterset_class = ReportFilter

    def get_queryset(self):
        return access.reports_visible_to(self.request.user).select_related("harm_type")

    def get_serializer_context(self):
        user = self.request.user
        return {**super().get_serializer_context(), "triages": lambda r: selectors.triages(user, r)}

    def _answer(self, pk, code=status.HTTP_200_OK) -> Response:
        report = scoped_get(self.get_queryset(), pk)
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data, status=code)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(request=request, action=Action.LIST)
        return response

    def retrieve(self, request, pk=None):
        return self._answer(pk)

    def create(self, request):
        body = ReportFileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["village"] = data["village"] or None
        report = call(reports.report_file, actor=request.user, **data)
        return self._answer(report.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Link the report to a registered child",
        description="Supervisors and county staff over the report's township. A `child` you cannot see "
        "is a 404.",
        request=ReportLinkSerializer,
        responses={200: ReportSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        report = scoped_get(self.get_queryset(), pk)
        body = ReportLinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        child = access.get_child_for(request.user, body.validated_data["child"])
        call(reports.report_link, actor=request.user, report=report, child=child)
        log_access(request=request, action=Action.UPDATE, child=child)
        return self._answer(pk)

    @extend_schema(
        summary="Open a case from a linked report",
        description="Supervisors and county staff over the report's township; the report must be linked "
        "to a child first (400 otherwise).",
        request=ReportCaseSerializer,
        responses={201: CaseSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def case(self, request, pk=None):
        report = scoped_get(self.get_queryset(), pk)
        body = ReportCaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = call(
            reports.report_to_case,
            actor=request.user,
            report=report,
            risk_level=data["severity"],
            parties=data["parties"],
        )
        log_access(request=request, action=Action.CREATE, child=case.child)
        case = scoped_get(case_queryset(request.user), case.pk)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Close a report with a reason",
        description="Supervisors and county staff over the report's township.",
        request=ReasonSerializer,
        responses={
            200: ReportSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        report = scoped_get(self.get_queryset(), pk)
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call(reports.report_close, actor=request.user, report=report, reason=body.validated_data["reason"])
        return self._answer(pk)


# --- cases ----------------------------------------------------------------------------------------


def case_queryset(user):
    return (
        access.cases_visible_to(user)
        .select_related("child")
        .prefetch_related("events__by", services.case_tasks_prefetch(to_attr="case_task_items"))
    )


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=gettext_lazy("状态"))
    region = django_filters.CharFilter(
        method="filter_region",
        label=gettext_lazy("区划代码"),
        validators=[region_code],
        help_text="Cases of this region and every region below it.",
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_code__within=value)


@extend_schema_view(
    list=extend_schema(summary="Cases of your territory", description="Newest first; logged."),
    retrieve=extend_schema(
        summary="One case, with its timeline",
        description="Logged as an opening of the child's file.",
        responses={200: CaseSerializer, 404: NOT_FOUND},
    ),
)
class CaseViewSet(VersionedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Case.objects.none()  # for the schema; get_queryset scopes
    serializer_class = CaseSerializer
    filterset_class = CaseFilter

    def get_queryset(self):
        return case_queryset(self.request.user)

    def _detail(self, pk) -> Response:
        return Response(CaseSerializer(scoped_get(self.get_queryset(), pk)).data)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(request=request, action=Action.LIST)
        return response

    def retrieve(self, request, pk=None):
        case = scoped_get(self.get_queryset(), pk)
        log_access(request=request, action=Action.VIEW, child=case.child)
        return Response(CaseSerializer(case).data)

    @extend_schema(
        summary="Move a case one step along its lifecycle",
        description="Opened → assessed (`assessment` of every need) → planned (`plan`) → in service → "
        "reviewed → close requested (`text`: the outcome). Urgent and high cases then wait for approval.",
        request=CaseStepSerializer,
        responses={
            200: CaseSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        case = scoped_get(self.get_queryset(), pk)
        body = CaseStepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call(
            services.case_step,
            actor=request.user,
            case=case,
            expected_version=self.expected_version(request),
            **body.validated_data,
        )
        log_access(request=request, action=Action.UPDATE, child=case.child)
        return self._detail(pk)

    @extend_schema(
        summary="Approve the closing of a case",
        description="Supervisors and county staff over the case's place; never the person who asked.",
        request=None,
        responses={
            200: CaseSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        case = scoped_get(self.get_queryset(), pk)
        call(
            services.case_approve_closure,
            actor=request.user,
            case=case,
            expected_version=self.expected_version(request),
        )
        log_access(request=request, action=Action.UPDATE, child=case.child)
        return self._detail(pk)

    @extend_schema(
        summary="Add a task to a case's plan",
        description="A measure with a responsible worker (whose territory holds the child; yourself by "
        "default) and a deadline; missed, it climbs village → township → county → civil-affairs bureau.",
        request=CaseTaskNewSerializer,
        responses={201: CaseSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def tasks(self, request, pk=None):
        case = scoped_get(self.get_queryset(), pk)
        body = CaseTaskNewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        responsible = None
        if data["responsible"]:
            people = {u.pk: u for u in selectors.task_people(case.child)}
            responsible = people.get(data["responsible"])
            if responsible is None:
                raise serializers.ValidationError(
                    {"responsible": [gettext_lazy("责任人须是能处理该儿童档案的工作人员。")]}
                )
        call(
            services.case_task_add,
            actor=request.user,
            case=case,
            title=data["title"],
            due_on=data["due_on"],
            responsible=responsible,
        )
        log_access(request=request, action=Action.UPDATE, child=case.child)
        return Response(
            CaseSerializer(scoped_get(self.get_queryset(), pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Mark a task of the case done",
        request=CaseTaskDoneSerializer,
        responses={200: CaseSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="tasks/done")
    def task_done(self, request, pk=None):
        case = scoped_get(self.get_queryset(), pk)
        body = CaseTaskDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = scoped_get(services.case_tasks(case), body.validated_data["task"])
        call(
            services.case_task_done,
            actor=request.user,
            case=case,
            item=item,
            note=body.validated_data["note"],
        )
        log_access(request=request, action=Action.UPDATE, child=case.child)
        return self._detail(pk)
