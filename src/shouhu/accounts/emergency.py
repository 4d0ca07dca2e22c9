"""Break the glass (紧急调阅): opening a child's file outside one's jurisdiction, for a limited time.

A worker who needs a file they do not work — a child who moved from another township, an emergency
at night — enters the child's whole ID number (found through the keyed hash, never a partial match)
and states why. They get a ``Grant`` with reason ``break_glass`` for ``settings.BREAK_GLASS_HOURS``
(3 hours by default), which ``access.tiers_for`` reads as every tier of the file while it lasts; after
it ends the file answers "not found" again. The township supervisors and the county staff of the
child's area are told at once (in-app notifications on a review work item), and every opening is
written to the access log as ``break_glass``, so that it stands out. The worker ends an opening as
soon as the work is done (``glass_close``); that too is written to the log.

Only people with a territory of their own may break the glass (directors, supervisors, county
staff, civil-affairs officials, administrators); mentors, social workers, teachers and health
workers reach children only through grants that others give them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import access
from .models import Grant, GrantReason

REVIEW_KIND = "break_glass.review"
MIN_REASON = 10
MAX_REASON = 200  # Grant.note


def may_break_glass(user) -> bool:
    return bool(user.is_authenticated and user.is_active and access.territory_code(user))


def glass_break(*, actor, id_number: str, reason: str, now: dt.datetime | None = None):
    """Open the file of the child with this ID number for ``actor``. Returns ``(child, grant)``;
    ``grant`` is None when the child is already within the actor's jurisdiction (nothing to open)."""
    from shouhu.children import idnumber
    from shouhu.children.models import Child

    if not may_break_glass(actor):
        raise PermissionDenied(
            _("只有有管辖区域的工作人员可以紧急调阅档案；志愿者、社工等请联系儿童所在地的儿童主任。")
        )
    errors: dict[str, list[str]] = {}
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        errors["reason"] = [
            _("请写明紧急调阅的原因（至少%(n)d个字），例如儿童从外地迁入、正处于危险中。") % {"n": MIN_REASON}
        ]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [_("原因请控制在%(n)d个字以内。") % {"n": MAX_REASON}]
    child = None
    try:
        number = idnumber.validate(id_number or "")
    except idnumber.InvalidIdNumber as exc:
        errors["id_number"] = [str(exc)]
    else:
        child = Child.objects.filter(id_number=number).first()
        if child is None:
            errors["id_number"] = [
                _("没有找到该身份证号码的儿童。请核对号码；儿童尚未登记的，请按新登记办理。")
            ]
    if errors:
        raise ValidationError(errors)
    if access.can_view(actor, child) and access.tiers_for(actor, child).everything:
        return child, None
    now = now or timezone.now()
    ends = now + dt.timedelta(hours=settings.BREAK_GLASS_HOURS)
    with transaction.atomic():
        grant = Grant.objects.create(
            user=actor,
            child=child,
            reason=GrantReason.BREAK_GLASS,
            note=reason,
            starts_at=now,
            ends_at=ends,
            granted_by=actor,
        )
        _notify(actor=actor, child=child, grant=grant, now=now)
    return child, grant


def _notify(*, actor, child, grant: Grant, now: dt.datetime) -> None:
    """A review item for the child's township, and an in-app notice to its supervisors and the
    county staff at once."""
    from shouhu.escalation import services as escalation
    from shouhu.escalation import texts
    from shouhu.escalation.models import Channel, Delivery, Notification, Tier

    who = actor.full_name or actor.username
    words = texts.fields("emergency.review", who=who, child=child.name)
    told = texts.stored(
        "notice.emergency", who=who, child=child.name, reason=grant.note, until=grant.ends_at.isoformat()
    )
    item = escalation.item_create(
        escalation.ItemSpec.timed(
            key=f"break_glass:{grant.pk}",
            kind=REVIEW_KIND,
            made_at=now,
            **words,
            child_id=child.pk,
            region_code=child.region_code,
            tier=Tier.TOWNSHIP,
        ),
        note=grant.note[:300],
    )
    notes = [
        Notification(
            user=user,
            item=item,
            tier=tier,
            channel=Channel.IN_APP,
            message=told["text"][:500],
            code=told["code"],
            params=told["params"],
            status=Delivery.SENT,
            sent_at=timezone.now(),
        )
        for tier in (Tier.TOWNSHIP, Tier.COUNTY)
        for user in escalation.recipients(tier, child.region_code)
        if user.pk != actor.pk
    ]
    Notification.objects.bulk_create(notes, ignore_conflicts=True)


def opened_until(user, child, at: dt.datetime | None = None) -> dt.datetime | None:
    """When the user's emergency opening of the child's file ends (None if there is none now)."""
    return (
        Grant.objects.active(at)
        .filter(user_id=user.pk, child_id=child.pk, reason=GrantReason.BREAK_GLASS)
        .aggregate(until=Max("ends_at"))["until"]
    )


def openings_of(user, at: dt.datetime | None = None):
    """The user's emergency openings in force now, the latest ending first, with their children."""
    return (
        Grant.objects.active(at)
        .filter(user_id=user.pk, reason=GrantReason.BREAK_GLASS)
        .select_related("child")
        .order_by("-ends_at", "-starts_at")
    )


def glass_close(*, actor, grant_id, now: dt.datetime | None = None) -> Grant:
    """End one of the actor's own openings now: the file answers "not found" again at once.

    Someone else's opening, an ended one or an unknown id are all ``Grant.DoesNotExist`` (as missing
    as each other: nobody learns of another person's openings)."""
    now = now or timezone.now()
    try:
        grant = openings_of(actor, now).get(pk=grant_id)
    except (Grant.DoesNotExist, ValidationError, ValueError) as exc:
        raise Grant.DoesNotExist from exc
    grant.ends_at = now
    grant.save(update_fields=["ends_at"])
    return grant


def closing_note(grant: Grant) -> str:
    """What the access log says of an opening ended early (stored text: the registry's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("结束紧急调阅（原因：%(reason)s）") % {"reason": grant.note}
