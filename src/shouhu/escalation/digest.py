"""The daily digest: each morning, the county's guidance-centre staff and its civil-affairs officials
get one summary of the county's open work, written to the outbox (in the app, by e-mail and text
message where they have an address) and sent like any notice. Unique per person, channel and day, so
a re-run sends nothing twice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from shouhu.accounts.models import Role, User
from shouhu.regions.codes import county_of

from . import delivery, texts
from .models import Channel, Delivery, NoticeKind, Notification, Status, Tier, WorkItem


def figures(county: str, *, now: dt.datetime) -> dict[str, int]:
    """The county's open work at ``now``: alerts, reports and tasks open and overdue, items that
    reached the county or the bureau, notices that could not be delivered, unstaffed townships."""
    from shouhu.regions.codes import Level
    from shouhu.regions.models import Region

    open_items = WorkItem.objects.filter(region_code__within=county, status=Status.OPEN)
    counts = open_items.aggregate(
        alerts=Count("pk", filter=Q(kind__startswith="alert.")),
        reports=Count("pk", filter=Q(kind__startswith="report.")),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        at_county=Count("pk", filter=Q(tier__gte=Tier.COUNTY)),
    )
    counts["undelivered"] = Notification.objects.filter(
        item__region_code__within=county,
        status=Delivery.FAILED,
        created_at__gte=now - dt.timedelta(days=1),
    ).count()
    staffed = User.objects.filter(is_active=True, role=Role.TOWNSHIP_SUPERVISOR).values("region_id")
    counts["unstaffed"] = (
        Region.objects.filter(code__within=county, level=Level.TOWNSHIP).exclude(code__in=staffed).count()
    )
    return counts


def _text(numbers: dict[str, int], county_name: str, day: dt.date) -> dict:
    """The digest as a notice's columns: its code, parameters and words in the registry's language."""
    words = texts.stored("notice.digest", day=day.isoformat(), county=county_name, **numbers)
    return {"message": words["text"][:500], "code": words["code"], "params": words["params"]}


def send_daily(*, now: dt.datetime | None = None) -> int:
    """Write today's digest for every active county-centre and civil-affairs account; returns how
    many notices were written (0 on a re-run the same day)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    people = User.objects.filter(
        is_active=True, role__in=[Role.COUNTY_STAFF, Role.CIVIL_AFFAIRS], region__isnull=False
    ).select_related("region")
    written = 0
    digests: dict[str, dict] = {}
    with transaction.atomic():
        notes = []
        for user in people:
            county = county_of(user.region_id)
            if county not in digests:
                digests[county] = _text(figures(county, now=now), user.region.name, day)
            base = {
                "user": user,
                "kind": NoticeKind.DIGEST,
                "on": day,
                "tier": Tier.COUNTY,
                **digests[county],
            }
            notes.append(Notification(channel=Channel.IN_APP, status=Delivery.SENT, sent_at=now, **base))
            if user.email:
                notes.append(Notification(channel=Channel.EMAIL, **base))
            if user.phone:
                notes.append(Notification(channel=Channel.SMS, **base))
        before = Notification.objects.filter(kind=NoticeKind.DIGEST, on=day).count()
        Notification.objects.bulk_create(notes, ignore_conflicts=True)
        written = Notification.objects.filter(kind=NoticeKind.DIGEST, on=day).count() - before
        delivery.schedule()
    return written
