"""API v1 of the visits module: visits, quarterly investigations, children's homes and
their sessions, county visit policies.

Thin, as the registry's views: every object is fetched through a queryset scoped by
``accounts.access`` (outside it, or with a malformed id: 404, so that existence does not leak), every
change goes through the module that owns it (``visits.services``, ``visits.investigations``,
``visits.homes``), whose refusals answer 403 (seen but not allowed) and whose
field errors answer 400. Lists, and openings of what names a child, are written to the access log.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Max, Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shouhu.accounts import access
from shouhu.api.errors import NOT_FOUND, call, forbidden, scoped_get, service_errors
from shouhu.api.filters import region_code
from shouhu.audit.services import Action, log_access
from shouhu.regions.codes import Level
from shouhu.regions.models import Region
from shouhu.visits import homes, investigations, services
from shouhu.visits.models import (
    ActivitySession,
    CheckStatus,
    ChildrensHome,
    Investigation,
    InvestigationItem,
    Outcome,
    Visit,
    VisitKind,
    VisitPolicy,
)

from .api_serializers import (
    CHECK_OWN_KEYS,
    VISIT_OWN_KEYS,
    ActivitySessionSerializer,
    ChildrensHomeSerializer,
    InvestigationCheckSerializer,
    InvestigationDetailSerializer,
    InvestigationItemSerializer,
    InvestigationOpenSerializer,
    InvestigationSerializer,
    VisitPolicySerializer,
    VisitSerializer,
)

INVALID = OpenApiResponse(
    description='Field errors shaped like the request body: `{"visited_on": ["…"]}`; errors about the '
    'child\'s file sent along are nested under the part sent (`{"facts": {"parents": {"father": '
    '{"situation": ["…"]}}}}`); errors of no single field under `non_field_errors`. Nothing is saved.'
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string up to 64 characters (e.g. a UUID made when the form was opened). "
    "Sending the same request again with the same key stores nothing new and answers 200 with what "
    "was stored the first time; the same key with another child or by another user is a 400.",
)
IDEMPOTENCY_KEY_MAX = 64


# --- reading helpers: each starts from what accounts.access lets the user see ------------------------


def county_visible_to(user, county_code: str) -> Region:
    """A county the user works in or above; 404 otherwise (and for a code that is no county)."""
    code = access.territory_code(user)
    inside = access.in_territory(user, county_code) or bool(code and code.startswith(county_code))
    if not inside:
        raise Http404
    try:
        return Region.objects.get(code=county_code, level=Level.COUNTY)
    except Region.DoesNotExist as exc:
        raise Http404 from exc


def idempotency_key(request) -> str | None:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise serializers.ValidationError(
            {"idempotency_key": [_("Idempotency-Key 最长 %(n)s 个字符。") % {"n": IDEMPOTENCY_KEY_MAX}]}
        )
    return key or None


def replay_status(created: bool) -> int:
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


# --- visits ---------------------------------------------------------------------------------------


class VisitFilter(django_filters.FilterSet):
    child = django_filters.UUIDFilter(field_name="child_id", label=gettext_lazy("儿童 id"))
    visited_from = django_filters.DateFilter(
        field_name="visited_on", lookup_expr="gte", label=gettext_lazy("走访日期不早于")
    )
    visited_to = django_filters.DateFilter(
        field_name="visited_on", lookup_expr="lte", label=gettext_lazy("走访日期不晚于")
    )
    kind = django_filters.ChoiceFilter(choices=VisitKind.choices, label=gettext_lazy("方式"))
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label=gettext_lazy("结果"))

    class Meta:
        model = Visit
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Visits to the children you may see",
        description="Newest first; each call is logged. Failed attempts are listed too (`failed`).",
    ),
    retrieve=extend_schema(
        summary="One visit",
        description="Logged as an opening of the child's file.",
        responses={200: VisitSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Record a visit or a failed attempt",
        description="Completes the due visit it satisfies. A `child` you cannot see is a 404; one you see "
        "but may not visit (a paired volunteer, a civil-affairs official) a 403. `facts` changes the "
        "child's file at the same time (and re-classifies the child), all or nothing.",
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: VisitSerializer,
            200: OpenApiResponse(VisitSerializer, description="A replay: the visit stored first."),
            400: INVALID,
            403: OpenApiResponse(description="You may see the child but not record visits."),
            404: NOT_FOUND,
        },
    ),
)
class VisitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Visit.objects.none()  # for the schema; get_queryset scopes
    serializer_class = VisitSerializer
    filterset_class = VisitFilter

    def get_queryset(self):
        return access.visible(self.request.user, Visit).select_related("child", "visitor")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(request=request, action=Action.LIST)
        return response

    def retrieve(self, request, pk=None):
        visit = scoped_get(self.get_queryset(), pk)
        log_access(request=request, action=Action.VIEW, child=visit.child)
        return Response(self.get_serializer(visit).data)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        child_id, data, facts = serializer.service_data()
        child = access.get_child_for(request.user, child_id)
        key = idempotency_key(request)
        try:
            visit, created = services.visit_record(
                actor=request.user, child=child, data=data, idempotency_key=key, facts=facts
            )
        except DjangoPermissionDenied as exc:
            raise forbidden(exc) from exc
        except DjangoValidationError as exc:
            raise service_errors(exc, own=VISIT_OWN_KEYS, changes_key="facts", sent=facts) from exc
        log_access(request=request, action=Action.CREATE if created else Action.VIEW, child=child)
        visit = self.get_queryset().get(pk=visit.pk)
        return Response(self.get_serializer(visit).data, status=replay_status(created))


# --- investigations -------------------------------------------------------------------------------


class InvestigationItemFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CheckStatus.choices, label=gettext_lazy("状态"))
    region = django_filters.CharFilter(
        field_name="region_code",
        lookup_expr="startswith",
        validators=[region_code],
        label=gettext_lazy("区划代码"),
    )

    class Meta:
        model = InvestigationItem
        fields: list[str] = []


PROGRESS_BY = {"township": 9, "village": 12}
PROGRESS_PARAMETER = OpenApiParameter(
    "by", str, enum=list(PROGRESS_BY), description="Progress per township (default) or per village."
)


def summary_for(user, investigation: Investigation) -> dict | None:
    """The closing summary, cut to the user's territory: the townships and villages it covers."""
    if not investigation.closed_at:
        return None
    summary = investigation.summary or {}
    if user.is_superuser:
        return summary
    code = access.territory_code(user) or "-"
    return {
        part: {k: v for k, v in (summary.get(part) or {}).items() if k.startswith(code)}
        for part in ("townships", "rescue")
    }


@extend_schema_view(
    list=extend_schema(
        summary="Quarterly investigations of your county",
        description="Those of the counties in your territory, or of the county your territory lies in.",
    ),
    retrieve=extend_schema(
        summary="An investigation with its progress",
        description="Checked and total per township (or `by=village`) within your territory; once "
        "closed, the summary, cut to your territory.",
        parameters=[PROGRESS_PARAMETER],
        responses={200: InvestigationDetailSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Open the quarter's investigation of a county",
        description="County staff. One check item per listed child (or per child with `all_children`), "
        "assigned to the village's director. A quarter is opened once.",
        request=InvestigationOpenSerializer,
        responses={
            201: InvestigationDetailSerializer,
            400: OpenApiResponse(description='Field errors, e.g. `{"quarter": ["…已经发起过。"]}`.'),
            403: OpenApiResponse(description="Only the county's own staff open its investigations."),
        },
    ),
)
class InvestigationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Investigation.objects.none()  # for the schema; get_queryset scopes
    serializer_class = InvestigationSerializer
    filter_backends: list = []

    def get_queryset(self):
        return access.visible(self.request.user, Investigation).select_related("county")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(request=request, action=Action.LIST)
        return response

    def get_serializer_class(self):
        return InvestigationSerializer if self.action == "list" else InvestigationDetailSerializer

    def _detail(self, request, investigation: Investigation, **kwargs) -> Response:
        by = PROGRESS_BY.get(request.query_params.get("by", "township"), 9)
        context = {
            **self.get_serializer_context(),
            "progress": investigations.progress(investigation=investigation, user=request.user, by=by),
            "summary": summary_for(request.user, investigation),
        }
        return Response(InvestigationDetailSerializer(investigation, context=context).data, **kwargs)

    def retrieve(self, request, pk=None):
        return self._detail(request, scoped_get(self.get_queryset(), pk))

    def create(self, request):
        body = InvestigationOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        investigation = call(
            investigations.investigation_open,
            actor=request.user,
            county_code=data["county"],
            year=data["year"],
            quarter=data["quarter"],
            all_children=data["all_children"],
        )
        investigation = self.get_queryset().get(pk=investigation.pk)
        return self._detail(request, investigation, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Close an investigation and write its summary",
        request=None,
        responses={
            200: InvestigationDetailSerializer,
            400: OpenApiResponse(description='`{"status": ["本次排查已结束。"]}`'),
            403: OpenApiResponse(description="Only the county's own staff close its investigations."),
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        investigation = scoped_get(self.get_queryset(), pk)
        investigation = call(
            investigations.investigation_close, actor=request.user, investigation=investigation
        )
        return self._detail(request, investigation)

    @extend_schema(
        summary="The check items of an investigation within your territory",
        description="One per child, with the categories before and after the check. Logged as a list.",
        parameters=[
            OpenApiParameter("status", str, enum=[*CheckStatus.values]),
            OpenApiParameter("region", str, description="A division code: that division and below."),
            OpenApiParameter("page", int),
        ],
        responses={200: InvestigationItemSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def items(self, request, pk=None):
        investigation = scoped_get(self.get_queryset(), pk)
        items = (
            access.visible(request.user, InvestigationItem)
            .filter(investigation=investigation)
            .select_related("child")
            .order_by("region_code", "child__name", "pk")
        )
        filters = InvestigationItemFilter(request.query_params, queryset=items, request=request)
        if not filters.is_valid():
            raise serializers.ValidationError(filters.errors)
        page = self.paginate_queryset(filters.qs)
        log_access(request=request, action=Action.LIST)
        return self.get_paginated_response(InvestigationItemSerializer(page, many=True).data)


@extend_schema_view(
    check=extend_schema(
        summary="Record the check of one child",
        description="Without `changes`: the situation is confirmed unchanged. With them: the child's "
        "file is changed through the registry's rules and the child re-classified. A child you see "
        "but may not change is a 403; a closed investigation a 400.",
        request=InvestigationCheckSerializer,
        responses={
            200: InvestigationItemSerializer,
            400: INVALID,
            403: OpenApiResponse(description="Not yours to check."),
            404: NOT_FOUND,
        },
    ),
)
class InvestigationItemViewSet(viewsets.GenericViewSet):
    queryset = InvestigationItem.objects.none()  # for the schema; get_queryset scopes
    serializer_class = InvestigationItemSerializer
    filter_backends: list = []

    def get_queryset(self):
        return access.visible(self.request.user, InvestigationItem).select_related("investigation", "child")

    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        item = scoped_get(self.get_queryset(), pk)
        body = InvestigationCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changes = body.validated_data.get("changes") or None
        try:
            item = investigations.investigation_check(
                actor=request.user, item=item, changes=changes, note=body.validated_data["note"]
            )
        except DjangoPermissionDenied as exc:
            raise forbidden(exc) from exc
        except DjangoValidationError as exc:
            raise service_errors(exc, own=CHECK_OWN_KEYS, changes_key="changes", sent=changes) from exc
        log_access(request=request, action=Action.UPDATE, child=item.child)
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)


# --- children's homes and their sessions ----------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Children's homes in your territory", description="With the date of the last session."
    ),
    retrieve=extend_schema(
        summary="A children's home", responses={200: ChildrensHomeSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Register a village's children's home",
        description="Directors, supervisors and county staff, in a village of their territory; "
        "one per village.",
        responses={
            201: ChildrensHomeSerializer,
            400: OpenApiResponse(description='Field errors, e.g. `{"village": ["…"]}`.'),
            403: OpenApiResponse(description="Your role does not register children's homes."),
        },
    ),
)
class ChildrensHomeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ChildrensHome.objects.none()  # for the schema; get_queryset scopes
    serializer_class = ChildrensHomeSerializer
    filter_backends: list = []

    def get_queryset(self):
        return (
            access.visible(self.request.user, ChildrensHome)
            .select_related("village")
            .annotate(last_held_on=Max("sessions__held_on"))
            .order_by("village_id")
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(request=request, action=Action.LIST)
        return response

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(scoped_get(self.get_queryset(), pk)).data)

    def create(self, request):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        home = call(homes.home_create, actor=request.user, **body.validated_data)
        home = self.get_queryset().get(pk=home.pk)
        return Response(self.get_serializer(home).data, status=status.HTTP_201_CREATED)


class SessionFilter(django_filters.FilterSet):
    home = django_filters.UUIDFilter(field_name="home_id", label=gettext_lazy("儿童之家 id"))
    held_from = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label=gettext_lazy("活动日期不早于")
    )
    held_to = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label=gettext_lazy("活动日期不晚于")
    )

    class Meta:
        model = ActivitySession
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Activity sessions of the children's homes in your territory",
        description="`children` lists the attendees you may see; `attendee_count` counts everyone. Logged.",
    ),
    create=extend_schema(
        summary="Record an activity session at a children's home",
        description="Clears the home's missing-session item for that week. Attendees must be children "
        "of the home's township that you may see.",
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: ActivitySessionSerializer,
            200: OpenApiResponse(
                ActivitySessionSerializer, description="A replay: the session stored first."
            ),
            400: OpenApiResponse(description='Field errors, e.g. `{"held_on": ["…"]}`.'),
            403: OpenApiResponse(description="You see the home but may not record its sessions."),
            404: NOT_FOUND,
        },
    ),
)
class ActivitySessionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ActivitySession.objects.none()  # for the schema; get_queryset scopes
    serializer_class = ActivitySessionSerializer
    filterset_class = SessionFilter

    def get_queryset(self):
        user = self.request.user
        return (
            ActivitySession.objects.filter(home__in=access.visible(user, ChildrensHome))
            .select_related("home")
            .prefetch_related(
                Prefetch(
                    "attendees", queryset=access.children_visible_to(user).only("id", "name").order_by("name")
                )
            )
            .order_by("-held_on", "-created_at")
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(request=request, action=Action.LIST)
        return response

    def create(self, request):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        home = scoped_get(access.visible(request.user, ChildrensHome), data.pop("home_id"))
        wanted = set(data.pop("attendees", []))
        attendees = list(access.children_visible_to(request.user).filter(pk__in=wanted))
        if len(attendees) != len(wanted):
            raise serializers.ValidationError({"attendees": [_("部分儿童不存在或不在您的管辖范围内。")]})
        session, created = call(
            homes.session_record,
            actor=request.user,
            home=home,
            data=data,
            attendees=attendees,
            idempotency_key=idempotency_key(request),
        )
        log_access(request=request, action=Action.CREATE if created else Action.VIEW)
        session = self.get_queryset().get(pk=session.pk)
        return Response(self.get_serializer(session).data, status=replay_status(created))


# --- visit policy ---------------------------------------------------------------------------------


COUNTY_CODE = OpenApiParameter(
    "county_code",
    str,
    location=OpenApiParameter.PATH,
    pattern=r"^\d{6}$",
    description="A county's 6-digit code.",
)


@extend_schema_view(
    retrieve=extend_schema(
        summary="A county's visit policy",
        description="Anyone working in the county (or above it). Defaults until the county changes them.",
        parameters=[COUNTY_CODE],
        responses={200: VisitPolicySerializer, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change a county's visit policy",
        description="The county's own staff. Due dates already set stay; later periods follow the new "
        "values. Recorded in the policy's history.",
        parameters=[COUNTY_CODE],
        responses={
            200: VisitPolicySerializer,
            400: OpenApiResponse(description='Field errors, e.g. `{"listed_months": ["…"]}`.'),
            403: OpenApiResponse(description="You work in the county but may not change its policy."),
            404: NOT_FOUND,
        },
    ),
)
class VisitPolicyViewSet(viewsets.GenericViewSet):
    queryset = VisitPolicy.objects.none()  # for the schema; the county is checked by county_visible_to
    serializer_class = VisitPolicySerializer
    filter_backends: list = []
    pagination_class = None
    lookup_url_kwarg = "county_code"
    lookup_value_regex = r"[^/]+"

    def _policy(self, county: Region) -> VisitPolicy:
        # Reading asks nothing to be stored: a county that never changed its policy gets the defaults.
        policy = VisitPolicy.objects.filter(county=county).first() or VisitPolicy(county=county)
        policy.county = county
        return policy

    def retrieve(self, request, county_code=None):
        county = county_visible_to(request.user, county_code)
        return Response(self.get_serializer(self._policy(county)).data)

    def partial_update(self, request, county_code=None):
        county = county_visible_to(request.user, county_code)
        body = self.get_serializer(self._policy(county), data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        policy = call(
            services.policy_update, actor=request.user, county_code=county.code, **body.validated_data
        )
        policy.county = county
        return Response(self.get_serializer(policy).data)
