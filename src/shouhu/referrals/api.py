"""API v1 of referrals: the registry of social organisations and their services, referrals from a case
(create, accept, decline, close, revoke) and the services delivered.

Thin, as the cases API: a referral is fetched through its policy (``referrals.permissions``: the child's
territory and the organisation's staff; outside it, or with a malformed id: 404), a case through
``access.cases_visible_to``; every change goes through ``referrals.services``, whose refusals answer
403 and whose field errors answer 400. Lists and openings of a referral are logged.
"""

from __future__ import annotations

import functools

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from shouhu.accounts import access
from shouhu.api.errors import INVALID, NOT_FOUND, REFUSED, call, scoped_get
from shouhu.api.versions import CONFLICT, STALE, VersionedViewMixin
from shouhu.audit.services import Action, log_access
from shouhu.cases.api_serializers import ReasonSerializer
from shouhu.referrals import selectors, services
from shouhu.referrals.models import Provider, Referral, ReferralStatus, ServiceType

from .api_serializers import (
    CloseSerializer,
    ProviderSerializer,
    ReferralCreateSerializer,
    ReferralSerializer,
    ServiceRecordCreateSerializer,
    ServiceRecordSerializer,
    ServiceTypeSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="The catalogue of services a referral may ask for",
        description="Kept as data; `code` is what a referral names.",
    ),
)
class ServiceTypeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ServiceType.objects.none()  # for the schema
    serializer_class = ServiceTypeSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.service_types()


class ProviderFilter(django_filters.FilterSet):
    service = django_filters.CharFilter(field_name="services__code", label=gettext_lazy("服务"))

    class Meta:
        model = Provider
        fields: list[str] = ["kind", "accepting"]


@extend_schema_view(
    list=extend_schema(
        summary="Social organisations (social-work organisations, foundations, charities)",
        description="The registry: each organisation's services and the areas it serves (an area covers "
        "every region below it). A directory: it holds no children's data.",
    ),
)
class ProviderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Provider.objects.none()  # for the schema
    serializer_class = ProviderSerializer
    filterset_class = ProviderFilter

    def get_queryset(self):
        return selectors.providers().distinct()


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices, label=gettext_lazy("状态"))

    class Meta:
        model = Referral
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Referrals to your organisation and those of your territory",
        description="Pending first; logged. Before the organisation accepts, and after the referral ends, "
        "its staff see the need, the service, the child's age, gender and village — not the name.",
    ),
    retrieve=extend_schema(
        summary="One referral, with the services delivered",
        description="Logged as an opening of the child's file.",
        responses={200: ReferralSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Refer a case's child to an organisation for a service",
        description="Those who may change the child's file. Consent (`consent_by` with `consent_on`) or "
        "`legal_basis` is required; refused when the organisation does not offer the service or does "
        "not serve the child's area. The organisation must answer within three days, or the township "
        "(then the county) is told. A case you cannot see is a 404.",
        request=ReferralCreateSerializer,
        responses={201: ReferralSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class ReferralViewSet(VersionedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Referral.objects.none()  # for the schema; get_queryset scopes
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter

    def get_queryset(self):
        return selectors.referrals_for(user=self.request.user).prefetch_related("records")

    def get_serializer_context(self):
        user = self.request.user
        seen = set(access.cases_visible_to(user).filter(referrals__isnull=False).values_list("pk", flat=True))
        return {
            **super().get_serializer_context(),
            "sees_case": lambda r: r.case_id in seen,
            "grants": access.grants_once(user),
        }

    def _answer(self, pk, code=status.HTTP_200_OK) -> Response:
        referral = scoped_get(self.get_queryset(), pk)
        return Response(ReferralSerializer(referral, context=self.get_serializer_context()).data, status=code)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(request=request, action=Action.LIST)
        return response

    def retrieve(self, request, pk=None):
        referral = scoped_get(self.get_queryset(), pk)
        log_access(request=request, action=Action.VIEW, child=referral.child)
        return self._answer(pk)

    def create(self, request):
        body = ReferralCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        case = scoped_get(
            access.cases_visible_to(request.user).select_related("child__village"), data.pop("case")
        )
        provider = Provider.objects.filter(pk=data.pop("organisation")).first()
        service = ServiceType.objects.filter(pk=data.pop("service")).first()
        errors = {}
        if provider is None:
            errors["organisation"] = [gettext_lazy("没有这个社会组织。")]
        if service is None:
            errors["service"] = [gettext_lazy("没有这个服务类型。")]
        if errors:
            raise ValidationError(errors)
        # ``call`` takes the service function as its own ``service`` argument: bind the service type first.
        create = functools.partial(services.referral_create, service=service)
        referral = call(create, actor=request.user, case=case, provider=provider, **data)
        log_access(request=request, action=Action.CREATE, child=case.child)
        return self._answer(referral.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept a referral",
        description="The organisation's staff, while it is pending. Each staff member is granted the "
        "child (reason: referral) until the referral is closed or revoked.",
        request=None,
        responses={
            200: ReferralSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        referral = scoped_get(self.get_queryset(), pk)
        call(
            services.referral_accept,
            actor=request.user,
            referral=referral,
            expected_version=self.expected_version(request),
        )
        log_access(request=request, action=Action.UPDATE, child=referral.child)
        return self._answer(pk)

    @extend_schema(
        summary="Decline a referral with a reason",
        description="The organisation's staff, while it is pending; the reason goes to the case's timeline.",
        request=ReasonSerializer,
        responses={
            200: ReferralSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        referral = scoped_get(self.get_queryset(), pk)
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call(
            services.referral_decline,
            actor=request.user,
            referral=referral,
            reason=body.validated_data["reason"],
            expected_version=self.expected_version(request),
        )
        log_access(request=request, action=Action.UPDATE, child=referral.child)
        return self._answer(pk)

    @extend_schema(
        summary="Close a referral with the closing report",
        description="The organisation's staff, while it is accepted. The report goes to the case's "
        "timeline and the staff's grants end at once.",
        request=CloseSerializer,
        responses={
            200: ReferralSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        referral = scoped_get(self.get_queryset(), pk)
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call(
            services.referral_close,
            actor=request.user,
            referral=referral,
            report=body.validated_data["report"],
            expected_version=self.expected_version(request),
        )
        log_access(request=request, action=Action.UPDATE, child=referral.child)
        return self._answer(pk)

    @extend_schema(
        summary="Revoke a referral with a reason",
        description="Those who may change the child's file, while it is pending or accepted; the "
        "organisation's grants end at once.",
        request=ReasonSerializer,
        responses={
            200: ReferralSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
            409: CONFLICT,
            412: STALE,
        },
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        referral = scoped_get(self.get_queryset(), pk)
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call(
            services.referral_revoke,
            actor=request.user,
            referral=referral,
            reason=body.validated_data["reason"],
            expected_version=self.expected_version(request),
        )
        log_access(request=request, action=Action.UPDATE, child=referral.child)
        return self._answer(pk)

    @extend_schema(
        methods=["GET"],
        summary="The services delivered under a referral",
        responses={200: ServiceRecordSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a service delivered (date, what, by whom, hours)",
        description="The organisation's staff, while the referral is accepted. `worker` defaults to you.",
        request=ServiceRecordCreateSerializer,
        responses={201: ServiceRecordSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def services(self, request, pk=None):
        referral = scoped_get(self.get_queryset(), pk)
        if request.method == "GET":
            log_access(request=request, action=Action.VIEW, child=referral.child)
            return Response(ServiceRecordSerializer(referral.records.all(), many=True).data)
        body = ServiceRecordCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = call(services.service_record, actor=request.user, referral=referral, **body.validated_data)
        log_access(request=request, action=Action.UPDATE, child=referral.child)
        return Response(ServiceRecordSerializer(record).data, status=status.HTTP_201_CREATED)
