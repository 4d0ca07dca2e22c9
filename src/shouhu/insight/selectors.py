"""The figures of a dashboard: one region (a province, a county, a township or a village) and a period.

``dashboard`` sums the rollups kept per place (``rollups``): the same figures the lists count, so a
number links to a list that shows exactly that many rows. ``dashboard_live`` counts them from the
live tables through the scoped queries the lists use (``accounts.access``,
``children.selectors.children_list``): the reference the rollups are tested against. Children are
counted while registered (not exited); visits, sessions, changes by the period; alerts, cases and
overdue work as they stand now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from shouhu.accounts import access
from shouhu.accounts.models import User
from shouhu.cases.models import AlertStatus, CaseStatus, Report
from shouhu.cases.rules import SEVERITIES
from shouhu.children import classify
from shouhu.children.models import Category, CategoryEvent, Child, ChildCategory
from shouhu.children.selectors import children_list
from shouhu.escalation.models import Status
from shouhu.regions.codes import Level, level_of
from shouhu.regions.models import Region
from shouhu.visits.models import ActivitySession, Visit
from shouhu.visits.services import VISIT_KINDS

from . import rollups
from .models import Tally
from .rollups import AGE_BANDS, born_after

# The areas one level down: counties of a province (or city), townships of a county, villages of a
# township, by the length of their codes.
CHILD_LENGTH = {Level.PROVINCE: 6, Level.CITY: 6, Level.COUNTY: 9, Level.TOWNSHIP: 12}


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
    as_of: dt.date | None = None  # the day the age bands are counted for


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    after = dt.date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


LEVEL_OF_LENGTH = {6: Level.COUNTY, 9: Level.TOWNSHIP, 12: Level.VILLAGE}


def _areas_below(code: str, length: int) -> QuerySet[Region]:
    return Region.objects.filter(code__within=code, level=LEVEL_OF_LENGTH[length]).order_by("code")


def _month_end(first: dt.date) -> dt.date:
    after = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return after - dt.timedelta(days=1)


def dashboard(*, user: User, region: Region, start: dt.date, end: dt.date) -> Dashboard:
    """The dashboard of ``region`` as ``user`` may see it, summed from the rollups.

    The caller has checked the region (``access.get_region_for``): only users who work a territory
    and administrators reach one, and they see everything in each region of it, so the region's
    rollups are their figures (``dashboard_live`` counts the same through the scoped queries).
    """
    code = region.code
    today = timezone.localdate()
    now = timezone.now()
    rollups.ensure_current(today)
    board = Dashboard(region=region, start=start, end=end, as_of=rollups.ages_on())
    layer = rollups.layer_for(code)
    tallies = Tally.objects.filter(layer=layer, code__within=code)
    state, months, due_rows, alert_rows = _tallied(tallies, start=start, end=end)
    period = _period(months, code=code, start=start, end=end)
    # Work due before today is overdue from the rollups; today's is overdue once its hour has passed.
    day_start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    length = CHILD_LENGTH.get(level_of(code))
    late_today = _late_today(code, length=length, since=day_start, now=now)

    children = state.get("children", {})
    board.children = children.get("", 0)
    counts = state.get("category", {})
    board.categories = [
        {"code": c.code, "name": str(c), "n": counts.get(c.code, 0)} for c in Category.objects.all()
    ]
    ages = state.get("age", {})
    board.ages = [{"band": label, "n": ages.get(label, 0)} for label, _low, _high in AGE_BANDS]
    board.changes = {name: period[name] for name in ("registered", "exited", "gained", "lost")}
    board.visits = _visit_figures(period, due_rows, late_today, start=start, end=end, today=today)
    board.sessions = period["sessions"]
    board.alerts = _alert_figures(alert_rows, code=code, since=day_start, now=now, today=today)
    board.cases = {"open": state.get("case_open", {}).get("", 0), "closed_in_period": period["case_closed"]}
    counted = state.get("report", {})
    statuses = dict(Report._meta.get_field("status").flatchoices)
    board.reports = [
        {"status": s, "label": str(label), "n": counted.get(s, 0)} for s, label in statuses.items()
    ]
    if length:
        board.areas = _areas_from_rollups(
            tallies, code=code, length=length, today=today, late_today=late_today
        )
    return board


DueRow = tuple[str, dt.date, int]
AlertRow = tuple[str, dt.date, int, dt.datetime]


def _tallied(
    tallies: QuerySet[Tally], *, start: dt.date, end: dt.date
) -> tuple[dict[str, dict[str, int]], dict[str, dict[dt.date, int]], list[DueRow], list[AlertRow]]:
    """The place's tallies in one query, sorted: the state figures by key, the periodic ones by
    month, the open work by due day and the open alerts by severity and due day."""
    state: dict[str, dict[str, int]] = {}
    months: dict[str, dict[dt.date, int]] = {}
    due_rows: list[DueRow] = []
    alert_rows: list[AlertRow] = []
    for figure, key, day, n, first in (
        tallies.filter(
            Q(day__isnull=True)
            | Q(figure__in=rollups.BY_DUE_DAY)
            | Q(day__gte=start.replace(day=1), day__lte=end)
        )
        .values_list("figure", "key", "day")
        .annotate(n=Sum("n"), first=Min("first"))
        .order_by()
    ):
        if figure == "open":
            due_rows.append((key, day, n))
        elif figure == "alert":
            alert_rows.append((key, day, n, first))
        elif figure in rollups.PERIODIC:
            months.setdefault(figure, {})[day] = n
        else:
            state.setdefault(figure, {})[key] = n
    return state, months, due_rows, alert_rows


def _period(
    months: dict[str, dict[dt.date, int]], *, code: str, start: dt.date, end: dt.date
) -> dict[str, int]:
    """A period is whole months from the rollups, and the days that cut a month counted live."""
    period = dict.fromkeys(rollups.PERIODIC, 0)
    month = start.replace(day=1)
    while month <= end:
        last = _month_end(month)
        if start <= month and last <= end:
            for figure in rollups.PERIODIC:
                period[figure] += months.get(figure, {}).get(month, 0)
        else:
            live = rollups.period_live(prefix=code, start=max(start, month), end=min(end, last))
            for figure, n in live.items():
                period[figure] += n
        month = last + dt.timedelta(days=1)
    return period


def _late_today(
    code: str, *, length: int | None, since: dt.datetime, now: dt.datetime
) -> dict[tuple[str, bool], int]:
    """The work due today whose hour has passed, by area below ``code`` and whether it is a visit."""
    due_today = rollups.open_work_late_today(prefix=code, day_start=since, now=now)
    late_today: dict[tuple[str, bool], int] = {}
    for area, is_visit, n in (
        due_today.annotate(
            area=Substr("region_code", 1, length or 12),
            is_visit=Case(When(kind__in=VISIT_KINDS, then=Value(True)), default=Value(False)),
        )
        .values_list("area", "is_visit")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        late_today[(area, is_visit)] = late_today.get((area, is_visit), 0) + n
    return late_today


def _visit_figures(
    period: dict[str, int],
    due_rows: list[DueRow],
    late_today: dict[tuple[str, bool], int],
    *,
    start: dt.date,
    end: dt.date,
    today: dt.date,
) -> dict[str, int | float | None]:
    due, on_time, late = period["visit_due"], period["visit_on_time"], period["visit_late"]
    overdue = sum(n for key, day, n in due_rows if key == "visit" and start <= day <= end and day < today)
    if start <= today <= end:
        overdue += sum(n for (_area, is_visit), n in late_today.items() if is_visit)
    return {
        "due": due,
        "on_time": on_time,
        "late": late,
        "overdue": overdue,
        "coverage": round(100 * (on_time + late) / due, 1) if due else None,
        "recorded": period["recorded"],
    }


def _alert_figures(
    alert_rows: list[AlertRow], *, code: str, since: dt.datetime, now: dt.datetime, today: dt.date
) -> list[dict[str, object]]:
    """Open alerts by severity: how many, how many late (before today from the rollups, today's
    counted live), and the age in days of the oldest."""
    late_alerts = dict(
        rollups.open_alerts_late_today(prefix=code, day_start=since, now=now)
        .values_list("severity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    alerts = []
    for sev, label in SEVERITIES:
        mine = [r for r in alert_rows if r[0] == sev]
        oldest = min((r[3] for r in mine if r[3] is not None), default=None)
        alerts.append(
            {
                "severity": sev,
                "label": str(label),
                "n": sum(r[2] for r in mine),
                "late": sum(r[2] for r in mine if r[1] is not None and r[1] < today)
                + late_alerts.get(sev, 0),
                "days": (now - oldest).days if oldest else None,
            }
        )
    return alerts


TREND_QUARTERS = 8


@dataclass
class TrendPoint:
    """One quarter of the key figures, as the dashboard of that quarter counts them."""

    start: dt.date
    end: dt.date
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    recorded: int = 0
    registered: int = 0
    cases_closed: int = 0

    @property
    def label(self) -> str:
        return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"

    @property
    def coverage(self) -> float | None:
        return round(100 * (self.on_time + self.late) / self.due, 1) if self.due else None


def trend(*, region: Region, quarters: int = TREND_QUARTERS) -> list[TrendPoint]:
    """The last ``quarters`` quarters (this one last) of the key figures of ``region``, summed from
    the rollups as ``dashboard`` sums them for a quarter: three queries whatever the span."""
    code = region.code
    today = timezone.localdate()
    now = timezone.now()
    rollups.ensure_current(today)
    points: list[TrendPoint] = []
    first = quarter_of(today)[0]
    for _i in range(quarters):
        points.insert(0, TrendPoint(*quarter_of(first)))
        first = quarter_of(first - dt.timedelta(days=1))[0]

    def point_of(day: dt.date) -> TrendPoint | None:
        for p in points:
            if p.start <= day <= p.end:
                return p
        return None

    tallies = Tally.objects.filter(
        layer=rollups.layer_for(code),
        code__within=code,
        day__gte=points[0].start,
        day__lte=points[-1].end,
    )
    names = {
        "visit_due": "due",
        "visit_on_time": "on_time",
        "visit_late": "late",
        "recorded": "recorded",
        "registered": "registered",
        "case_closed": "cases_closed",
    }
    for figure, day, n in (
        tallies.filter(figure__in=list(names)).values_list("figure", "day").annotate(n=Sum("n")).order_by()
    ):
        p = point_of(day)
        if p is not None:
            setattr(p, names[figure], getattr(p, names[figure]) + n)
    for day, n in (
        tallies.filter(figure="open", key="visit", day__lt=today)
        .values_list("day")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        p = point_of(day)
        if p is not None:
            p.overdue += n
    # Work due today is overdue once its hour has passed (as on the dashboard).
    day_start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    points[-1].overdue += (
        rollups.open_work_late_today(prefix=code, day_start=day_start, now=now)
        .filter(kind__in=VISIT_KINDS)
        .count()
    )
    return points


def _areas_from_rollups(
    tallies: QuerySet[Tally],
    *,
    code: str,
    length: int,
    today: dt.date,
    late_today: dict[tuple[str, bool], int],
) -> list[dict[str, Any]]:
    """One row per area one level down, from the same rollups summed by the area's code."""
    rows: dict[str, dict[str, Any]] = {
        r.code: {"code": r.code, "name": r.name, "children": 0, "left_behind": 0, "difficulty": 0}
        | {"overdue": 0, "alerts": 0, "cases": 0}
        for r in _areas_below(code, length)
    }
    column = {"children": "children", "difficulty": "difficulty", "case_open": "cases", "alert": "alerts"}
    for area, figure, n in (
        tallies.filter(
            Q(figure__in=list(column))
            | Q(figure="category", key=classify.LEFT_BEHIND)
            | Q(figure="open", day__lt=today)
        )
        .annotate(area=Substr("code", 1, length))
        .values_list("area", "figure")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        if area in rows:
            name = (
                "left_behind" if figure == "category" else "overdue" if figure == "open" else column[figure]
            )
            rows[area][name] += n
    for (area, _is_visit), n in late_today.items():
        if area in rows:
            rows[area]["overdue"] += n
    return list(rows.values())


def dashboard_live(*, user: User, region: Region, start: dt.date, end: dt.date) -> Dashboard:
    """The same figures counted from the live tables, as the lists count them: the reference the
    rollups are tested against, and what the benchmark compares with."""
    code = region.code
    today = timezone.localdate()
    now = timezone.now()
    board = Dashboard(region=region, start=start, end=end, as_of=today)
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
    events = CategoryEvent.objects.filter(in_period, child__region_code__within=code)
    board.changes = {
        "registered": children.filter(created_at__date__gte=start, created_at__date__lte=end).count(),
        "exited": access.children_visible_to(user)
        .filter(region_code__within=code, exited_on__gte=start, exited_on__lte=end)
        .count(),
        "gained": events.filter(gained=True).count(),
        "lost": events.filter(gained=False).count(),
    }

    board.visits = _visits(user=user, code=code, start=start, end=end, now=now)
    board.visits["recorded"] = (
        access.visible(user, Visit)
        .filter(region_code__within=code, visited_on__gte=start, visited_on__lte=end)
        .count()
    )
    board.sessions = ActivitySession.objects.filter(
        home__village__code__within=code, held_on__gte=start, held_on__lte=end
    ).count()

    alerts = access.alerts_visible_to(user).filter(region_code__within=code, status=AlertStatus.OPEN)
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
    cases = access.cases_visible_to(user).filter(region_code__within=code)
    board.cases = {
        "open": cases.exclude(status=CaseStatus.CLOSED).count(),
        "closed_in_period": cases.filter(closed_at__date__gte=start, closed_at__date__lte=end).count(),
    }
    reports = access.reports_visible_to(user).filter(
        Q(village_id=code) if level_of(code) == Level.VILLAGE else Q(township__code__within=code)
    )
    statuses = dict(Report._meta.get_field("status").flatchoices)
    counted = dict(reports.values_list("status").annotate(n=Count("pk")))
    board.reports = [
        {"status": s, "label": str(label), "n": counted.get(s, 0)} for s, label in statuses.items()
    ]
    return board


def _visits(*, user: User, code: str, start: dt.date, end: dt.date, now: dt.datetime) -> dict[str, Any]:
    """Visits due in the period: done by their deadline, done late, still open and overdue."""
    start_at = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    end_at = timezone.make_aware(dt.datetime.combine(end, dt.time.max))
    due = access.work_items_visible_to(user).filter(
        kind__in=VISIT_KINDS, region_code__within=code, due_at__gte=start_at, due_at__lte=end_at
    )
    figures: dict[str, Any] = due.aggregate(
        due=Count("pk", filter=~Q(status=Status.CANCELLED)),
        on_time=Count("pk", filter=Q(status=Status.DONE, done_at__lte=F("due_at"))),
        late=Count("pk", filter=Q(status=Status.DONE, done_at__gt=F("due_at"))),
        overdue=Count("pk", filter=Q(status=Status.OPEN, due_at__lt=now)),
    )
    done = figures["on_time"] + figures["late"]
    figures["coverage"] = round(100 * done / figures["due"], 1) if figures["due"] else None
    return figures


def _areas(
    *, user: User, region: Region, children: QuerySet[Child], now: dt.datetime
) -> list[dict[str, Any]]:
    """One row per area one level down (townships of a county, villages of a township)."""
    length = CHILD_LENGTH.get(level_of(region.code))
    if length is None:
        return []
    areas = {r.code: r for r in _areas_below(region.code, length)}
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
        .filter(region_code__within=region.code, status=Status.OPEN, due_at__lt=now)
        .annotate(area=key)
        .values_list("area")
        .annotate(n=Count("pk"))
    )
    alerts = dict(
        access.alerts_visible_to(user)
        .filter(region_code__within=region.code, status=AlertStatus.OPEN)
        .annotate(area=key)
        .values_list("area")
        .annotate(n=Count("pk"))
    )
    cases = dict(
        access.cases_visible_to(user)
        .filter(region_code__within=region.code)
        .exclude(status=CaseStatus.CLOSED)
        .annotate(area=Substr("region_code", 1, length))
        .values_list("area")
        .annotate(n=Count("pk"))
    )
    for code, row in rows.items():
        row.update(overdue=overdue.get(code, 0), alerts=alerts.get(code, 0), cases=cases.get(code, 0))
    return list(rows.values())


__all__ = ["AGE_BANDS", "Dashboard", "born_after", "dashboard", "dashboard_live", "quarter_of"]
