"""Break the glass in the API (紧急调阅): open a child's file outside one's jurisdiction with the
child's whole ID number and a reason, list one's openings in force, end one. The same service as the
web page (``accounts.emergency``) and the same access-log rows (``break_glass``); only staff with a
territory of their own may open (others are answered 403 with whom to ask)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from shouhu.accounts import emergency
from shouhu.accounts.models import Grant
from shouhu.api.errors import service_errors
from shouhu.audit.models import Action
from shouhu.audit.services import log_access


class OpeningSerializer(serializers.ModelSerializer):
    child = serializers.UUIDField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.name", read_only=True)
    reason = serializers.CharField(source="note", read_only=True)

    class Meta:
        model = Grant
        fields = ["id", "child", "child_name", "reason", "starts_at", "ends_at"]
        read_only_fields = fields


class OpenSerializer(serializers.Serializer):
    id_number = serializers.CharField(
        max_length=18,
        write_only=True,
        help_text=gettext_lazy("儿童完整的18位身份证号码（不支持部分匹配）。"),
    )
    reason = serializers.CharField(
        max_length=emergency.MAX_REASON,
        write_only=True,
        help_text=gettext_lazy("紧急调阅的原因（至少10个字），会通知儿童所在乡镇和县。"),
    )


class OpenedSerializer(serializers.Serializer):
    child = serializers.UUIDField(help_text=gettext_lazy("儿童编号：用 /api/v1/children/{id}/ 读取档案。"))
    opened = serializers.BooleanField(
        help_text=gettext_lazy("是否新开启了紧急调阅；儿童本在您的管辖范围内时为 false。")
    )
    opening = OpeningSerializer(allow_null=True, help_text=gettext_lazy("新开启的紧急调阅。"))


class MayBreakGlass(BasePermission):
    """Opening and listing: staff with a territory. Ending one's own opening stays open to anyone (a
    worker whose post changed still closes what they opened; others have none: 404)."""

    def has_permission(self, request, view) -> bool:
        if getattr(view, "action", None) in ("list", "create") and not emergency.may_break_glass(
            request.user
        ):
            self.message = _(
                "只有有管辖区域的工作人员可以紧急调阅档案；志愿者、社工等请联系儿童所在地的儿童主任。"
            )
            return False
        return True


FORBIDDEN = OpenApiResponse(
    description="Only staff with a territory of their own (directors, supervisors, county and bureau staff, "
    "administrators) may break the glass."
)


@extend_schema_view(
    list=extend_schema(
        summary="Your emergency openings in force now",
        responses={200: OpeningSerializer(many=True), 403: FORBIDDEN},
        tags=["emergency"],
    ),
)
class EmergencyOpeningViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = OpeningSerializer
    pagination_class = None
    permission_classes = [IsAuthenticated, MayBreakGlass]
    queryset = Grant.objects.none()  # for the schema; get_queryset gives the user's own

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Grant.objects.none()
        return emergency.openings_of(self.request.user)

    @extend_schema(
        summary="Break the glass: open a child's file outside your jurisdiction, with a reason",
        description=f"The file opens for `BREAK_GLASS_HOURS` hours ({settings.BREAK_GLASS_HOURS} here); the "
        "child's township and county are told at once and the opening is written to the access log. "
        "A child already within your jurisdiction opens nothing (`opened` false, 200).",
        request=OpenSerializer,
        responses={
            201: OpenedSerializer,
            200: OpenedSerializer,
            400: OpenApiResponse(
                description="The ID number is invalid or no child has it (`id_number`); the reason is too "
                "short or too long (`reason`)."
            ),
            403: FORBIDDEN,
        },
        tags=["emergency"],
    )
    def create(self, request):
        body = OpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            child, grant = emergency.glass_break(actor=request.user, **body.validated_data)
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        if grant is None:
            return Response({"child": child.pk, "opened": False, "opening": None})
        log_access(request=request, action=Action.BREAK_GLASS, child=child, query=grant.note)
        answer = {"child": child.pk, "opened": True, "opening": OpeningSerializer(grant).data}
        return Response(answer, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="End one of your emergency openings now",
        request=None,
        responses={
            200: OpeningSerializer,
            404: OpenApiResponse(description="No opening of yours in force with this id."),
        },
        tags=["emergency"],
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        try:
            grant = emergency.glass_close(actor=request.user, grant_id=pk)
        except Grant.DoesNotExist as exc:
            raise NotFound(_("没有找到您正在进行的这项紧急调阅。")) from exc
        log_access(
            request=request, action=Action.BREAK_GLASS, child=grant.child, query=emergency.closing_note(grant)
        )
        return Response(OpeningSerializer(grant).data)
