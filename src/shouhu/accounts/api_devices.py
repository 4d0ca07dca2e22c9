"""Two-factor devices in the API: start setting up an authenticator (its ``otpauth://`` URI and key),
confirm it with a code, list one's devices, remove one. The same services as the set-up page
(``accounts.services``) and the same rules (``accounts.security``): a user who already has a confirmed
device gives its current code (``otp``) before starting a new one or removing it; the roles that must
use two-factor sign-in cannot remove theirs, only replace it."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from shouhu.accounts import security, services
from shouhu.api.errors import service_errors


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = TOTPDevice
        fields = ["id", "name", "confirmed", "created_at", "last_used_at"]
        read_only_fields = fields


class PendingDeviceSerializer(DeviceSerializer):
    uri = serializers.SerializerMethodField(
        help_text=gettext_lazy("otpauth:// 地址：在验证器中扫码或打开它以添加账号。")
    )
    secret = serializers.SerializerMethodField(
        help_text=gettext_lazy("密钥（base32），可在验证器中手动输入。")
    )
    required = serializers.SerializerMethodField(help_text=gettext_lazy("您的岗位是否必须使用两步验证。"))

    class Meta(DeviceSerializer.Meta):
        fields = [*DeviceSerializer.Meta.fields, "uri", "secret", "required"]
        read_only_fields = fields

    def get_uri(self, device) -> str:
        return security.totp_uri(device)

    def get_secret(self, device) -> str:
        return security.totp_secret_base32(device)

    def get_required(self, device) -> bool:
        return security.requires_2fa(device.user)


class ProofSerializer(serializers.Serializer):
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        write_only=True,
        help_text=gettext_lazy("已有验证器时必填：现有验证器上当前显示的 6 位动态验证码。"),
    )


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=10,
        write_only=True,
        help_text=gettext_lazy("新验证器上当前显示的 6 位动态验证码。"),
    )


def _verified(request) -> bool:
    """A browser session already verified with the device (token requests never are)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(request.auth is None and is_verified and is_verified())


PROOF_400 = OpenApiResponse(
    description="You already have a confirmed authenticator and `otp` is missing or wrong (`otp`)."
)


@extend_schema_view(
    list=extend_schema(summary="Your two-factor devices: the one in use and any being set up", tags=["auth"]),
)
class DeviceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = DeviceSerializer
    pagination_class = None
    queryset = TOTPDevice.objects.none()  # for the schema; get_queryset gives the user's own

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TOTPDevice.objects.none()
        return services.otp_devices_of(user=self.request.user)

    def _own(self, pk) -> TOTPDevice:
        try:
            return self.get_queryset().get(pk=int(pk))
        except (TOTPDevice.DoesNotExist, ValueError, TypeError) as exc:
            raise NotFound(_("没有找到该验证器。")) from exc

    @extend_schema(
        summary="Start setting up an authenticator: its otpauth URI and key, not yet confirmed",
        description="Answers the device being set up (made once, the same until confirmed). Confirming it "
        "replaces any earlier device. A user who already has a confirmed device sends its current code.",
        request=ProofSerializer,
        responses={201: PendingDeviceSerializer, 400: PROOF_400},
        tags=["auth"],
    )
    @action(detail=False, methods=["post"])
    def setup(self, request):
        proof = ProofSerializer(data=request.data)
        proof.is_valid(raise_exception=True)
        try:
            device = services.otp_device_start(
                user=request.user, code=proof.validated_data.get("otp", ""), verified=_verified(request)
            )
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        return Response(PendingDeviceSerializer(device).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Confirm the authenticator being set up with a code from it",
        request=CodeSerializer,
        responses={
            200: DeviceSerializer,
            400: OpenApiResponse(description="The code is missing, wrong or expired (`code`)."),
            404: OpenApiResponse(description="No such device of yours."),
            409: OpenApiResponse(description="The device is already confirmed."),
        },
        tags=["auth"],
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        device = self._own(pk)
        body = CodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if device.confirmed:
            return Response({"detail": _("该验证器已经确认过了。")}, status=status.HTTP_409_CONFLICT)
        if not services.otp_device_confirm(
            user=request.user, device=device, code=body.validated_data["code"]
        ):
            raise serializers.ValidationError(
                {"code": [_("验证码不正确。请确认已在验证器中添加了上面的密钥，再输入当前显示的数字。")]}
            )
        if request.auth is None:  # a browser session: it is now verified with the new device
            otp_login(request._request, device)
        return Response(DeviceSerializer(device).data)

    @extend_schema(
        summary="Remove one of your two-factor devices",
        description="A device being set up goes freely; the confirmed one needs its current code (`otp`) "
        "and cannot be removed by the roles that must use two-factor sign-in (county, bureau, "
        "administrators): they set up a new one, which replaces it.",
        request=ProofSerializer,
        responses={
            204: None,
            400: PROOF_400,
            403: OpenApiResponse(
                description="Your role must use two-factor sign-in: replace the device instead."
            ),
            404: OpenApiResponse(description="No such device of yours."),
        },
        tags=["auth"],
    )
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        device = self._own(pk)
        proof = ProofSerializer(data=request.data)
        proof.is_valid(raise_exception=True)
        try:
            services.otp_device_remove(
                user=request.user,
                device_id=device.pk,
                code=proof.validated_data.get("otp", ""),
                verified=_verified(request),
            )
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
