"""Keeps a signed-in user who still owes a two-factor code away from everything but the code pages.

Runs after django-otp's ``OTPMiddleware``, which marks the user verified when the session carries a
device. Token requests to the API are not affected: their user is known only inside the API view, and
the token endpoint asks for the code itself.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import security

# Reachable before the code is given: the code pages, signing out, the language switch, static files.
_OPEN_NAMES = ("accounts:otp-verify", "accounts:otp-setup", "logout", "set_language", "healthz")


def _open_paths() -> tuple[str, ...]:
    return tuple(reverse(name) for name in _OPEN_NAMES)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._verified(user):
            if not self._is_open(request.path) and security.session_needs_code(request, user):
                return self._refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def _verified(user) -> bool:
        is_verified = getattr(user, "is_verified", None)
        return bool(is_verified and is_verified())

    @staticmethod
    def _is_open(path: str) -> bool:
        from django.conf import settings

        return path in _open_paths() or path.startswith(settings.STATIC_URL)

    @staticmethod
    def _refuse(request, user):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("请先完成两步验证（输入动态验证码）再访问。")}, status=403)
        target = "accounts:otp-verify" if security.has_device(user) else "accounts:otp-setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` (which Django does not): the browser features pages may use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class UserLanguageMiddleware:
    """The pages of a signed-in user who chose a language (``User.language``, on the account page) are
    in that language, on every device, whatever the browser's cookie or Accept-Language say; the
    language switch at the top of the page changes that choice. Runs after ``AuthenticationMiddleware``
    (and inside ``LocaleMiddleware``, which has activated the cookie's or the browser's language and
    names the language in the response).

    The API is left to the client's Accept-Language, as its clients ask for what they can read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in and user.language and not request.path.startswith("/api/"):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if signed_in and request.method == "POST" and request.path == reverse("set_language"):
            chosen = request.POST.get("language", "")
            if chosen in dict(settings.LANGUAGES) and response.status_code in (302, 204):
                from .services import user_set_language

                user_set_language(user=user, language=chosen)
        return response


class GrantsReadOnceMiddleware:
    """A request that changes nothing (GET, HEAD) reads each user's grants once
    (``access.reading_once``), however many parts of its page ask."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        from . import access

        with access.reading_once():
            return self.get_response(request)
