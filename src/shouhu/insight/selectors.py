"""The figures of a dashboard: one region (a county, a township or a village) and one period.

Every figure is counted from the same scoped queries the lists use (``accounts.access`` and
``children.selectors.children_list``), so a number links to a list that shows exactly that many rows.
Children are counted while registered (not exited); visits, sessions, changes by the period; alerts,
cases and overdue work as they stand now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Min, Q
from django.db.models.functions import Substr
from django.utils import timezone

from shouhu.accounts import access
from shouhu.cases.models import Alert, AlertStatus, CaseStatus, Report
from shouhu.cases.rules import SEVERITIES
from shouhu.children import classify
from shouhu.children.models import Category, CategoryEvent, ChildCategory
from shouhu.children.selectors import children_list
from shouhu.escalation.models import Status
from shouhu.regions.codes import Level, level_of
from shouhu.regions.models import Region
from shouhu.visits.models import ActivitySession
from shouhu.visits.services import VISIT_KINDS

# Age bands as county platforms report them: preschool, compulsory schooling, 14–16, the last year.
AGE_BANDS = (("0–5", 0, 5), ("6–13", 6, 13), ("14–16", 14, 16), ("17", 17, 17))
CHILD_LENGTH = {Level.COUNTY: 9, Level.TOWNSHIP: 12}  # the code length of the areas one level down


@dataclass
class Dashboard:
    region: Region
    start: dt.date
    end: dt.date
    children: int = 0
    categories: list[dict[str, Any]] = field(default_factory=list)
    ages: list[dict[str, Any]] = field(default_factory=list)
    areas: list[dict[str, Any]] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)
    visits: dict[str, Any] = field(default_factory=dict)
    sessions: int = 0
    alerts: list[dict[str, Any]] = field(default_factory=list)
    cases: dict[str, int] = field(default_factory=dict)
    reports: list[dict[str, Any]] = field(default_factory=list)


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    after = dt.date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def born_after(today: dt.date, years: int) -> dt.date:
    """The birth date of a child who turns ``years`` today (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def dashboard(*, user, region: Region, start: dt.date, end: dt.date) -> Dashboard:
    """The dashboard of ``region`` as ``user`` may see it (the caller has checked the region)."""
    code = region.code
    today = timezone.localdate()
    now = timezone.now()
    board = Dashboard(region=region, start=start, end=end)
    children = children_list(user=user, region=code).order_by()
    board.children = children.count()

    names = {c.code: str(c) for c in Category.objects.all()}
    counts = dict(
        ChildCategory.objects.filter(child__in=children.values("pk"))
        .values_list("category_id")
        .annotate(n=Count("child_id", distinct=True))
    )
    board.categories = [{"code": c, "name": names.get(c, c), "n": counts.get(c, 0)} for c in names]

    bands = {}
    for label, low, high in AGE_BANDS:
        # Age ``low``..``high`` today: born after the day they would turn high + 1, on or before low.
        bands[label] = Count(
            "pk",
            filter=Q(birth_date__gt=born_after(today, high + 1), birth_date__lte=born_after(today, low)),
        )
    ages = children.aggregate(**bands)
    board.ages = [{"band": label, "n": ages[label]} for label, _low, _high in AGE_BANDS]

    board.areas = _areas(user=user, region=region, children=children, now=now)

    in_period = Q(on__gte=start, on__lte=end)
    events = CategoryEvent.objects.filter(in_period, child__region_code__startswith=code)
    board.changes = {
        "registered": children.filter(created_at__date__gte=start, created_at__date__lte=end).count(),
        "exited": access.children_visible_to(user)
        .filter(region_code__startswith=code, exited_on__gte=start, exited_on__lte=end)
        .count(),
        "gained": events.filter(gained=True).count(),
        "lost": events.filter(gained=False).count(),
    }

    board.visits = _visits(user=user, code=code, start=start, end=end, now=now)
    board.sessions = ActivitySession.objects.filter(
        home__village__code__startswith=code, held_on__gte=start, held_on__lte=end
    ).count()

    alerts = access.alerts_visible_to(user).filter(region_code__startswith=code, status=AlertStatus.OPEN)
    by_severity = {
        row["severity"]: row
        for row in alerts.values("severity").annotate(
            n=Count("pk"), late=Count("pk", filter=Q(work_item__due_at__lt=now)), oldest=Min("opened_at")
        )
    }
    board.alerts = [
        {
            "severity": sev,
            "label": str(label),
            "n": by_severity.get(sev, {}).get("n", 0),
            "late": by_severity.get(sev, {}).get("late", 0),
            "days": (now - by_severity[sev]["oldest"]).days if sev in by_severity else None,
        }
        for sev, label in SEVERITIES
    ]
    cases = access.cases_visible_to(user).filter(region_code__startswith=code)
    board.cases = {
        "open": cases.exclude(status=CaseStatus.CLOSED).count(),
        "closed_in_period": cases.filter(closed_at__date__gte=start, closed_at__date__lte=end).count(),
    }
    reports = access.reports_visible_to(user).filter(
        Q(village_id=code) if level_of(code) == Level.VILLAGE else Q(township__code__startswith=code)
    )
    statuses = dict(Report._meta.get_field("status").flatchoices)
    counted = dict(reports.values_list("status").annotate(n=Count("pk")))
    board.reports = [
        {"status": s, "label": str(label), "n": counted.get(s, 0)} for s, label in statuses.items()
    ]
    return board


def _visits(*, user, code: str, start: dt.date, end: dt.date, now) -> dict[str, Any]:
    """Visits due in the period: done by their deadline, done late, still open and overdue."""
    start_at = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    end_at = timezone.make_aware(dt.datetime.combine(end, dt.time.max))
    due = access.work_items_visible_to(user).filter(
        kind__in=VISIT_KINDS, region_code__startswith=code, due_at__gte=start_at, due_at__lte=end_at
    )
    figures = due.aggregate(
        due=Count("pk", filter=~Q(status=Status.CANCELLED)),
        on_time=Count("pk", filter=Q(status=Status.DONE, done_at__lte=F("due_at"))),
        late=Count("pk", filter=Q(status=Status.DONE, done_at__gt=F("due_at"))),
        overdue=Count("pk", filter=Q(status=Status.OPEN, due_at__lt=now)),
    )
    done = figures["on_time"] + figures["late"]
    figures["coverage"] = round(100 * done / figures["due"], 1) if figures["due"] else None
    return figures


def _areas(*, user, region: Region, children, now) -> list[dict[str, Any]]:
    """One row per area one level down (townships of a county, villages of a township)."""
    length = CHILD_LENGTH.get(level_of(region.code))
    if length is None:
        return []
    areas = {r.code: r for r in Region.objects.filter(parent=region).order_by("code")}
    rows = {
        code: {"code": code, "name": r.name, "children": 0, "left_behind": 0, "difficulty": 0}
        for code, r in areas.items()
    }
    key = Substr("region_code", 1, length)
    for row in (
        children.annotate(area=key)
        .values("area")
        .annotate(
            n=Count("pk", distinct=True),
            left_behind=Count("pk", filter=Q(categories__category_id=classify.LEFT_BEHIND), distinct=True),
            difficulty=Count("pk", filter=Q(categories__category_id__in=classify.DIFFICULTY), distinct=True),
        )
    ):
        if row["area"] in rows:
            rows[row["area"]].update(
                children=row["n"], left_behind=row["left_behind"], difficulty=row["difficulty"]
            )
    overdue = dict(
        access.work_items_visible_to(user)
        .filter(region_code__startswith=region.code, status=Status.OPEN, due_at__lt=now)
        .annotate(area=key)
        .values_list("area")
        .annotate(n=Count("pk"))
    )
    alerts = dict(
        Alert.objects.filter(region_code__startswith=region.code, status=AlertStatus.OPEN)
        .filter(pk__in=access.alerts_visible_to(user).values("pk"))
        .annotate(area=key)
        .values_list("area")
        .annotate(n=Count("pk"))
    )
    cases = dict(
        access.cases_visible_to(user)
        .filter(region_code__startswith=region.code)
        .exclude(status=CaseStatus.CLOSED)
        .annotate(area=Substr("region_code", 1, length))
        .values_list("area")
        .annotate(n=Count("pk"))
    )
    for code, row in rows.items():
        row.update(overdue=overdue.get(code, 0), alerts=alerts.get(code, 0), cases=cases.get(code, 0))
    return list(rows.values())


__all__ = ["AGE_BANDS", "Dashboard", "dashboard", "quarter_of", "born_after"]
