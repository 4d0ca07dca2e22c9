"""Every change to accounts: API tokens, two-factor devices, signing out everywhere, unlocking after a
lock-out, and closing the account of someone who left their post (with the hand-over of their work)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.regions.codes import county_of

from . import access, security
from .models import AccountDeactivation, ApiToken, Grant, GrantReason, Role, User, WelfareWorker

# --- API tokens -------------------------------------------------------------------------------------


def tokens_of(*, user: User):
    """The user's tokens that have not expired, newest first (expired ones are not shown: they are dead)."""
    now = timezone.now()
    return ApiToken.objects.filter(user=user).exclude(expiry__lte=now).order_by("-created")


def token_issue(*, user: User) -> tuple[ApiToken, str]:
    """A new token for ``user``: returns the record and the secret, which is shown this once only."""
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    limit = settings.REST_KNOX.get("TOKEN_LIMIT_PER_USER")
    if limit and ApiToken.objects.filter(user=user).count() >= limit:
        raise ValidationError(
            _("您已有 %(n)d 个有效的 API 令牌，达到上限。请先撤销不再使用的令牌，再申请新令牌。")
            % {"n": limit}
        )
    return ApiToken.objects.create(user=user)


def token_revoke(*, actor: User, token_id) -> None:
    """Revoke one of the actor's own tokens; an administrator may revoke anyone's."""
    try:
        token = ApiToken.objects.get(pk=token_id)
    except (ApiToken.DoesNotExist, ValidationError, ValueError) as exc:
        raise ApiToken.DoesNotExist from exc
    if token.user_id != actor.pk and not (actor.is_superuser or actor.role == Role.ADMIN):
        raise ApiToken.DoesNotExist  # another user's token: as missing as an absent one
    token.delete()


def tokens_revoke_all(*, user: User) -> int:
    deleted, _per_model = ApiToken.objects.filter(user=user).delete()
    return deleted


# --- sessions ---------------------------------------------------------------------------------------


def user_set_language(*, user: User, language: str) -> User:
    """The language a person reads the pages in and is written to in (text messages, e-mail)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": [_("请选择一种语言。")]})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def sign_out_everywhere(*, user: User) -> int:
    """End every session of ``user`` (the session hash changes) and revoke all their API tokens."""
    with transaction.atomic():
        user.session_secret = security.new_session_secret()
        user.save(update_fields=["session_secret"])
        return tokens_revoke_all(user=user)


# --- two-factor devices -----------------------------------------------------------------------------


def otp_device_pending(*, user: User):
    """The device being set up: an unconfirmed TOTP device, made once and shown until confirmed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("验证器"), confirmed=False)
    return device


def otp_device_confirm(*, user: User, device, code: str) -> bool:
    """Confirm a pending device with a code from the app; it replaces any earlier device."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token(code.strip()):
        return False
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def otp_devices_of(*, user: User):
    """The user's two-factor devices: the confirmed one in use and any being set up, oldest first."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user).order_by("created_at", "id")


def _prove_device(*, user: User, code: str, verified: bool) -> None:
    """A user with a confirmed device proves they hold it before changing their devices: a session
    already verified with it, or a current code from it (the same rule as the set-up page)."""
    if verified or not security.has_device(user):
        return
    if not (code or "").strip():
        raise ValidationError(
            {"otp": [_("您已设置了验证器：请在 otp 字段填写现有验证器上当前显示的 6 位动态验证码。")]}
        )
    if otp_check(user=user, code=code) is None:
        raise ValidationError(
            {"otp": [_("动态验证码不正确或已过期，请输入现有验证器上当前显示的数字；多次输错需稍等再试。")]}
        )


def otp_device_start(*, user: User, code: str = "", verified: bool = False):
    """Start setting up a device (``otp_device_pending``), once the user has proved they hold the
    current one, if any. Confirming the new device replaces the old one."""
    _prove_device(user=user, code=code, verified=verified)
    return otp_device_pending(user=user)


def otp_device_remove(*, user: User, device_id, code: str = "", verified: bool = False) -> None:
    """Remove one of the user's devices. A device being set up goes freely; the confirmed one needs
    its code, and cannot go at all for the roles that must use two-factor sign-in (they replace it by
    setting up a new one). Another user's device, or none, is ``TOTPDevice.DoesNotExist``."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    try:
        device = otp_devices_of(user=user).get(pk=device_id)
    except (TOTPDevice.DoesNotExist, ValueError, TypeError) as exc:
        raise TOTPDevice.DoesNotExist from exc
    if device.confirmed:
        if security.requires_2fa(user):
            raise PermissionDenied(
                _("您的岗位必须使用两步验证，不能移除验证器。换手机时请设置新的验证器，确认后会替换旧的。")
            )
        _prove_device(user=user, code=code, verified=verified)
    device.delete()


def otp_check(*, user: User, code: str):
    """The confirmed device that accepts ``code``, or None. django-otp slows repeated wrong codes."""
    code = (code or "").strip()
    if not code:
        return None
    for device in security.confirmed_devices(user):
        if device.verify_token(code):
            return device
    return None


# --- lock-out ---------------------------------------------------------------------------------------


def account_unlock(*, username: str) -> int:
    """Clear the failed sign-ins recorded for ``username`` (every address): the lock-out ends now."""
    from axes.utils import reset

    return reset(username=username)


# --- leaving a post ---------------------------------------------------------------------------------


def can_deactivate(actor: User, user: User) -> bool:
    """An administrator, or county staff of the county the account works in, may close an account.

    Where the account works: its region; else its organisation's; else (a volunteer mentor) the
    household of a child granted to it."""
    if not actor.is_active or actor.pk == user.pk:
        return False
    if actor.is_superuser:
        return True
    if actor.role not in (Role.ADMIN, Role.COUNTY_STAFF):
        return False
    code = (
        user.region_id
        or (user.organisation.region_id if user.organisation_id else None)
        or Grant.objects.filter(user=user).values_list("child__region_code", flat=True).first()
    )
    if not code:
        return actor.role == Role.ADMIN
    return access.can_configure_county(actor, county_of(code))


def account_deactivate(
    *, actor: User, user: User, successor: User | None, reason: str
) -> AccountDeactivation:
    """Close the account of someone who left their post; nothing of theirs is deleted.

    The account can no longer sign in, its sessions and tokens die, its child-director or supervisor
    post ends today, its open work items go to ``successor`` and its active grants are re-made for the
    successor (the old ones end now). Who did it and why is recorded.
    """
    from shouhu.escalation import texts
    from shouhu.escalation.models import Status, WorkItem
    from shouhu.escalation.services import grant_note

    if not can_deactivate(actor, user):
        raise PermissionDenied(_("只有系统管理员或该账号所在县的儿童福利指导中心工作人员可以停用账号。"))
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("请填写停用原因（例如：调离岗位、退休）。")]
    if not user.is_active:
        errors["user"] = [_("该账号已经停用。")]
    now = timezone.now()
    items = WorkItem.objects.filter(responsible=user, status=Status.OPEN)
    grants = Grant.objects.active(now).filter(user=user)
    if successor is not None and (successor.pk == user.pk or not successor.is_active):
        errors["successor"] = [_("接替人须是另一个在用的账号。")]
    elif successor is None and (items.exists() or grants.exists()):
        errors["successor"] = [_("该账号还有未完成的督办事项或儿童授权，请指定接替人。")]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        moved_items = list(items.select_for_update())
        for item in moved_items:
            item.responsible = successor
            item.save(update_fields=["responsible"])
            if item.child_id and not access.in_territory(successor, item.region_code):
                Grant.objects.create(
                    user=successor,
                    child_id=item.child_id,
                    reason=GrantReason.ASSIGNMENT,
                    **grant_note(item),
                    ends_at=max(item.county_at, now),
                    granted_by=actor,
                )
        moved_grants = list(grants.select_for_update())
        for grant in moved_grants:
            words = (
                texts.stored(
                    "grant.handed_over_note",
                    name=str(user),
                    note=texts.nested(grant.note_code, grant.note_params, grant.note),
                )
                if grant.note
                else texts.stored("grant.handed_over", name=str(user))
            )
            Grant.objects.create(
                user=successor,
                child_id=grant.child_id,
                reason=grant.reason,
                note=words["text"][:200],
                note_code=words["code"],
                note_params=words["params"],
                ends_at=grant.ends_at,
                granted_by=actor,
            )
        Grant.objects.filter(pk__in=[g.pk for g in moved_grants]).update(ends_at=now)
        posts = WelfareWorker.objects.filter(user=user, ended_on__isnull=True).update(
            ended_on=timezone.localdate(now)
        )
        user.is_active = False
        user.save(update_fields=["is_active"])  # the signal ends sessions and revokes tokens
        return AccountDeactivation.objects.create(
            user=user,
            actor=actor,
            successor=successor,
            reason=reason[:300],
            at=now,
            items_moved=len(moved_items),
            grants_moved=len(moved_grants),
            posts_ended=posts,
        )


def end_credentials(user: User) -> None:
    """End the sessions and tokens of an account that stops being active (from the ``pre_save`` signal,
    so that unticking "active" in the admin site does the same as ``account_deactivate``)."""
    user.session_secret = security.new_session_secret()
    User.objects.filter(pk=user.pk).update(session_secret=user.session_secret)
    ApiToken.objects.filter(user_id=user.pk).delete()
