"""Account pages: the two-factor steps after the password, the user's own account page (devices,
API tokens, language, sign out everywhere), and the sign-in page shown to a locked-out account. Thin: the work
is in ``services``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import security, services
from .forms import CodeForm, LanguageForm
from .models import ApiToken


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "home"


@login_required
def otp_verify(request):
    """The second step of signing in: a code from the authenticator app."""
    user = request.user
    if not security.has_device(user):
        return redirect("accounts:otp-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.otp_check(user=user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _("验证码不正确或已过期。请核对手机时间后输入验证器上当前显示的数字；多次输错需稍等再试。"),
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def otp_setup(request):
    """Setting up an authenticator: required for county, bureau and administrator accounts."""
    user = request.user
    if security.has_device(user) and not user.is_verified():
        return redirect("accounts:otp-verify")  # a new device needs the code of the current one first
    device = services.otp_device_pending(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.otp_device_confirm(user=user, device=device, code=form.cleaned_data["code"]):
            otp_login(request, device)
            messages.success(request, _("两步验证已设置。以后每次登录都需要输入验证器上的动态验证码。"))
            return redirect(_next_url(request))
        form.add_error("code", _("验证码不正确。请确认已在验证器中添加了上面的密钥，再输入当前显示的数字。"))
    uri = security.totp_uri(device)
    context = {
        "form": form,
        "next": _next_url(request),
        "required": security.requires_2fa(user),
        "uri": uri,
        "secret": security.totp_secret_base32(device),
        "qr": security.qr_svg(uri),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def account(request):
    """The user's own account: two-factor sign-in, API tokens, signing out everywhere."""
    user = request.user
    context = {
        "has_device": security.has_device(user),
        "requires_2fa": security.requires_2fa(user),
        "tokens": services.tokens_of(user=user),
        "language_form": LanguageForm(initial={"language": user.language or translation.get_language()}),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def language(request):
    """The user's own language: kept on the account, used for the pages from the next one on and for the
    messages the user is sent; the cookie follows, so the sign-in page after signing out keeps it."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择一种语言。"))
        return redirect("accounts:account")
    chosen = form.cleaned_data["language"]
    services.user_set_language(user=request.user, language=chosen)
    with translation.override(chosen):
        messages.success(request, _("语言已保存。"))
    response = redirect("accounts:account")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        chosen,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@login_required
@require_POST
def sign_out_everywhere(request):
    services.sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, _("已在所有设备上退出登录，所有 API 令牌均已撤销。"))
    return redirect("login")


@login_required
@require_POST
def token_revoke(request):
    try:
        services.token_revoke(actor=request.user, token_id=request.POST.get("token", ""))
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("令牌已撤销。"))
    return redirect("accounts:account")


@login_required
@require_POST
def tokens_revoke_all(request):
    n = services.tokens_revoke_all(user=request.user)
    messages.success(request, _("已撤销 %(n)d 个 API 令牌。") % {"n": n})
    return redirect("accounts:account")


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers once an account is locked: the sign-in page (or, for the API, JSON)
    saying so and whom to ask."""
    message = security.lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"non_field_errors": [message]}, status=429)
    from shouhu.web.forms import SignInForm

    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = SignInForm(request, initial={"username": username})
    return render(request, "web/login.html", {"form": form, "locked": message}, status=429)
