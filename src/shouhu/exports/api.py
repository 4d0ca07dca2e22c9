"""API v1: the export of the children list as a file (CSV or Excel), scoped and logged as the web
export is. The filters are the children list's own (``search``, ``region``, ``category``,
``schooling``, ``include_exited``), checked by the same filter set, so the file holds what
``GET /api/v1/children/`` lists with them, every page of it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from shouhu.accounts import access
from shouhu.api.filters import ChildFilter
from shouhu.children.options import Schooling

from . import layouts, services
from .views import respond


class ExportOptionsSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=list(services.FORMATS), default=services.CSV)
    layout = serializers.ChoiceField(choices=list(layouts.LAYOUTS), default=layouts.REGISTER)
    full_numbers = serializers.BooleanField(default=False)


class _JsonErrors(BaseContentNegotiation):
    """``format`` names the file's format here, not DRF's response format: errors are always JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


FILE = OpenApiResponse(
    response=OpenApiTypes.BINARY,
    description="The file, as an attachment. `X-Export-Rows` gives the number of children in it.",
)
INVALID = OpenApiResponse(description='Parameter errors by parameter: `{"schooling": ["…"]}`.')
REFUSED = OpenApiResponse(
    description="Mentors, social organisations' staff, teachers and health workers may not export lists."
)


class ChildrenExport(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _JsonErrors
    filter_backends: list = []

    @extend_schema(
        operation_id="exports_children",
        summary="Export the children list to CSV or Excel",
        description=(
            "Every child `GET /api/v1/children/` lists with the same filters (all pages), one row each, in "
            "the layout of the import template (`register`: the file imports back unchanged) or of the "
            "national form 农村留守儿童基本情况登记表 (`national`). Fields you do not see for a child are "
            "empty. ID and phone numbers are masked (341623********1234, 138****5678) unless "
            "`full_numbers=true`, which gives whole numbers for the children of your own territory only. "
            "CSV is UTF-8 with a byte-order mark; cells that would start a formula begin with an "
            "apostrophe. Each export is logged with its filter and row count."
        ),
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(services.FORMATS), default=services.CSV),
            OpenApiParameter(
                "layout", OpenApiTypes.STR, enum=list(layouts.LAYOUTS), default=layouts.REGISTER
            ),
            OpenApiParameter("full_numbers", OpenApiTypes.BOOL, default=False),
            OpenApiParameter("search", OpenApiTypes.STR, description="As on the children list."),
            OpenApiParameter(
                "region",
                OpenApiTypes.STR,
                description="A region code and everything below it.",
                pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$",
            ),
            OpenApiParameter("category", OpenApiTypes.STR, description="A category code, e.g. left_behind."),
            OpenApiParameter("schooling", OpenApiTypes.STR, enum=Schooling.values),
            OpenApiParameter("include_exited", OpenApiTypes.BOOL, default=False),
        ],
        responses={
            (200, "text/csv"): FILE,
            (200, services.CONTENT_TYPES[services.XLSX]): FILE,
            400: INVALID,
            403: REFUSED,
        },
    )
    def get(self, request):
        user = request.user
        if not access.can_export_children(user):
            raise PermissionDenied(_("您的账号不能导出儿童名单。"))
        options = ExportOptionsSerializer(data=request.query_params)
        options.is_valid(raise_exception=True)
        wanted = ChildFilter(request.query_params, queryset=access.children_visible_to(user), request=request)
        if not wanted.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in wanted.errors.items()})
        data = wanted.form.cleaned_data
        filters = {
            "q": data.get("search") or "",
            "region": data.get("region") or "",
            "category": data.get("category") or "",
            "schooling": data.get("schooling") or "",
            "include_exited": bool(data.get("include_exited")),
        }
        export = services.children_export(
            user=user,
            filters=filters,
            layout=options.validated_data["layout"],
            fmt=options.validated_data["format"],
            full_numbers=options.validated_data["full_numbers"],
        )
        return respond(request, export)
