"""Making, completing and escalating work items, and notifying the people at each tier.

Jobs call ``escalate`` at least hourly; it is idempotent (tiers only move up, and a notification is
unique per item, person, tier and channel), so running it twice, or after an interruption, sends
nothing twice. Notices are written here and sent by ``delivery`` after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouhu.accounts.models import Role, User
from shouhu.regions.codes import county_of, is_within, township_of
from shouhu.regions.signals import places_touched

from . import deadlines, delivery, texts
from .models import Channel, Delivery, Notification, Status, Tier, WorkItem


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
    code: str = ""  # the title as a code and its parameters (``texts``)
    params: dict | None = None

    @classmethod
    def timed(
        cls,
        *,
        kind: str,
        made_at: dt.datetime,
        due_at: dt.datetime | None = None,
        deadline: deadlines.Deadline | None = None,
        **fields,
    ) -> ItemSpec:
        """An item whose deadline and tiers come from the one table (``deadlines``), or from the
        ``deadline`` given for a county's own values; ``due_at`` for a kind whose date the caller gives."""
        rule = deadline or deadlines.deadline_of(kind)
        due = due_at if due_at is not None else made_at + rule.answer
        return cls(
            kind=kind,
            due_at=due,
            township_after=made_at - due if rule.township is None else rule.township,
            county_after=rule.county,
            bureau_after=rule.bureau,
            **fields,
        )

    def build(self) -> WorkItem:
        return WorkItem(
            key=self.key,
            kind=self.kind,
            title=self.title,
            code=self.code,
            params=self.params or {},
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


def item_create(spec: ItemSpec, **extra) -> WorkItem:
    """One item made now, for a service that links it to its record at once (``extra``: its note)."""
    item = spec.build()
    for name, value in extra.items():
        setattr(item, name, value)
    item.save(force_insert=True)
    return item


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


def items_cancel(*, items, note: str | dict) -> int:
    """Cancel the open ones of ``items``, saying why: the system's words as ``texts.stored`` gives them
    (kept as a code and its parameters), or a person's words as typed."""
    columns = texts.note_fields(note)
    return _close(items, status=Status.CANCELLED, **{**columns, "note": columns["note"][:300]})


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
    township = township_of(item.region_code)
    code = access.territory_code(to)
    if not (code and (is_within(item.region_code, code) or is_within(code, township))):
        raise ValidationError({"responsible": [_("改派对象须是本乡镇的儿童主任或督导员。")]})
    with transaction.atomic():
        item.responsible = to
        item.save(update_fields=["responsible"])
        if item.child_id and not is_within(item.region_code, code):
            Grant.objects.create(
                user=to,
                child_id=item.child_id,
                reason=GrantReason.ASSIGNMENT,
                **grant_note(item),
                ends_at=max(item.county_at, timezone.now()),
                granted_by=actor,
            )
    return item


def grant_note(item: WorkItem) -> dict:
    """The note of a grant made so that someone can do ``item``: the item, in the reader's language."""
    words = texts.stored("grant.assignment", title=texts.nested(item.code, item.params, item.title))
    return {"note": words["text"][:200], "note_code": words["code"], "note_params": words["params"]}


def _answering_region(tier: int, region_code: str) -> str | None:
    """The region whose people answer for ``region_code`` at ``tier``: its township, its county (the
    county's civil-affairs bureau sits at the county too)."""
    return {
        Tier.TOWNSHIP: township_of(region_code),
        Tier.COUNTY: county_of(region_code),
        Tier.BUREAU: county_of(region_code),
    }.get(tier)


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


def _message(item: WorkItem, tier: int, now: dt.datetime) -> dict:
    """A notice of one step of ``item``: its code and parameters (the item's title is read from the
    item when shown), and the words in the registry's language."""
    # An urgent item the tier hears of at once, before its deadline, or a missed one.
    code = "notice.due" if item.due_at > now else "notice.overdue"
    params = {"level": int(tier), "due_at": item.due_at.isoformat()}
    with translation.override(settings.LANGUAGE_CODE):
        text = texts.render(code, {**params, "title": item.text})
    return {"message": text[:500], "code": code, "params": params}


def escalate(*, now: dt.datetime | None = None, items=None) -> dict[str, int]:
    """Move missed items up a tier and write the notices for the people there. Safe to re-run at any
    time. ``items`` narrows it to some items (an urgent alert that must reach the township at once).

    Nothing is sent here: the notices are rows of the outbox, written in the caller's transaction and
    delivered after it commits (``delivery``), so no sender can undo the record they are about.
    A tier where nobody answers (no active supervisor in a township) is passed over at once, to the
    next tier that has someone, and the item notes the gap."""
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
        # A month's missed visits reach a township on the same night: ask once per township (county)
        # who answers there, and word each item's message once.
        people: dict[tuple[int, str | None], list[User]] = {}
        final: dict[int, list[WorkItem]] = {Tier.TOWNSHIP: [], Tier.COUNTY: [], Tier.BUREAU: []}
        gaps: list[WorkItem] = []
        for tier, pks in reached.items():
            for item in WorkItem.objects.filter(pk__in=pks).select_related("responsible"):
                answering = tier
                while True:
                    place = (answering, _answering_region(answering, item.region_code))
                    if place not in people:
                        people[place] = recipients(answering, item.region_code)
                    if people[place] or answering >= _last_tier(item):
                        break
                    answering += 1  # nobody answers here: the next tier hears of it at once
                if answering != tier:
                    gaps.append(item)
                final[answering].append(item)
        notes = []
        for tier, tier_items in final.items():
            moved[tier] = WorkItem.objects.filter(pk__in=[i.pk for i in tier_items]).update(tier=tier)
            for item in tier_items:
                message = _message(item, tier, now)
                for user in people[(tier, _answering_region(tier, item.region_code))]:
                    notes.extend(_notices(user, item, tier, message))
                if tier == Tier.TOWNSHIP and item.responsible and item.responsible.is_active:
                    # The director who answers for it hears that it went up (or, urgent, that it is due).
                    notes.extend(_notices(item.responsible, item, Tier.VILLAGE, message))
        for item in gaps:
            WorkItem.objects.filter(pk=item.pk).update(**_gap_note(item))
        Notification.objects.bulk_create(notes, ignore_conflicts=True, batch_size=2000)
        if any(n.channel != Channel.IN_APP for n in notes):
            delivery.schedule()
    return {
        "to_township": moved[Tier.TOWNSHIP],
        "to_county": moved[Tier.COUNTY],
        "to_bureau": moved[Tier.BUREAU],
        "notices": len(notes),
        "passed_over": len(gaps),
    }


def _last_tier(item: WorkItem) -> int:
    return Tier.BUREAU if item.bureau_at is not None else Tier.COUNTY


def _gap_note(item: WorkItem) -> dict:
    """The note of an item passed over an unstaffed township, naming the township (its name stored, so
    that a list of such items reads no place per row)."""
    from shouhu.regions.models import Region

    township = township_of(item.region_code)
    name = Region.objects.filter(code=township).values_list("name", flat=True).first() or township
    columns = texts.note_fields(texts.stored("item.unstaffed", place=name))
    return {**columns, "note": columns["note"][:300]}


def _in_app(user_id, item: WorkItem, tier: int, message: dict) -> Notification:
    now = timezone.now()
    return Notification(
        user_id=user_id,
        item=item,
        tier=tier,
        channel=Channel.IN_APP,
        **message,
        status=Delivery.SENT,
        sent_at=now,
    )


def _notices(user: User, item: WorkItem, tier: int, message: dict) -> list[Notification]:
    """The notices one person gets of one step: in the app always, by e-mail and text message where
    the person has an address (those wait in the outbox). ``message``: ``_message``."""
    notes = [_in_app(user.pk, item, tier, message)]
    if user.email:
        notes.append(Notification(user=user, item=item, tier=tier, channel=Channel.EMAIL, **message))
    if user.phone:
        notes.append(Notification(user=user, item=item, tier=tier, channel=Channel.SMS, **message))
    return notes


def deliver(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send what the outbox holds that is due (``delivery.deliver``)."""
    return delivery.deliver(now=now)


def notifications_for(*, user, unread_only: bool = False):
    qs = Notification.objects.filter(user=user, channel=Channel.IN_APP).select_related("item__alert")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def notifications_read(*, user: User, notifications) -> int:
    """Mark the user's own notifications among ``notifications`` read (once: the first reading time
    stays); how many were marked."""
    return notifications.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


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
