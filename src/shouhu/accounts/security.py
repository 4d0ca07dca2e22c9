"""Account security rules: who must use two-factor sign-in, what a lock-out says, and how a user's
sessions are tied to a secret that "sign out everywhere" changes.

Two-factor sign-in (TOTP, django-otp) is required of the roles that see a whole county's children
(issue 6, "Accounts"): the county guidance centre, the civil-affairs bureau and administrators.
Anyone else may set it up; once a user has a confirmed device, every sign-in asks for a code.
"""

from __future__ import annotations

import base64
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Role

if TYPE_CHECKING:
    from .models import User

#: THE roles that must sign in with a second factor, on the web and on the API token endpoint.
TWO_FACTOR_ROLES = frozenset({Role.COUNTY_STAFF, Role.CIVIL_AFFAIRS, Role.ADMIN})

#: The issuer shown in authenticator apps next to the username.
OTP_ISSUER = "Shouhu"


def requires_2fa(user: User) -> bool:
    """Whether the user's role obliges them to use two-factor sign-in (superusers always do)."""
    return bool(user.is_authenticated and (user.role in TWO_FACTOR_ROLES or user.is_superuser))


def confirmed_devices(user: User):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True)


def has_device(user: User) -> bool:
    return bool(user.is_authenticated and confirmed_devices(user).exists())


def needs_code(user: User) -> bool:
    """Whether signing in asks this user for a code: a required role, or a device set up by choice."""
    return requires_2fa(user) or has_device(user)


#: Session key: whether this session's user had a device when signing in (saves a query per request).
SESSION_HAS_DEVICE = "shouhu_has_otp_device"


def session_needs_code(request, user: User) -> bool:
    """``needs_code`` for the signed-in user of ``request``, the device lookup done once per session."""
    if requires_2fa(user):
        return True
    flag = request.session.get(SESSION_HAS_DEVICE)
    if flag is None:
        flag = request.session[SESSION_HAS_DEVICE] = has_device(user)
    return bool(flag)


def new_session_secret() -> str:
    return secrets.token_hex(16)


def lockout_message() -> str:
    """What a locked-out user reads, on the sign-in page and from the API token endpoint."""
    from axes.helpers import get_cool_off

    minutes = int(get_cool_off().total_seconds() // 60)
    return _(
        "该账号因连续 %(limit)d 次登录失败已被暂时锁定，请 %(minutes)d 分钟后再试；"
        "如需立即解锁，请联系县儿童福利指导中心的系统管理员。"
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}


def totp_secret_base32(device) -> str:
    """The device's key as the base32 text authenticator apps accept for manual entry."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_uri(device) -> str:
    """The ``otpauth://`` URI of a TOTP device, with the project's issuer."""
    from urllib.parse import quote, urlencode

    params = {
        "secret": totp_secret_base32(device),
        "issuer": OTP_ISSUER,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    label = quote(f"{OTP_ISSUER}:{device.user.get_username()}")
    return f"otpauth://totp/{label}?{urlencode(params)}"


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as inline SVG markup, drawn on the server (no script, no inline style)."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
