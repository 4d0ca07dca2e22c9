"""API v1 of assistance: the types, applications through village → township → county, payments.

Thin, as the cases API: applications are fetched through ``accounts.access`` (outside the territory, or a
malformed id: 404), every change goes through ``assistance.services``, whose refusals answer 403 (the
wrong person or level: approving one's own application, skipping a level) and whose field errors answer
400 (an ineligible child, with the rule that failed; a payment after the stop date). Lists and openings
are logged.
"""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shouhu.accounts import access
from shouhu.api.errors import INVALID, NOT_FOUND, REFUSED, call, scoped_get
from shouhu.api.versions import CONFLICT, STALE, VersionedViewMixin
from shouhu.assistance import selectors, services
from shouhu.assistance.models import Application, ApplicationStatus, AssistanceType
from shouhu.audit.services import Action, log_access
from shouhu.regions.codes import Level, county_of, reaches

from .api_serializers import (
    ApplicationCreateSerializer,
    ApplicationSerializer,
    AssistanceTypeSerializer,
    CommentSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    ResubmitSerializer,
    ReturnSerializer,
    StopSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="Assistance types, their eligibility rules and your county's standard amounts",
        description="Types are data; a rule is the parameters of fixed checks (`categories` any of, "
        "`min_age`, `max_age` under 18, `excluded_assistance`). `amount` is the standard of the county you "
        "work in, today.",
    )
)
class AssistanceTypeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = AssistanceType.objects.filter(active=True)
    serializer_class = AssistanceTypeSerializer
    pagination_class = None
    filter_backends: list = []

    def get_serializer_context(self):
        code = access.territory_code(self.request.user) or ""
        today = timezone.localdate()
        amounts = {}
        if reaches(code, Level.COUNTY):
            for t in self.queryset:
                amounts[t.code] = services.amount_for(t, county_of(code), today)
        return {**super().get_serializer_context(), "amounts": amounts}


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices, label=gettext_lazy("状态"))
    waiting = django_filters.BooleanFilter(
        method="filter_waiting",
        label=gettext_lazy("待我办理"),
        help_text="Only what waits for your level: returned (village director), to review (township "
        "supervisor), to approve (county civil affairs).",
    )

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_waiting(self, queryset, name, value):
        if not value:
            return queryset
        wanted, _waiting = selectors.to_act_on(self.request.user)
        return queryset.filter(status=wanted) if wanted else queryset.none()


@extend_schema_view(
    list=extend_schema(
        summary="Assistance applications of your territory", description="Newest first; logged."
    ),
    retrieve=extend_schema(
        summary="One application with its steps and payments",
        description="Logged as an opening of the child's file.",
        responses={200: ApplicationSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Apply for assistance for a child (village level)",
        description="The child director of the child's village. Refused (400, under `type`) when the child "
        "does not qualify, with the rule that failed in words, or already has an open application of the "
        "type. A `child` you cannot see is a 404.",
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class ApplicationViewSet(VersionedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Application.objects.none()  # for the schema; get_queryset scopes
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter

    def get_queryset(self):
        return (
            selectors.applications_visible_to(self.request.user)
            .select_related("work_item")
            .prefetch_related("steps__by", "payments")
        )

    def _answer(self, pk, code=status.HTTP_200_OK) -> Response:
        return Response(ApplicationSerializer(scoped_get(self.get_queryset(), pk)).data, status=code)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(request=request, action=Action.LIST)
        return response

    def retrieve(self, request, pk=None):
        application = scoped_get(self.get_queryset(), pk)
        log_access(request=request, action=Action.VIEW, child=application.child)
        return Response(ApplicationSerializer(application).data)

    def create(self, request):
        body = ApplicationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        child = access.get_child_for(request.user, data["child"])
        application = call(
            services.application_submit,
            actor=request.user,
            child=child,
            assistance_type=data["type"],
            reason=data["reason"],
        )
        log_access(request=request, action=Action.CREATE, child=child)
        return self._answer(application.pk, status.HTTP_201_CREATED)

    def _step(self, request, pk, body_class, service, **extra):
        application = scoped_get(self.get_queryset(), pk)
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        call(
            service,
            actor=request.user,
            application=application,
            expected_version=self.expected_version(request),
            **body.validated_data,
            **extra,
        )
        log_access(request=request, action=Action.UPDATE, child=application.child)
        return self._answer(pk)

    @extend_schema(
        summary="Approve at your level",
        description="Submitted → the township's child supervisor passes it to the county; passed by the "
        "township → the county's civil-affairs official approves it (payments start that month). Nobody "
        "approves their own application, the township's reviewer does not approve again at the county, "
        "and no level is skipped (403, saying who must act).",
        request=CommentSerializer,
        responses={
            200: ApplicationSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(request, pk, CommentSerializer, services.application_approve)

    @extend_schema(
        summary="Return the application to the applicant, with a reason",
        description="The level that holds it (township or county); the applicant sees `return_reason`.",
        request=ReturnSerializer,
        responses={
            200: ApplicationSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._step(request, pk, ReturnSerializer, services.application_return)

    @extend_schema(
        summary="Submit a returned application again (village level)",
        description="The child director of the village, after correcting it; it starts again at the "
        "township, whichever level returned it. Eligibility is checked again.",
        request=ResubmitSerializer,
        responses={
            200: ApplicationSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(request, pk, ResubmitSerializer, services.application_resubmit)

    @extend_schema(
        summary="Stop an approved assistance, with a reason",
        description="County civil affairs. The child's director gets a check of the child's situation, due "
        "in seven days. (The nightly re-check stops payments by itself at 18, on exit, or when the child no "
        "longer qualifies.)",
        request=StopSerializer,
        responses={
            200: ApplicationSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        return self._step(request, pk, StopSerializer, services.application_stop)

    @extend_schema(
        methods=["GET"],
        summary="Payments of an application",
        responses={200: PaymentSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a month's payment (county civil affairs)",
        description="`amount` defaults to the county's standard for the month. Refused (400) before "
        "approval, before the first month, for a month beginning on or after the stop date, twice for a "
        "month, and a second time for a one-off type.",
        request=PaymentCreateSerializer,
        responses={201: PaymentSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def payments(self, request, pk=None):
        application = scoped_get(self.get_queryset(), pk)
        if request.method == "GET":
            log_access(request=request, action=Action.VIEW, child=application.child)
            return Response(PaymentSerializer(application.payments.all(), many=True).data)
        body = PaymentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        payment = call(
            services.payment_record, actor=request.user, application=application, **body.validated_data
        )
        log_access(request=request, action=Action.UPDATE, child=application.child)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)
