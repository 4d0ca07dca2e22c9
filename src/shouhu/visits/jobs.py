"""The scheduled work, in one place: Celery beat runs it in production, ``shouhu run-jobs`` inline."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shouhu.children import services as child_services
from shouhu.escalation import services as escalation

from . import homes, services


def nightly(*, on: dt.date | None = None, now: dt.datetime | None = None) -> dict:
    on = on or timezone.localdate()
    return {
        "reclassify": child_services.reclassify_all(on=on),
        "schedules": services.schedules_refresh(on=on, now=now),
        "homes_flagged": homes.homes_check(on=on),
    }


def hourly(*, now: dt.datetime | None = None) -> dict:
    return escalation.escalate(now=now)
