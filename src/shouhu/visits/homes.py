"""Children's homes (儿童之家): activity sessions, and the weekly check that each home held one.

Source: Lixin (seed 002) holds activities at every village's children's home at least once a week.
A home without a session in a calendar week (Monday–Sunday) becomes a work item that goes straight
to the township supervisor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.accounts import access
from shouhu.escalation import services as escalation
from shouhu.escalation import texts
from shouhu.escalation.models import Tier, WorkItem
from shouhu.regions.codes import Level, is_within, township_of
from shouhu.regions.models import Region

from .models import ActivitySession, ChildrensHome
from .rules import end_of_day

HOME_SESSION = "home.session"


def home_create(*, actor, village_id: str, **fields) -> ChildrensHome:
    """Register a village's children's home: territorial editing roles, in their own villages."""
    if not access.can_create_children(actor):  # the same people: territorial editing roles
        raise PermissionDenied(_("您没有登记儿童之家的权限。"))
    errors: dict[str, list[str]] = {}
    village = Region.objects.filter(code=village_id, level=Level.VILLAGE).first()
    if village is None:
        errors["village"] = [_("没有代码为 %(code)s 的村/社区，请检查代码。") % {"code": village_id}]
    elif not access.can_register_in(actor, village_id):
        errors["village"] = [_("该村/社区不在您的管辖范围内。")]
    elif ChildrensHome.objects.filter(village_id=village_id).exists():
        errors["village"] = [_("该村/社区已登记儿童之家。")]
    home = ChildrensHome(village=village, **fields)
    try:
        home.full_clean(exclude=["village"], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        home.save()
    return home


def session_record(
    *, actor, home: ChildrensHome, data: dict[str, Any], attendees=(), idempotency_key: str | None = None
) -> tuple[ActivitySession, bool]:
    if idempotency_key:
        existing = ActivitySession.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    if not access.can_register_in(actor, home.village_id):
        raise PermissionDenied(_("您不能为该儿童之家登记活动。"))
    session = ActivitySession(home=home, recorded_by=actor, idempotency_key=idempotency_key or None, **data)
    errors = {}
    try:
        session.full_clean(exclude=["home", "recorded_by", "idempotency_key"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if session.held_on and session.held_on > timezone.localdate():
        errors.setdefault("held_on", []).append(_("活动日期不能晚于今天。"))
    attendees = list(attendees)
    outside = [c for c in attendees if not is_within(c.region_code, township_of(home.village_id))]
    if outside:
        errors.setdefault("attendees", []).append(_("参加儿童须为本乡镇登记儿童。"))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            session.attendee_count = max(session.attendee_count, len(attendees))
            session.save()
            session.attendees.set(attendees)
    except IntegrityError:
        existing = ActivitySession.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    escalation.items_complete(
        items=WorkItem.objects.filter(kind=HOME_SESSION, key=week_key(home, session.held_on))
    )
    return session, True


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def week_key(home: ChildrensHome, day: dt.date) -> str:
    return f"home:{home.pk}:{week_of(day)[0].isoformat()}"


def homes_check(*, on: dt.date | None = None) -> int:
    """Flag every home that held no session in the last full week before ``on``."""
    on = on or timezone.localdate()
    monday, sunday = week_of(on - dt.timedelta(days=7))
    quiet = ChildrensHome.objects.exclude(sessions__held_on__range=(monday, sunday)).select_related("village")
    specs = [
        escalation.ItemSpec.timed(
            key=week_key(home, monday),
            kind=HOME_SESSION,
            made_at=timezone.now(),
            **texts.fields("home.session", home=home.name, week=monday.isoformat()),
            region_code=home.village_id,
            due_at=end_of_day(sunday),
            period_start=monday,
            period_end=sunday,
            tier=Tier.VILLAGE,
        )
        for home in quiet
    ]
    return escalation.items_ensure(specs)
