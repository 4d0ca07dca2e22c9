"""Who answers for a village: its child director. One rule for the visit schedules, the alerts, the
quarterly investigation, the list cross-checks and assistance.

The director is a registered child-director post (``WelfareWorker`` of kind director) in the village, in
office on the day (started on or before it, or no start recorded; not ended by it), linked to an active
account. Where a village has several, the one longest in office answers: the earliest start (a post
without a recorded start counts as the longest-standing), then the account opened first. A village
without one has no answering director: its work goes to the township (``escalation.services``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import User, WelfareWorker, WorkerKind


def directors_in_office(*, on: dt.date | None = None) -> QuerySet[WelfareWorker]:
    """Every answering-capable director post on ``on`` (today by default), ordered by village and, in
    each village, the one who answers first."""
    on = on or timezone.localdate()
    return WelfareWorker.objects.filter(
        Q(started_on__isnull=True) | Q(started_on__lte=on),
        Q(ended_on__isnull=True) | Q(ended_on__gt=on),
        kind=WorkerKind.DIRECTOR,
        user__isnull=False,
        user__is_active=True,
    ).order_by("region_id", F("started_on").asc(nulls_first=True), "user__date_joined", "pk")


def answering(posts: QuerySet[WelfareWorker]) -> dict[str, uuid.UUID]:
    """The answering director's account of each village among ``posts`` (from ``directors_in_office``)."""
    result: dict[str, uuid.UUID] = {}
    for village, user in posts.values_list("region_id", "user_id"):
        result.setdefault(village, user)
    return result


def directors_of(villages: Iterable[str], *, on: dt.date | None = None) -> dict[str, uuid.UUID]:
    """The answering director's account id of each of ``villages`` that has one."""
    return answering(directors_in_office(on=on).filter(region_id__in=list(villages)))


def director_of(village: str | None, *, on: dt.date | None = None) -> User | None:
    """The answering director of one village, or None."""
    if not village:
        return None
    post = directors_in_office(on=on).filter(region_id=village).select_related("user").first()
    return post.user if post else None
