"""The scheduled work, in one place: Celery beat runs it in production (``visits.tasks``), and
``shouhu run-jobs [--as-of DATE]`` runs it inline for the embedded default and cron.

Nightly, in order: categories for the date (time alone changes them), the re-check of assistance
payments (a child who turned 18 or left the category), visit schedules and the children's-home checks
derived from them, the risk rules for every child, the expiry of import jobs nobody finished, and last
the rebuild of the dashboards' rollups (the steps before it only mark places). Hourly: escalation.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


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
    return done


def daily_digest(*, now: dt.datetime | None = None) -> int:
    """The county's and the bureau's summary of the day (each morning)."""
    from shouhu.escalation import digest

    return digest.send_daily(now=now)
