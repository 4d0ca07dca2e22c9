"""API tokens: sign in for a token (with a two-factor code where the role needs one), list one's own
tokens without their secrets, revoke one or all. Tokens are django-rest-knox tokens: stored hashed,
expiring after ``REST_KNOX['TOKEN_TTL']``."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from shouhu.accounts import security, services
from shouhu.accounts.models import ApiToken
from shouhu.api.errors import service_errors


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), write_only=True)
    password = serializers.CharField(
        label=_("密码"), write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    otp = serializers.CharField(
        label=_("动态验证码"),
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=10,
        help_text=_("验证器上的 6 位动态验证码：县儿童福利指导中心、民政局和系统管理员账号必填。"),
    )

    def validate(self, attrs: dict) -> dict:
        request = self.context["request"]
        # The Django request, so that django-axes counts failures and locks the account as on the web.
        user = authenticate(request=request._request, username=attrs["username"], password=attrs["password"])
        if user is None:
            if getattr(request._request, "axes_locked_out", False):
                raise Locked()
            raise serializers.ValidationError(
                _("用户名或密码不正确，或账号已停用。请检查后重试，忘记密码请联系系统管理员。"),
                code="authorization",
            )
        if security.needs_code(user):
            code = (attrs.get("otp") or "").strip()
            if not security.has_device(user):
                raise serializers.ValidationError(
                    {"otp": [_("该账号须使用两步验证，但还没有设置验证器。请先在网页上登录并按提示设置。")]}
                )
            if not code:
                raise serializers.ValidationError(
                    {"otp": [_("该账号须使用两步验证：请在 otp 字段填写验证器上的 6 位动态验证码。")]}
                )
            if services.otp_check(user=user, code=code) is None:
                raise serializers.ValidationError(
                    {
                        "otp": [
                            _("动态验证码不正确或已过期，请输入验证器上当前显示的数字；多次输错需稍等再试。")
                        ]
                    }
                )
        attrs["user"] = user
        return attrs


class Locked(serializers.ValidationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self):
        super().__init__({"non_field_errors": [security.lockout_message()]}, code="locked")


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True,
        help_text=_("之后的请求在请求头中带上 Authorization: Token <token>。令牌只在此时显示一次。"),
    )
    id = serializers.UUIDField(read_only=True, help_text=_("令牌的编号，用于列出和撤销。"))
    expiry = serializers.DateTimeField(read_only=True, allow_null=True, help_text=_("到期时间。"))


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text=_("是否为本次请求使用的令牌。"))

    class Meta:
        model = ApiToken
        fields = ["id", "created", "expiry", "current"]
        read_only_fields = fields

    def get_current(self, token: ApiToken) -> bool:
        auth = getattr(self.context.get("request"), "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class RevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(read_only=True, help_text=_("撤销的令牌数。"))


class ObtainToken(APIView):
    """Username, password and, for the roles that need it, a two-factor code, for an expiring token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"
    serializer_class = SignInSerializer

    def get_serializer(self, *args, **kwargs):
        return SignInSerializer(*args, context={"request": self.request}, **kwargs)

    @extend_schema(
        summary="Sign in with a username and password (and a two-factor code), get an API token",
        request=SignInSerializer,
        responses={
            200: IssuedTokenSerializer,
            400: OpenApiResponse(
                description="Wrong username or password, or the account is disabled (`non_field_errors`); "
                "a field left out (`username`, `password`); a two-factor code missing or wrong for a county, "
                "bureau or administrator account (`otp`); too many tokens held (`non_field_errors`)."
            ),
            429: OpenApiResponse(
                description="Too many failed sign-ins: the account is locked for a while "
                "(`non_field_errors` says for how long and whom to ask), or too many requests."
            ),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token, secret = services.token_issue(user=serializer.validated_data["user"])
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        return Response({"token": secret, "id": token.pk, "expiry": token.expiry})


@extend_schema_view(
    list=extend_schema(
        summary="Your API tokens that have not expired (never the tokens themselves)",
        tags=["auth"],
    ),
    destroy=extend_schema(
        summary="Revoke one of your API tokens",
        responses={204: None, 404: OpenApiResponse(description="No such token of yours.")},
        tags=["auth"],
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = ApiTokenSerializer
    pagination_class = None
    queryset = ApiToken.objects.none()  # for the schema; get_queryset gives the user's own

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return services.tokens_of(user=self.request.user)

    def perform_destroy(self, instance: ApiToken) -> None:
        services.token_revoke(actor=self.request.user, token_id=instance.pk)

    @extend_schema(
        summary="Revoke all your API tokens (this one included)",
        request=None,
        responses={200: RevokedSerializer},
        tags=["auth"],
    )
    @action(detail=False, methods=["post"], url_path="revoke-all")
    def revoke_all(self, request):
        return Response({"revoked": services.tokens_revoke_all(user=request.user)})
