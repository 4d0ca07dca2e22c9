"""Every rule about referrals: who may refer a child from a case and to whom, answering within a
deadline, the grant that accepting writes and closing or revoking ends, services delivered and the
closing report that goes back to the case. Views, the API and the demo call these functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu import versioning
from shouhu.accounts import access
from shouhu.accounts.models import Grant, GrantReason, User
from shouhu.cases.models import Case, CaseEvent, CaseStatus
from shouhu.escalation import services as escalation
from shouhu.escalation import texts
from shouhu.escalation.deadlines import deadline_of
from shouhu.escalation.models import Tier, WorkItem

from .models import OPEN_STATUSES, Provider, Referral, ReferralStatus, ServiceRecord, ServiceType

RESPOND_KIND = "referral.respond"
# The organisation answers within three days; missed, the child's township hears of it at once and
# the county two days later.
MAX_HOURS = Decimal("24")


def staff_of(provider_id) -> list[User]:
    """The organisation's staff: active users whose organisation it is, the longest-serving first."""
    return list(
        User.objects.filter(organisation_id=provider_id, is_active=True).order_by("date_joined", "username")
    )


def _timeline(referral: Referral, *, by, at: dt.datetime, words: dict) -> None:
    """A step of the referral on the case's timeline, at the case's current status, in the system's
    words as a code and parameters (``escalation.texts.stored``)."""
    case = referral.case
    CaseEvent.objects.create(
        case=case,
        at=at,
        by=by,
        status=case.status,
        text=words["text"],
        code=words["code"],
        params=words["params"],
    )


def _must_be_staff(actor, referral: Referral) -> None:
    if not access.is_provider_staff(actor, referral.provider_id):
        raise PermissionDenied(_("只有接收机构的工作人员可以办理该转介。"))


def _must_be(referral: Referral, *statuses: str, expected: int | None = None) -> None:
    if expected is not None and referral.version != expected:
        # The referral moved on since the version the user acted on: someone else answered it.
        raise versioning.Conflict(referral, _moved(referral))
    if referral.status not in statuses:
        raise ValidationError(
            {
                "status": [
                    _("该转介目前为“%(status)s”，不能办理此项。") % {"status": referral.get_status_display()}
                ]
            }
        )


def _move(referral: Referral, *, frm, to: str, expected: int | None = None, **fields) -> None:
    """Change the status of the referral as saved, read again and locked (``versioning.locked``): of
    two people answering at once, one wins and the other is told the referral has moved on
    (``versioning.Conflict``)."""
    current = versioning.locked(referral, expected=expected, seen_status=referral.status, message=_moved)
    if current.status not in frm:
        raise versioning.Conflict(current, _moved(current))
    current.status = to
    for name, value in fields.items():
        setattr(current, name, value)
    current.save(update_fields=["status", *fields])
    referral.status = to
    referral.version = current.version
    for name, value in fields.items():
        setattr(referral, name, value)


def _moved(referral: Referral) -> str:
    return _("该转介已被他人处理，目前为“%(status)s”。") % {"status": referral.get_status_display()}


def _required(errors: dict, field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(message)
    return value


def referral_create(
    *,
    actor,
    case: Case,
    provider: Provider,
    service: ServiceType,
    need: str,
    consent_by: str = "",
    consent_on: dt.date | None = None,
    legal_basis: str = "",
    now: dt.datetime | None = None,
) -> Referral:
    """Refer the case's child to an organisation for a service. Those who may change the child's file
    refer; the consent of the guardian or the child (with its date) or the legal basis is recorded; the
    organisation must offer the service and serve the child's area. Nothing is saved on a refusal."""
    now = now or timezone.now()
    child = case.child
    if not access.can_edit(actor, child):
        raise PermissionDenied(_("您无权转介该儿童。"))
    errors: dict[str, list[str]] = {}
    if case.status == CaseStatus.CLOSED:
        errors["case"] = [_("个案已结案，不能再转介。")]
    need = _required(errors, "need", need, _("请说明转介需求：儿童需要什么帮助。"))
    legal_basis = (legal_basis or "").strip()
    if not consent_by and not legal_basis:
        errors["consent_by"] = [_("须记录监护人或儿童的知情同意（及日期），或者转介的法律依据。")]
    if consent_by and consent_on is None:
        errors["consent_on"] = [_("请填写同意日期。")]
    if consent_on and consent_on > timezone.localdate(now):
        errors["consent_on"] = [_("同意日期不能晚于今天。")]
    if not service.active:
        errors.setdefault("service", []).append(_("“%(service)s”服务已停用。") % {"service": service.label})
    elif not provider.services.filter(pk=service.pk).exists():
        errors.setdefault("service", []).append(
            _("“%(org)s”不提供“%(service)s”服务。") % {"org": provider, "service": service.label}
        )
    if not provider.accepting:
        errors.setdefault("provider", []).append(_("“%(org)s”暂停接收转介。") % {"org": provider})
    elif not provider.serves(child.region_code):
        place = child.village.full_name if child.village_id else child.region_code
        errors.setdefault("provider", []).append(
            _("“%(org)s”的服务区域不包括%(place)s。") % {"org": provider, "place": place}
        )
    duplicate = _("该儿童已有转介至“%(org)s”的“%(service)s”服务尚未结束。") % {
        "org": provider,
        "service": service.label,
    }
    if Referral.objects.filter(
        child=child, provider=provider, service=service, status__in=OPEN_STATUSES
    ).exists():
        errors.setdefault("service", []).append(duplicate)
    if errors:
        raise ValidationError(errors)
    staff = staff_of(provider.pk)
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                case=case,
                child=child,
                region_code=child.region_code,
                provider=provider,
                service=service,
                need=need,
                consent_by=consent_by,
                consent_on=consent_on if consent_by else None,
                legal_basis=legal_basis,
                referred_by=actor,
                referred_at=now,
                due_at=now + deadline_of(RESPOND_KIND).answer,
            )
            # The item names neither the child nor the case: it is shown to the organisation's staff, who
            # may not know who the child is before they accept.
            referral.work_item = escalation.item_create(
                escalation.ItemSpec.timed(
                    key=f"referral:{referral.pk}",
                    kind=RESPOND_KIND,
                    made_at=now,
                    **texts.fields("referral.respond", org=str(provider), service=service.code),
                    region_code=child.region_code,
                    responsible_id=staff[0].pk if staff else None,
                    tier=Tier.VILLAGE,
                ),
                created_at=now,
            )
            referral.save(update_fields=["work_item"])
            _timeline(
                referral,
                by=actor,
                at=now,
                words=texts.stored("referral.sent", org=str(provider), service=service.code, need=need),
            )
    except IntegrityError as exc:  # the same referral submitted twice at once
        raise ValidationError({"service": [duplicate]}) from exc
    return referral


def _finish_item(referral: Referral, *, at: dt.datetime, cancel_note: dict | None = None) -> None:
    if not referral.work_item_id:
        return
    items = WorkItem.objects.filter(pk=referral.work_item_id)
    if cancel_note:
        escalation.items_cancel(items=items, note=cancel_note)
    else:
        escalation.items_complete(items=items, at=at)


def referral_accept(
    *,
    actor,
    referral: Referral,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Referral:
    """The organisation takes the child on. Each of its staff is granted the child (reason: referral)
    for as long as the referral stays open, so whoever of the team serves the child can open the file."""
    now = now or timezone.now()
    _must_be_staff(actor, referral)
    _must_be(referral, ReferralStatus.PENDING, expected=expected_version)
    with transaction.atomic():
        _move(
            referral,
            expected=expected_version,
            frm=(ReferralStatus.PENDING,),
            to=ReferralStatus.ACCEPTED,
            responded_by=actor,
            responded_at=now,
        )
        words = texts.stored("grant.referral", service=referral.service.code)
        grants = [
            Grant.objects.create(
                user=member,
                child_id=referral.child_id,
                reason=GrantReason.REFERRAL,
                note=words["text"][:200],
                note_code=words["code"],
                note_params=words["params"],
                starts_at=now,
                granted_by=referral.referred_by,
            )
            for member in staff_of(referral.provider_id)
        ]
        referral.grants.add(*grants)
        _finish_item(referral, at=now)
        _timeline(
            referral,
            by=actor,
            at=now,
            words=texts.stored("referral.accepted", org=str(referral.provider)),
        )
    return referral


def referral_decline(
    *,
    actor,
    referral: Referral,
    reason: str,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Referral:
    now = now or timezone.now()
    _must_be_staff(actor, referral)
    _must_be(referral, ReferralStatus.PENDING, expected=expected_version)
    errors: dict[str, list[str]] = {}
    reason = _required(errors, "reason", reason, _("拒绝转介须说明原因。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _move(
            referral,
            expected=expected_version,
            frm=(ReferralStatus.PENDING,),
            to=ReferralStatus.DECLINED,
            responded_by=actor,
            responded_at=now,
            decline_reason=reason[:300],
        )
        _finish_item(referral, at=now)
        _timeline(
            referral,
            by=actor,
            at=now,
            words=texts.stored("referral.declined", org=str(referral.provider), reason=reason),
        )
    return referral


def _end_grants(referral: Referral, at: dt.datetime) -> int:
    """End the referral's grants at once (``ends_at`` = now): the child closes to the organisation."""
    ids = referral.grants.values("pk")
    return (
        Grant.objects.filter(pk__in=ids)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .update(ends_at=at)
    )


def service_record(
    *,
    actor,
    referral: Referral,
    delivered_on: dt.date | None,
    description: str,
    hours,
    worker: str = "",
    outcome: str = "",
) -> ServiceRecord:
    """A service delivered, recorded by the organisation's staff while the referral is accepted, with
    what it achieved (``outcome``, optional)."""
    _must_be_staff(actor, referral)
    _must_be(referral, ReferralStatus.ACCEPTED)
    errors: dict[str, list[str]] = {}
    description = _required(errors, "description", description, _("请填写服务内容。"))
    worker = (worker or "").strip() or actor.full_name or actor.username
    if delivered_on is None:
        errors["delivered_on"] = [_("请填写服务日期。")]
    elif delivered_on > timezone.localdate():
        errors["delivered_on"] = [_("服务日期不能晚于今天。")]
    elif delivered_on < timezone.localdate(referral.referred_at):
        errors["delivered_on"] = [_("服务日期不能早于转介日期。")]
    try:
        hours = Decimal(str(hours)) if hours not in (None, "") else None
    except ArithmeticError:
        hours = None
    if hours is None or not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        errors["hours"] = [_("服务时长须大于 0、不超过 24 小时。")]
    if errors:
        raise ValidationError(errors)
    return ServiceRecord.objects.create(
        referral=referral,
        delivered_on=delivered_on,
        description=description[:500],
        worker=worker[:50],
        hours=hours.quantize(Decimal("0.1")),
        outcome=(outcome or "").strip()[:2000],
        recorded_by=actor,
    )


def referral_close(
    *,
    actor,
    referral: Referral,
    report: str,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Referral:
    """The organisation ends its service with a closing report, which goes to the case's timeline; its
    staff stop seeing the child at once."""
    now = now or timezone.now()
    _must_be_staff(actor, referral)
    _must_be(referral, ReferralStatus.ACCEPTED, expected=expected_version)
    errors: dict[str, list[str]] = {}
    report = _required(errors, "report", report, _("结束转介须填写结案报告。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _move(
            referral,
            expected=expected_version,
            frm=(ReferralStatus.ACCEPTED,),
            to=ReferralStatus.CLOSED,
            ended_by=actor,
            ended_at=now,
            closing_report=report,
        )
        _end_grants(referral, now)
        records = list(referral.records.all())
        hours = sum((r.hours for r in records), Decimal("0"))
        _timeline(
            referral,
            by=actor,
            at=now,
            words=texts.stored(
                "referral.closed",
                org=str(referral.provider),
                service=referral.service.code,
                count=len(records),
                hours=str(hours),
                report=report,
            ),
        )
    return referral


def referral_revoke(
    *,
    actor,
    referral: Referral,
    reason: str,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Referral:
    """Those who may change the child's file withdraw a pending or accepted referral, with a reason; the
    organisation's staff stop seeing the child at once."""
    now = now or timezone.now()
    if not access.can_edit(actor, referral.child):
        raise PermissionDenied(_("您无权撤回该转介。"))
    _must_be(referral, *OPEN_STATUSES, expected=expected_version)
    errors: dict[str, list[str]] = {}
    reason = _required(errors, "reason", reason, _("撤回转介须说明原因。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _move(
            referral,
            expected=expected_version,
            frm=OPEN_STATUSES,
            to=ReferralStatus.REVOKED,
            ended_by=actor,
            ended_at=now,
            revoke_reason=reason[:300],
        )
        _end_grants(referral, now)
        revoked = texts.stored("referral.revoked", org=str(referral.provider), reason=reason)
        _finish_item(referral, at=now, cancel_note=revoked)
        _timeline(referral, by=actor, at=now, words=revoked)
    return referral


__all__ = [
    "RESPOND_KIND",
    "staff_of",
    "referral_create",
    "referral_accept",
    "referral_decline",
    "service_record",
    "referral_close",
    "referral_revoke",
]
