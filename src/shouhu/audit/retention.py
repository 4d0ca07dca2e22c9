"""How long the access log is kept, and the one switch that lets rows of it be removed or blanked.

The access log is append-only. On PostgreSQL the application's role has only INSERT and SELECT on
``audit_accesslog`` (``shouhu db-roles``), a trigger (migration ``0002_append_only``) refuses every UPDATE
and DELETE even by the owner unless ``shouhu.retention`` is on, and only two functions owned by the owner
turn it on, for their own duration: the purge (``shouhu purge-audit``) and the blanking of an anonymised
child's rows (``shouhu anonymise-archived``); see ``dbfunctions``. PIPL and the CAC provisions ask for
records of the handling of personal information to be kept at least three years, hence the floor below.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import dbfunctions
from .models import AccessLog, Action, Channel
from .services import log_event

MINIMUM_DAYS = 3 * 365  # three years
DEFAULT_DAYS = 3 * 365 + 90  # three years and a quarter's margin, so a purge never races the floor
PURGE_COMMAND = "purge-audit"


def retention_days() -> int:
    """``AUDIT_RETENTION_DAYS``, refused when shorter than three years."""
    days = getattr(settings, "AUDIT_RETENTION_DAYS", DEFAULT_DAYS)
    if not isinstance(days, int) or days < MINIMUM_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS must be a whole number of at least {MINIMUM_DAYS} days (3 years), "
            f"not {days!r}"
        )
    return days


def purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict:
    """Delete the access-log rows older than the retention period and log that it did.

    On PostgreSQL through ``audit_accesslog_purge`` (``dbfunctions``), which checks the period again
    against the database's clock: the application's role has no DELETE on the table.
    Returns ``{"before": cutoff, "count": rows}``; with ``dry_run`` nothing is deleted or logged.
    """
    days = retention_days()
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    old = AccessLog.objects.filter(at__lt=cutoff)
    if dry_run:
        return {"before": cutoff, "count": old.count(), "days": days}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {dbfunctions.PURGE}(%s)", [cutoff])
                count = cursor.fetchone()[0]
        else:
            count, _by_model = old.delete()
        log_event(
            action=Action.PURGE,
            what=PURGE_COMMAND,
            detail=f"before={cutoff.isoformat()} rows={count} retention_days={days}",
        )
    return {"before": cutoff, "count": count, "days": days}


def blank_child_rows(*, child_id, needles: list[str]) -> int:
    """Blank the path and query of the log rows about an anonymised child (``privacy.services``), and
    of rows whose query holds one of ``needles``; the rows of the system's own work stay whole. The
    archive's ``anonymised_at`` must be set first: on PostgreSQL the function checks it."""
    needles = [n for n in needles if n]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {dbfunctions.BLANK}(%s, %s)", [child_id, needles])
            return cursor.fetchone()[0]
    rows = Q(child_id=child_id)
    for needle in needles:
        rows |= Q(query__contains=needle)
    return (
        AccessLog.objects.filter(rows)
        .exclude(channel=Channel.JOB)
        .exclude(path="", query="")
        .update(path="", query="")
    )
