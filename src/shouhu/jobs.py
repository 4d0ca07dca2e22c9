"""The scheduled work, in one place: Celery beat runs it in production (``visits.tasks``), and
``shouhu run-jobs [--as-of DATE]`` runs it inline for the embedded default and cron.

Nightly, in order: categories for the date (time alone changes them), the re-check of assistance
payments (a child who turned 18 or left the category), visit schedules and the children's-home checks
derived from them, the risk rules for every child, the expiry of import jobs nobody finished, and last
the rebuild of the dashboards' rollups (the steps before it only mark places). Hourly: escalation,
and the watchdog of background work (which Celery beat also runs every minute).

Below them, the rules every background step follows so that none is lost: sent after its row's
commit, claimed once, its heartbeat kept, found again by the watchdog when its worker died; and
``health``, what /healthz reports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.db import connection, connections
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError as KombuOperationalError

log = logging.getLogger(__name__)


def nightly(*, on: dt.date | None = None, now: dt.datetime | None = None) -> dict:
    from shouhu.assistance import services as assistance
    from shouhu.cases import services as case_services
    from shouhu.children import services as child_services
    from shouhu.children.models import Child
    from shouhu.imports import jobs as import_jobs
    from shouhu.insight import rollups
    from shouhu.visits import homes, services

    on = on or timezone.localdate()
    with rollups.rebuilding():  # the reconcile below rebuilds every place's figures once
        done = {
            "reclassify": child_services.reclassify_all(on=on),
            "assistance": assistance.nightly(on),
            "schedules": services.schedules_refresh(on=on, now=now),
            "homes_flagged": homes.homes_check(on=on),
            "risk_rules": case_services.evaluate_children(children=Child.objects.all(), on=on),
            "imports_expired": import_jobs.jobs_expire(),
        }
    done["rollups"] = rollups.reconcile(on=on)  # last: the dashboards' figures for the new day
    return done


def hourly(*, now: dt.datetime | None = None) -> dict:
    """Escalation, then the notification outbox (whatever is due, retries included)."""
    from shouhu.escalation import services as escalation

    done = escalation.escalate(now=now)
    done["delivered"] = escalation.deliver(now=now)
    # The watchdog reads heartbeats, which are wall-clock facts: never the clock moved by --as-of.
    done["watchdog"] = watchdog()
    return done


def daily_digest(*, now: dt.datetime | None = None) -> int:
    """The county's and the bureau's summary of the day (each morning)."""
    from shouhu.escalation import digest

    return digest.send_daily(now=now)


# --- background work that is never lost ------------------------------------------------------------
#
# A step of background work (an import's check or commit, a quarterly report's generation) is a row
# with ``queued_at`` (when its task was last sent), ``heartbeat_at`` (null until a worker claims it,
# then refreshed while it runs) and ``attempts`` (how many times the watchdog sent it again). A worker
# claims a step with a conditional update on (status, attempts, heartbeat_at IS NULL), and writes its
# progress and its ending only while ``attempts`` is still the one it claimed: when the watchdog sends
# a step again it bumps ``attempts``, so a late or stalled worker can no longer write anything, and two
# watchdogs cannot both re-queue the same step (the second's conditional update matches no row).

STALE_MINUTES = 3  # a running step whose heartbeat is older than this lost its worker
QUEUED_MINUTES = 10  # a step queued this long without a worker claiming it was lost with its message
MAX_REQUEUES = 2  # sent again at most this many times, then failed with a retry button
BEAT_SECONDS = 30  # a running step's heartbeat, even while no row moves (the derived state of an import)
WORKER_KEY = "shouhu:workers:heartbeat"  # set in the broker's Redis by the watchdog task a worker runs
WORKER_STALE_SECONDS = 180  # beat sends the watchdog every minute: three missed runs mean no worker consumes

UNAVAILABLE = gettext_lazy("后台任务服务暂时不可用，请稍后重试。")
LOST = gettext_lazy("后台任务中断（处理它的服务停止了），没有保存任何内容。请重试。")


class QueueUnavailable(Exception):
    """The broker refused the task: the step's row is failed (or removed) and the user told so."""

    def __init__(self):
        super().__init__(str(UNAVAILABLE))


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(minutes=_setting("JOBS_STALE_MINUTES", STALE_MINUTES))


def queued_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(minutes=_setting("JOBS_QUEUED_MINUTES", QUEUED_MINUTES))


def max_requeues() -> int:
    return _setting("JOBS_MAX_REQUEUES", MAX_REQUEUES)


def lost_filter(now: dt.datetime, created: str = "created_at") -> Q:
    """Steps that never started within QUEUED_MINUTES, or whose heartbeat stopped STALE_MINUTES ago
    (``created``: the row's creation time, for rows from before ``queued_at`` was kept)."""
    late = queued_before(now)
    never_started = Q(heartbeat_at__isnull=True) & (
        Q(queued_at__lt=late) | Q(queued_at__isnull=True, **{f"{created}__lt": late})
    )
    return never_started | Q(heartbeat_at__lt=stale_before(now))


def enqueue(task, *args) -> None:
    """Send ``task`` to the broker (inline when there is none). Called after the row's commit, so a
    worker never looks for a row that is not there; a broker that does not answer within a few
    seconds raises ``QueueUnavailable``."""
    try:
        task.apply_async(
            args=args,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        )
    except (KombuOperationalError, OSError):
        log.warning("the broker refused task %s%s", task.name, args, exc_info=True)
        raise QueueUnavailable from None


@contextlib.contextmanager
def beating(rows, every: float | None = None):
    """Refresh ``heartbeat_at`` of ``rows`` (a queryset fenced on the claimed attempt) every ``every``
    seconds from a thread of its own, while the step runs: a step busy for minutes without moving a
    row (an import's derived state, a county's PDF) is not taken for dead; a killed worker's thread dies
    with it. Not on SQLite (one writer at a time; there the work runs inline in the request)."""
    if connection.vendor == "sqlite":
        yield
        return
    every = every if every is not None else _setting("JOBS_BEAT_SECONDS", BEAT_SECONDS)
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(every):
                rows.update(heartbeat_at=timezone.now())
        except Exception:  # noqa: BLE001 - a missed heartbeat is the watchdog's business, never the step's
            log.warning("heartbeat failed", exc_info=True)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, daemon=True, name="shouhu-heartbeat")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def watchdog(*, now: dt.datetime | None = None) -> dict:
    """Find the steps of background work that were lost (never started, or stopped reporting) and
    send them again, or fail them with a retry button after ``MAX_REQUEUES``. Run every minute by
    Celery beat (``shouhu.celery``) and by ``shouhu run-jobs``; safe to run twice at once."""
    from shouhu.imports import jobs as import_jobs
    from shouhu.quarterly import services as quarterly

    worker_beat()
    return {"imports": import_jobs.jobs_watch(now=now), "quarterly": quarterly.reports_watch(now=now)}


def _redis():
    """The broker's Redis, with one-second timeouts, or None (eager mode, or another broker)."""
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis

    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def worker_beat() -> None:
    """Called by the watchdog task, which a worker runs: the proof that workers take tasks off the
    queue (not merely that they are connected), read by /healthz."""
    client = _redis()
    if client is None:
        return
    try:
        client.set(WORKER_KEY, f"{time.time():.3f}", ex=24 * 3600)
    except Exception:  # noqa: BLE001 - /healthz will say the workers are not seen
        log.warning("could not record the workers' heartbeat", exc_info=True)
    finally:
        client.close()


def health() -> tuple[str, dict[str, str]]:
    """The state of each part, for /healthz: the database (down: the site is down), the broker and
    the workers (down: the site serves, background work waits: degraded), or both "inline" when
    there is no broker (the embedded default). No part waits more than about a second, and nothing
    but these words is told (no address, no error text)."""
    parts: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        parts["database"] = "ok"
    except Exception:  # noqa: BLE001 - any database failure is "down"
        log.warning("healthz: the database does not answer", exc_info=True)
        parts["database"] = "down"
    if not getattr(settings, "CELERY_BROKER_URL", ""):
        parts["broker"] = parts["workers"] = "inline"
    else:
        parts.update(_queue_health())
    if parts["database"] != "ok":
        overall = "down"
    elif parts["broker"] in ("ok", "inline") and parts["workers"] in ("ok", "inline"):
        overall = "ok"
    else:
        overall = "degraded"
    return overall, parts


def _queue_health() -> dict[str, str]:
    client = _redis()
    if client is None:  # another broker: ask the workers themselves
        return _ping_health()
    try:
        client.ping()
        seen = client.get(WORKER_KEY)
    except Exception:  # noqa: BLE001
        log.warning("healthz: the broker does not answer", exc_info=True)
        return {"broker": "down", "workers": "unknown"}
    finally:
        client.close()
    age = time.time() - float(seen) if seen else None
    fresh = age is not None and age <= _setting("JOBS_WORKER_STALE_SECONDS", WORKER_STALE_SECONDS)
    return {"broker": "ok", "workers": "ok" if fresh else "down"}


def _ping_health() -> dict[str, str]:
    from shouhu.celery import app

    try:
        replies = app.control.ping(timeout=1.0)
    except Exception:  # noqa: BLE001
        log.warning("healthz: the broker does not answer", exc_info=True)
        return {"broker": "down", "workers": "unknown"}
    return {"broker": "ok", "workers": "ok" if replies else "down"}
