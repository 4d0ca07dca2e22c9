"""How long the access log is kept, and the one switch that lets rows of it be removed or blanked.

The access log is append-only: on PostgreSQL a trigger (migration ``0002_append_only``) refuses every
UPDATE and DELETE of ``audit_accesslog`` unless the transaction has set ``shouhu.retention`` to ``on``.
Only ``retention_switch`` sets it, and only the purge (``shouhu purge-audit``) and the anonymisation
of archived files (``shouhu anonymise-archived``) use it. PIPL and the CAC provisions ask for records of
the handling of personal information to be kept at least three years, hence the floor below.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from .models import AccessLog, Action
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


@contextmanager
def retention_switch():
    """A transaction in which the append-only trigger lets rows be deleted or blanked.

    ``SET LOCAL`` lasts until the end of the transaction; when the switch is used inside a larger
    transaction it is turned off again as the block ends (and a block that fails is rolled back to its
    savepoint, which undoes the setting too), so it never covers more than the block. On SQLite there is
    no trigger and this is a plain transaction.
    """
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL shouhu.retention = 'on'")
        yield
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL shouhu.retention = 'off'")


def purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict:
    """Delete the access-log rows older than the retention period and log that it did.

    Returns ``{"before": cutoff, "count": rows}``; with ``dry_run`` nothing is deleted or logged.
    """
    days = retention_days()
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    old = AccessLog.objects.filter(at__lt=cutoff)
    if dry_run:
        return {"before": cutoff, "count": old.count(), "days": days}
    with retention_switch():
        count, _by_model = old.delete()
        log_event(
            action=Action.PURGE,
            what=PURGE_COMMAND,
            detail=f"before={cutoff.isoformat()} rows={count} retention_days={days}",
        )
    return {"before": cutoff, "count": count, "days": days}
