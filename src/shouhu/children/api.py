"""API v1 of the registry: thin views that scope through ``accounts.access`` / ``children.selectors``,
write through ``children.services`` and log every list, search and file opening in the access log."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from shouhu.accounts import access
from shouhu.api.errors import NOT_FOUND, domain_errors
from shouhu.api.filters import ChildFilter
from shouhu.api.permissions import ChildPermission
from shouhu.api.versions import IF_MATCH, STALE, VersionedViewMixin
from shouhu.audit.services import Action, log_access
from shouhu.children import selectors, services, tiers

from .api_serializers import ChildSerializer, ChildSummarySerializer

FORBIDDEN = OpenApiResponse(
    description="You may see this child but not change it, or you may not register children."
)
INVALID = OpenApiResponse(
    description=(
        'Field errors, shaped like the request body: `{"name": ["…"]}`; nested objects as objects '
        '(`{"carer": {"birth_date": ["…"]}}`); `parents` and `contacts` as one entry per item sent, '
        'in the same order (`{"parents": [{}, {"birth_date": ["…"]}]}`); errors of no single field '
        "under `non_field_errors`. All the errors are returned together and nothing is saved."
    )
)


class TieredSchema(AutoSchema):
    """A child's fields are in an answer only when the user sees their tier (``children.tiers``): in
    the response schema only the fields every viewer receives are required."""

    PARTS = {
        "Child": "child",
        "ChildSummary": "child",
        "Parent": "parent",
        "Carer": "carer",
        "RescueContact": "contact",
    }

    def _map_basic_serializer(self, serializer, direction):
        result = super()._map_basic_serializer(serializer, direction)
        name = type(serializer).__name__.removesuffix("Serializer")
        if direction == "response" and name in self.PARTS and "required" in result:
            always = tiers.always_seen(self.PARTS[name])
            result["required"] = [f for f in result["required"] if f in always]
            if not result["required"]:
                del result["required"]
        return result


@extend_schema_view(
    list=extend_schema(
        summary="Children in your jurisdiction and granted to you",
        description="Paginated rows (not whole files). Each call is logged (a search as a search).",
    ),
    retrieve=extend_schema(
        summary="A child's file",
        description="Only the fields of the tiers you see are in the answer (`children.tiers`): the "
        "child's territorial staff and civil affairs see all; a mentor's pairing sees the child, village "
        "and school; a referral sees the child and the family's contacts; an emergency (break-the-glass) "
        "opening sees all while it lasts. Each opening is logged.",
        responses={200: ChildSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Register a child",
        request=ChildSerializer,
        responses={201: ChildSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Change a child's file",
        description="Send only what changes. `parents` items are matched by `role`; "
        "`carer: null` removes the carer; `contacts` replaces the list. Send `If-Match` with the ETag "
        "of the file you read (or `version` in the body): if the file was saved since, nothing is "
        "written and the answer is 412 with the current file. Without it the change is applied to the "
        "file as saved (fields you do not send keep their values).",
        parameters=[IF_MATCH],
        request=ChildSerializer,
        responses={200: ChildSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 412: STALE},
    ),
)
class ChildViewSet(VersionedViewMixin, viewsets.GenericViewSet):
    """No PUT (a whole-file replacement would wipe what another user just recorded) and no DELETE
    (a child leaves the registry by an exit date and reason, which keeps the history). A file answers
    with its ETag; a PATCH honours If-Match (``api.versions``)."""

    permission_classes = [IsAuthenticated, ChildPermission]
    filterset_class = ChildFilter
    serializer_class = ChildSerializer
    schema = TieredSchema()

    def get_queryset(self):
        return access.children_visible_to(self.request.user)

    def get_serializer_class(self):
        return ChildSummarySerializer if self.action == "list" else ChildSerializer

    def list(self, request):
        children = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(children)
        search = request.query_params.get("search", "").strip()
        log_access(request=request, action=Action.SEARCH if search else Action.LIST)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        child = selectors.child_file(user=request.user, pk=pk)
        self.check_object_permissions(request, child)
        emergency = access.tiers_for(request.user, child).emergency
        log_access(request=request, action=Action.BREAK_GLASS if emergency else Action.VIEW, child=child)
        return Response(self.get_serializer(child).data)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            child = services.child_register(actor=request.user, **serializer.service_arguments())
        except DjangoValidationError as exc:
            raise domain_errors(exc, request.data) from exc
        child = selectors.child_file(user=request.user, pk=child.pk)
        log_access(request=request, action=Action.CREATE, child=child)
        return Response(self.get_serializer(child).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        child = access.get_child_for(request.user, pk)
        self.check_object_permissions(request, child)
        expected = self.expected_version(request)
        serializer = self.get_serializer(child, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            services.child_update(
                actor=request.user, child=child, expected_version=expected, **serializer.service_arguments()
            )
        except DjangoValidationError as exc:
            raise domain_errors(exc, request.data) from exc
        child = selectors.child_file(user=request.user, pk=child.pk)
        log_access(request=request, action=Action.UPDATE, child=child)
        return Response(self.get_serializer(child).data)
