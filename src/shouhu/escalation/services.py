"""Making, completing and escalating work items, and notifying the people at each tier.

Jobs call ``escalate`` at least hourly; it is idempotent (tiers only move up, and a notification is
unique per item, person, tier and channel), so running it twice, or after an interruption, sends
nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouhu.accounts.models import Role, User
from shouhu.regions.signals import places_touched

from .models import Channel, Notification, Status, Tier, WorkItem
from .senders import sms_sender


@dataclass(frozen=True)
class ItemSpec:
    key: str
    kind: str
    title: str
    region_code: str
    due_at: dt.datetime
    township_after: dt.timedelta
    county_after: dt.timedelta
    child_id: object | None = None
    responsible_id: object | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    tier: int = Tier.VILLAGE
    bureau_after: dt.timedelta | None = None

    def build(self) -> WorkItem:
        return WorkItem(
            key=self.key,
            kind=self.kind,
            title=self.title,
            region_code=self.region_code,
            child_id=self.child_id,
            responsible_id=self.responsible_id,
            period_start=self.period_start,
            period_end=self.period_end,
            due_at=self.due_at,
            township_at=self.due_at + self.township_after,
            county_at=self.due_at + self.county_after,
            bureau_at=None if self.bureau_after is None else self.due_at + self.bureau_after,
            tier=self.tier,
        )


def items_ensure(specs: Iterable[ItemSpec], *, batch_size: int = 2000) -> int:
    """Create the items that do not exist yet (by key); existing ones, reassigned or done, are kept."""
    specs = list(specs)
    existing = set()
    keys = [s.key for s in specs]
    for i in range(0, len(keys), 5000):
        existing.update(WorkItem.objects.filter(key__in=keys[i : i + 5000]).values_list("key", flat=True))
    new = [s.build() for s in specs if s.key not in existing]
    WorkItem.objects.bulk_create(new, batch_size=batch_size, ignore_conflicts=True)
    places_touched(item.region_code for item in new)
    return len(new)


def _close(items, **values) -> int:
    """Close the open ones of ``items``, saying which places' figures changed. The query that finds
    them (for visits, a test of the visits recorded) runs once; the update names the items by key."""
    rows = list(items.filter(status=Status.OPEN).order_by().values_list("pk", "region_code"))
    closed = 0
    for i in range(0, len(rows), 5000):
        keys = [pk for pk, _code in rows[i : i + 5000]]
        closed += WorkItem.objects.filter(pk__in=keys, status=Status.OPEN).update(**values)
    if closed:
        places_touched(code for _pk, code in rows)
    return closed


def items_complete(*, items, at: dt.datetime | None = None) -> int:
    return _close(items, status=Status.DONE, done_at=at or timezone.now())


def items_cancel(*, items, note: str) -> int:
    return _close(items, status=Status.CANCELLED, note=note[:300])


def item_reassign(*, actor, item: WorkItem, to: User) -> WorkItem:
    """A supervisor hands an item to another worker of the same township (a director who is ill).

    When the new person's own territory does not cover the child (a neighbouring village's director),
    an assignment grant lets them see the child and record the visit until the item would reach the
    county.
    """
    from django.core.exceptions import ValidationError

    from shouhu.accounts import access
    from shouhu.accounts.models import Grant, GrantReason

    if not access.can_manage_work(actor, item.region_code):
        raise PermissionError(_("您无权改派该事项。"))
    township = item.region_code[:9]
    code = access.territory_code(to)
    if not (code and (item.region_code.startswith(code) or code.startswith(township))):
        raise ValidationError({"responsible": [_("改派对象须是本乡镇的儿童主任或督导员。")]})
    with transaction.atomic():
        item.responsible = to
        item.save(update_fields=["responsible"])
        if item.child_id and not item.region_code.startswith(code):
            Grant.objects.create(
                user=to,
                child_id=item.child_id,
                reason=GrantReason.ASSIGNMENT,
                note=item.title[:200],
                ends_at=max(item.county_at, timezone.now()),
                granted_by=actor,
            )
    return item


def _answering_region(tier: int, region_code: str) -> str | None:
    """The region whose people answer for ``region_code`` at ``tier``: its township, its county (the
    county's civil-affairs bureau sits at the county too)."""
    return {Tier.TOWNSHIP: region_code[:9], Tier.COUNTY: region_code[:6], Tier.BUREAU: region_code[:6]}.get(
        tier
    )


def recipients(tier: int, region_code: str) -> list[User]:
    """Who answers for a region at a tier: the township's supervisors, the county's centre staff, the
    county's civil-affairs bureau."""
    role = {
        Tier.TOWNSHIP: Role.TOWNSHIP_SUPERVISOR,
        Tier.COUNTY: Role.COUNTY_STAFF,
        Tier.BUREAU: Role.CIVIL_AFFAIRS,
    }.get(tier)
    if role is None:
        return []
    region = _answering_region(tier, region_code)
    return list(User.objects.filter(is_active=True, role=role, region_id=region))


def _message(item: WorkItem, tier: int, now: dt.datetime) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # stored, then sent: the registry's language
        return _message_text(item, tier, now)


def _message_text(item: WorkItem, tier: int, now: dt.datetime) -> str:
    level = Tier(tier).label
    if item.due_at > now:  # an urgent item the tier hears of at once, before its deadline
        return _("【督办·%(level)s】%(title)s，截止 %(due)s") % {
            "level": level,
            "title": item.title,
            "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
        }
    return _("【逾期督办·%(level)s】%(title)s，截止 %(due)s") % {
        "level": level,
        "title": item.title,
        "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
    }


def escalate(*, now: dt.datetime | None = None, items=None) -> dict[str, int]:
    """Move missed items up a tier and notify the people there. Safe to re-run at any time.
    ``items`` narrows it to some items (an urgent alert that must reach the township at once)."""
    now = now or timezone.now()
    moved = {Tier.TOWNSHIP: 0, Tier.COUNTY: 0, Tier.BUREAU: 0}
    with transaction.atomic():
        open_items = (WorkItem.objects.all() if items is None else items).filter(status=Status.OPEN)
        # Highest tier first: an item past several of its times goes straight to the highest one.
        reached: dict[int, list] = {}
        claimed: set = set()
        for tier, field in (
            (Tier.BUREAU, "bureau_at"),
            (Tier.COUNTY, "county_at"),
            (Tier.TOWNSHIP, "township_at"),
        ):
            pks = open_items.filter(tier__lt=tier, **{f"{field}__lte": now}).values_list("pk", flat=True)
            reached[tier] = [pk for pk in pks if pk not in claimed]
            claimed.update(reached[tier])
            moved[tier] = WorkItem.objects.filter(pk__in=reached[tier]).update(tier=tier)
        notes = []
        # A month's missed visits reach a township on the same night: ask once per township (county)
        # who answers there, and word each item's message once.
        people: dict[tuple[int, str | None], list[tuple[User, list[str]]]] = {}
        for tier, pks in reached.items():
            for item in WorkItem.objects.filter(pk__in=pks):
                place = (tier, _answering_region(tier, item.region_code))
                if place not in people:
                    people[place] = [(user, _channels(user)) for user in recipients(tier, item.region_code)]
                message = _message(item, tier, now)
                for user, channels in people[place]:
                    for channel in channels:
                        notes.append(
                            Notification(user=user, item=item, tier=tier, channel=channel, message=message)
                        )
        Notification.objects.bulk_create(notes, ignore_conflicts=True, batch_size=2000)
    sent = deliver()
    return {
        "to_township": moved[Tier.TOWNSHIP],
        "to_county": moved[Tier.COUNTY],
        "to_bureau": moved[Tier.BUREAU],
        "sent": sent,
    }


def _channels(user: User) -> list[str]:
    channels = [Channel.IN_APP]
    if user.email:
        channels.append(Channel.EMAIL)
    if user.phone:
        channels.append(Channel.SMS)
    return channels


def deliver(*, batch_size: int = 500) -> int:
    """Send e-mail and SMS notifications not sent yet. Each batch is claimed before it is sent —
    locked (skipping rows another worker holds), checked still unsent and marked sent in one
    transaction — so two workers never send the same one. If sending fails, the notification that
    failed stays claimed and the rest of its batch is released for the next run."""
    sent = 0
    sender = None
    pending = list(
        Notification.objects.filter(sent_at__isnull=True)
        .exclude(channel=Channel.IN_APP)
        .values_list("pk", flat=True)
    )
    mail = None
    try:
        for start in range(0, len(pending), batch_size):
            ids = pending[start : start + batch_size]
            with transaction.atomic():
                batch = list(
                    Notification.objects.filter(pk__in=ids, sent_at__isnull=True)
                    .select_for_update(skip_locked=True, of=("self",))
                    .select_related("user")
                )
                Notification.objects.filter(pk__in=[n.pk for n in batch]).update(sent_at=timezone.now())
            for index, note in enumerate(batch):
                try:
                    if note.channel == Channel.EMAIL:
                        if mail is None:  # one connection for the run, opened only when there is mail
                            mail = get_connection()
                            mail.open()
                        send_mail(
                            _("守护：逾期督办"),
                            note.message,
                            None,
                            [note.user.email],
                            fail_silently=False,
                            connection=mail,
                        )
                    else:
                        sender = sender or sms_sender()
                        sender.send(note.user.phone, note.message)
                except Exception:
                    unsent = [n.pk for n in batch[index + 1 :]]
                    Notification.objects.filter(pk__in=unsent).update(sent_at=None)
                    raise
                sent += 1
    finally:
        if mail is not None:
            mail.close()
    Notification.objects.filter(sent_at__isnull=True, channel=Channel.IN_APP).update(sent_at=timezone.now())
    return sent


def notifications_for(*, user, unread_only: bool = False):
    qs = Notification.objects.filter(user=user, channel=Channel.IN_APP).select_related("item")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def overdue(qs, *, now: dt.datetime | None = None):
    return qs.filter(status=Status.OPEN, due_at__lt=now or timezone.now())


__all__ = [
    "ItemSpec",
    "items_ensure",
    "items_complete",
    "items_cancel",
    "item_reassign",
    "escalate",
    "deliver",
    "notifications_for",
    "overdue",
    "recipients",
]
