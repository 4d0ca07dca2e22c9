"""API v1 of the division tree: the divisions of your jurisdiction, one level at a time."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from shouhu.accounts import access
from shouhu.api.errors import NOT_FOUND

from .models import Region


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True, label=_("上级代码"))

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "is_community"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="Browse the division tree within your jurisdiction",
        parameters=[
            OpenApiParameter(
                "parent",
                str,
                description="A division code: its direct subdivisions. Without it: the top of your "
                "jurisdiction. 404 when the code is outside your jurisdiction or does not exist.",
            )
        ],
        responses={200: RegionSerializer(many=True), 404: NOT_FOUND},
    ),
    retrieve=extend_schema(summary="One division", responses={200: RegionSerializer, 404: NOT_FOUND}),
)
class RegionViewSet(viewsets.GenericViewSet):
    serializer_class = RegionSerializer
    lookup_field = "code"
    lookup_value_regex = r"\d+"
    pagination_class = None  # one level of the tree: at most a few hundred divisions
    filter_backends: list = []

    def get_queryset(self):
        return access.regions_visible_to(self.request.user)

    def list(self, request):
        parent = request.query_params.get("parent", "").strip()
        if parent:
            region = access.get_region_for(request.user, parent)
            regions = access.regions_visible_to(request.user).filter(parent_id=region.code)
        else:
            regions = access.region_roots_for(request.user)
        return Response(self.get_serializer(regions.order_by("code"), many=True).data)

    def retrieve(self, request, code=None):
        return Response(self.get_serializer(access.get_region_for(request.user, code)).data)
