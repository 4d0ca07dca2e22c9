"""What a quarterly report says, and the reads of the reports themselves.

A report is read once, as its requester sees the region (every query goes through
``accounts.access``), into a ``Content``: the dashboard's figures (``insight.selectors.dashboard``),
assistance, the changes with their reasons, overdue work, open high-risk cases and the rescue measures
and contacts of each village. ``deidentified`` turns it into the form read above the township: no
child's name, no family's contact, no free text that may name someone (plans, work titles). ID numbers
are in neither form: a report has no use for them (minimum necessary, ``children.tiers``: sensitive).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouhu.accounts import access
from shouhu.accounts.models import User, WelfareWorker, WorkerKind
from shouhu.assistance.models import Application, ApplicationStatus, Payment
from shouhu.cases.models import Case, CaseStatus
from shouhu.cases.rules import HIGH, URGENT
from shouhu.children.models import Category, CategoryEvent, Child, ChildCategory, RescueContact
from shouhu.children.options import ExitReason
from shouhu.escalation.models import Status
from shouhu.insight.selectors import AGE_BANDS, Dashboard, dashboard, quarter_of
from shouhu.regions.codes import Level, at_level, is_township, level_of, township_of
from shouhu.regions.models import Region
from shouhu.visits.selectors import homes_within

from . import permissions
from .models import QuarterlyReport, Submission

QUARTER_NAMES = {
    1: gettext_lazy("第一季度"),
    2: gettext_lazy("第二季度"),
    3: gettext_lazy("第三季度"),
    4: gettext_lazy("第四季度"),
}
# Work items by the first part of their kind: named so, without their titles (which name the child).
WORK_KINDS = {
    "visit": gettext_lazy("走访"),
    "alert": gettext_lazy("预警处置"),
    "alert_task": gettext_lazy("预警响应任务"),
    "case_task": gettext_lazy("个案任务"),
    "report": gettext_lazy("强制报告核查"),
    "assistance": gettext_lazy("救助审核审批"),
}
LIST_LIMIT = 300  # rows of a named list (changes, overdue work); the rest are counted, not listed
AREA_LENGTH = {Level.COUNTY: 9, Level.TOWNSHIP: 12}


def is_reporting_township(code: str) -> bool:
    """Whether a township-level division files a quarterly report.

    The statistical division code rules (统计用区划代码编制规则) number a county's township-level units
    001–099 for streets (街道), 100–199 for towns (镇), 200–399 for townships (乡) and 400–599 for units
    "like townships" (类似乡级单位: development zones, industrial parks), which have no township
    government, no child-welfare workstation and no households (Lixin's 341623401 and 341623402).
    """
    return is_township(code) and code.isdigit() and int(code[6:9]) < 400


def title_of(region: Region, year: int, quarter: int) -> str:
    return _("%(place)s%(year)s年%(quarter)s农村留守儿童和困境儿童关爱保护工作报告") % {
        "place": place_name(region),
        "year": year,
        "quarter": QUARTER_NAMES[quarter],
    }


def place_name(region: Region) -> str:
    """利辛县王市镇 for a township, 利辛县 for a county: the name a report is headed with."""
    if level_of(region.code) == Level.TOWNSHIP and region.parent is not None:
        return f"{region.parent.name}{region.name}"
    return region.name


def period_of(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    return quarter_of(dt.date(year, 3 * (quarter - 1) + 1, 1))


def previous_quarter(today: dt.date | None = None) -> tuple[int, int]:
    """The quarter a report is usually written for: the one that ended last."""
    first, _last = quarter_of(today or timezone.localdate())
    day = first - dt.timedelta(days=1)
    return day.year, (day.month - 1) // 3 + 1


def recent_quarters(today: dt.date | None = None, count: int = 8) -> list[tuple[int, int]]:
    first, _last = quarter_of(today or timezone.localdate())
    out = []
    for _i in range(count):
        out.append((first.year, (first.month - 1) // 3 + 1))
        first = quarter_of(first - dt.timedelta(days=1))[0]
    return out


def age_band(birth_date: dt.date, on: dt.date) -> str:
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for label, low, high in AGE_BANDS:
        if low <= age <= high:
            return label
    return str(age)


def case_reference(case: Case) -> str:
    """The short reference printed on documents about a case (``documents.contents``)."""
    return f"{case.pk}"[:8].upper()


def work_kind_label(kind: str) -> str:
    return str(WORK_KINDS.get(kind.split(".", 1)[0], kind))


# --- the content of one report ----------------------------------------------------------------------


@dataclass
class Content:
    title: str
    place: str
    region: Region
    year: int
    quarter: int
    version: int
    start: dt.date
    end: dt.date
    generated_at: dt.datetime
    named: bool
    board: Dashboard
    assistance: list[dict[str, Any]] = field(default_factory=list)
    assistance_totals: dict[str, Any] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    exits: list[dict[str, Any]] = field(default_factory=list)
    change_details: list[dict[str, Any]] = field(default_factory=list)
    change_details_more: int = 0
    overdue: list[dict[str, Any]] = field(default_factory=list)
    overdue_items: list[dict[str, Any]] = field(default_factory=list)
    overdue_items_more: int = 0
    high_risk: list[dict[str, Any]] = field(default_factory=list)
    supervisors: list[dict[str, Any]] = field(default_factory=list)
    villages: list[dict[str, Any]] = field(default_factory=list)

    def headline(self) -> dict[str, Any]:
        """The figures kept on the report row (lists, the API); the files hold the rest."""
        board = self.board
        return {
            "children": board.children,
            "categories": {c["code"]: c["n"] for c in board.categories},
            "registered": board.changes.get("registered", 0),
            "exited": board.changes.get("exited", 0),
            "visits_due": board.visits.get("due", 0),
            "visits_on_time": board.visits.get("on_time", 0),
            "visits_overdue": board.visits.get("overdue", 0),
            "coverage": board.visits.get("coverage"),
            "sessions": board.sessions,
            "open_alerts": sum(a["n"] for a in board.alerts),
            "open_cases": board.cases.get("open", 0),
            "high_risk_cases": len(self.high_risk),
            "paid": str(self.assistance_totals.get("paid", 0)),
        }


def content_for(*, report: QuarterlyReport, user: User, now: dt.datetime | None = None) -> Content:
    """Everything the report says, as ``user`` (its requester) sees the region, with names.

    Figures "as they stand" (children, alerts, cases, overdue work) are those at ``now``; the others
    (visits, sessions, changes, assistance) are the quarter's.
    """
    now = now or timezone.now()
    region = Region.objects.select_related("parent").get(code=report.region_code)
    code = region.code
    start, end = period_of(report.year, report.quarter)
    today = timezone.localdate(now)
    content = Content(
        title=title_of(region, report.year, report.quarter),
        place=place_name(region),
        region=region,
        year=report.year,
        quarter=report.quarter,
        version=report.version,
        start=start,
        end=end,
        generated_at=now,
        named=True,
        board=dashboard(user=user, region=region, start=start, end=end),
    )
    villages = dict(Region.objects.filter(code__within=code, level=Level.VILLAGE).values_list("code", "name"))
    townships = dict(
        Region.objects.filter(code__within=township_of(code), level=Level.TOWNSHIP).values_list(
            "code", "name"
        )
    )

    def village_name(region_code: str) -> str:
        name = villages.get(at_level(region_code, Level.VILLAGE), "")
        if level_of(code) == Level.COUNTY and township_of(region_code) in townships:
            return f"{townships[township_of(region_code)]} {name}".strip()
        return name

    children = access.children_visible_to(user).filter(region_code__within=code)
    _assistance(content, user=user, code=code, start=start, end=end)
    _changes(content, children=children, start=start, end=end, village_name=village_name)
    _overdue(content, user=user, code=code, now=now, village_name=village_name, townships=townships)
    cases = list(
        access.cases_visible_to(user)
        .filter(region_code__within=code)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("child")
        .order_by("region_code", "opened_at")
    )
    _high_risk(content, user=user, cases=cases, now=now, today=today, village_name=village_name)
    _villages(content, code=code, cases=cases, villages=villages, townships=townships)
    return content


def _assistance(content: Content, *, user: User, code: str, start: dt.date, end: dt.date) -> None:
    apps = access.visible(user, Application).filter(region_code__within=code)
    in_period = Q(created_at__date__gte=start, created_at__date__lte=end)
    decided = Q(decided_at__date__gte=start, decided_at__date__lte=end)
    rows = {}
    for row in apps.values("type_id", "type__name").annotate(
        applied=Count("pk", filter=in_period),
        approved=Count("pk", filter=decided & Q(status__in=[ApplicationStatus.APPROVED, "stopped"])),
        paying=Count("pk", filter=Q(status=ApplicationStatus.APPROVED)),
        waiting=Count(
            "pk", filter=Q(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.TOWNSHIP_APPROVED])
        ),
    ):
        rows[row["type_id"]] = {**row, "name": row["type__name"], "paid": 0, "payments": 0}
    payments = Payment.objects.filter(application__in=apps, month__gte=start, month__lte=end)
    for row in payments.values("application__type_id").annotate(n=Count("pk"), total=Sum("amount")):
        if row["application__type_id"] in rows:
            rows[row["application__type_id"]].update(payments=row["n"], paid=row["total"] or 0)
    content.assistance = sorted(rows.values(), key=lambda r: r["type_id"])
    content.assistance_totals = {
        key: sum(r[key] for r in content.assistance)
        for key in ("applied", "approved", "paying", "waiting", "payments", "paid")
    }


def _changes(
    content: Content,
    *,
    children: QuerySet[Child],
    start: dt.date,
    end: dt.date,
    village_name: Callable[[str], str],
) -> None:
    events = (
        CategoryEvent.objects.filter(child__in=children.values("pk"), on__gte=start, on__lte=end)
        .select_related("child", "category")
        .order_by("on", "child__region_code")
    )
    grouped: Counter[tuple[str, str, str]] = Counter()
    details = []
    for event in events:
        direction = _("纳入") if event.gained else _("退出类别")
        grouped[(str(event.category), direction, event.reason)] += 1
        details.append(
            {
                "on": event.on,
                "name": event.child.name,
                "village": village_name(event.child.region_code),
                "category": str(event.category),
                "change": direction,
                "reason": event.reason,
            }
        )
    content.changes = [
        {"category": c, "change": d, "reason": r, "n": n} for (c, d, r), n in sorted(grouped.items())
    ]
    exits = Counter(
        children.filter(exited_on__gte=start, exited_on__lte=end).values_list("exit_reason", flat=True)
    )
    labels = dict(ExitReason.choices)
    content.exits = [{"reason": str(labels.get(r, r or "—")), "n": n} for r, n in sorted(exits.items())]
    content.change_details = details[:LIST_LIMIT]
    content.change_details_more = max(0, len(details) - LIST_LIMIT)


def _overdue(
    content: Content,
    *,
    user: User,
    code: str,
    now: dt.datetime,
    village_name: Callable[[str], str],
    townships: dict[str, str],
) -> None:
    length = AREA_LENGTH.get(level_of(code), 12)
    items = (
        access.work_items_visible_to(user)
        .filter(region_code__within=code, status=Status.OPEN, due_at__lt=now)
        .select_related("responsible")
        .order_by("due_at")
    )
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    listed: list[dict[str, Any]] = []
    total = 0
    for item in items:
        total += 1
        days = (now - item.due_at).days
        area = item.region_code[:length]
        area_name = townships.get(area) if length == 9 else village_name(area)
        key = (area_name or area, work_kind_label(item.kind))
        row = grouped.setdefault(key, {"area": key[0], "kind": key[1], "n": 0, "days": 0})
        row["n"] += 1
        row["days"] = max(row["days"], days)
        if len(listed) < LIST_LIMIT:
            listed.append(
                {
                    "title": item.text,
                    "village": village_name(item.region_code),
                    "responsible": str(item.responsible or "—"),
                    "due": timezone.localtime(item.due_at).date(),
                    "days": days,
                    "tier": item.get_tier_display(),
                }
            )
    content.overdue = [grouped[k] for k in sorted(grouped)]
    content.overdue_items = listed
    content.overdue_items_more = max(0, total - len(listed))


def _high_risk(
    content: Content,
    *,
    user: User,
    cases: list[Case],
    now: dt.datetime,
    today: dt.date,
    village_name: Callable[[str], str],
) -> None:
    high = [c for c in cases if c.risk_level in (URGENT, HIGH)]
    child_ids = [c.child_id for c in high]
    names = {c.code: str(c) for c in Category.objects.all()}  # in the report's language
    categories = defaultdict(list)
    for child_id, category in ChildCategory.objects.filter(child_id__in=child_ids).values_list(
        "child_id", "category_id"
    ):
        categories[child_id].append(names.get(category, category))
    late = defaultdict(list)
    for item in (
        access.work_items_visible_to(user)
        .filter(child_id__in=child_ids, status=Status.OPEN, due_at__lt=now)
        .order_by("due_at")
    ):
        late[item.child_id].append(item)
    severity = {URGENT: _("紧急"), HIGH: _("高")}
    content.high_risk = [
        {
            "reference": case_reference(case),
            "name": case.child.name,
            "village": village_name(case.region_code),
            "age_band": age_band(case.child.birth_date, today),
            "categories": "、".join(categories.get(case.child_id, [])) or "—",
            "severity": str(severity[case.risk_level]),
            "status": case.get_status_display(),
            "opened": timezone.localtime(case.opened_at).date(),
            "days": (now - case.opened_at).days,
            "overdue": "；".join(i.text for i in late.get(case.child_id, [])) or "—",
            "overdue_kinds": "、".join(
                f"{kind}×{n}"
                for kind, n in Counter(work_kind_label(i.kind) for i in late.get(case.child_id, [])).items()
            )
            or "—",
        }
        for case in high
    ]


def _villages(
    content: Content, *, code: str, cases: list[Case], villages: dict[str, str], townships: dict[str, str]
) -> None:
    """Per village: the child director, the children's home, and each open case's rescue measures
    (the parties engaged and the plan) and the child's rescue contacts. The township's supervisors
    head the list (one per township, not repeated on every village)."""
    directors = defaultdict(list)
    supervisors = []
    for worker in (
        WelfareWorker.objects.filter(region__code__within=code, ended_on__isnull=True)
        .select_related("user")
        .order_by("region_id", "name")
    ):
        phone = worker.phone or (worker.user.phone if worker.user else "")
        entry = {"name": worker.name, "phone": phone or "—"}
        if worker.kind == WorkerKind.DIRECTOR:
            directors[worker.region_id].append(entry)
        elif worker.kind == WorkerKind.SUPERVISOR and is_reporting_township(worker.region_id):
            supervisors.append({**entry, "township": townships.get(worker.region_id, worker.region_id)})
    homes = {h.village_id: h for h in homes_within(code)}
    contacts = defaultdict(list)
    for contact in RescueContact.objects.filter(child_id__in=[c.child_id for c in cases]).order_by("name"):
        contacts[contact.child_id].append(
            {"name": contact.name, "relation": contact.relation, "role": contact.role, "phone": contact.phone}
        )
    by_village = defaultdict(list)
    for case in cases:
        by_village[at_level(case.region_code, Level.VILLAGE)].append(
            {
                "reference": case_reference(case),
                "name": case.child.name,
                "parties": "、".join(case.parties or []) or "—",
                "plan": case.plan or "",
                "contacts": contacts.get(case.child_id, []),
            }
        )
    content.supervisors = supervisors
    content.villages = [
        {
            "code": village,
            "name": name,
            "township": townships.get(township_of(village), "") if level_of(code) == Level.COUNTY else "",
            "directors": directors.get(village, []),
            "home": homes.get(village),
            "cases": by_village.get(village, []),
        }
        for village, name in sorted(villages.items())
        if is_reporting_township(township_of(village))
    ]


def deidentified(content: Content) -> Content:
    """The report as read above the township: cases by reference, village, age band and categories;
    no child's name, no family's contact, no plan or work title (free text that may name someone)."""
    return dataclasses.replace(
        content,
        named=False,
        change_details=[],
        change_details_more=0,
        overdue_items=[],
        overdue_items_more=0,
        high_risk=[{**row, "name": "", "overdue": row["overdue_kinds"]} for row in content.high_risk],
        villages=[
            {
                **village,
                "cases": [{**case, "name": "", "plan": "", "contacts": []} for case in village["cases"]],
            }
            for village in content.villages
        ],
    )


# --- the reports ------------------------------------------------------------------------------------


def reports_visible_to(user: User) -> QuerySet[QuarterlyReport]:
    return permissions.quarterly_reports.queryset(user).select_related("region", "requested_by")


def get_report_for(*, user: User, report_id: uuid.UUID | str) -> QuarterlyReport:
    """A report the user may read; 404 for a missing one, one out of reach and a malformed id alike."""
    from django.core.exceptions import ValidationError
    from django.http import Http404

    try:
        return reports_visible_to(user).get(pk=report_id)
    except (ValidationError, ValueError, QuarterlyReport.DoesNotExist) as exc:
        raise Http404 from exc


def reads_names(user: User, report: QuarterlyReport) -> bool:
    """Whether ``user`` gets the form of ``report`` that names children: a township's report, read by
    those who generate it (``QuarterlyReportPolicy.can_generate``: the township's supervisor). A
    county's report, and a township's read by the county, are de-identified."""
    return report.is_township and permissions.quarterly_reports.can_generate(user, report.region_code)


def generable_regions(user: User) -> list[Region]:
    """The regions whose report ``user`` may generate (their own township or county)."""
    code = access.territory_code(user)
    if not code or not permissions.quarterly_reports.can_generate(user, code):
        return []
    return list(Region.objects.filter(code=code))


def county_for(user: User) -> Region | None:
    """The county whose townships ``user`` follows: their own county (staff, civil affairs,
    administrators of a county); administrators of everywhere start at the first county loaded."""
    code = access.territory_code(user)
    if code and level_of(code) == Level.COUNTY:
        return access.get_region_for(user, code)
    if user.is_superuser:
        return access.regions_visible_to(user).filter(level=Level.COUNTY).order_by("code").first()
    return None


@dataclass
class TownshipState:
    township: Region
    state: str  # a Submission value; "draft" reads as not submitted
    report: QuarterlyReport | None

    @property
    def label(self) -> str:
        return str(Submission(self.state).label)


def township_states(*, user: User, county: Region, year: int, quarter: int) -> list[TownshipState]:
    """Each reporting township of ``county`` for a quarter: not submitted, submitted, returned or
    acknowledged — the state of its latest submitted version. ``user`` reads the county's reports."""
    townships = [
        r
        for r in Region.objects.filter(code__within=county.code, level=Level.TOWNSHIP).order_by("code")
        if is_reporting_township(r.code)
    ]
    reports = (
        permissions.quarterly_reports.queryset(user)
        .filter(region_code__within=county.code, year=year, quarter=quarter)
        .order_by("region_code", "-submitted_at", "-version")
    )
    latest: dict[str, QuarterlyReport] = {}
    for report in reports.exclude(status=Submission.DRAFT):
        if report.is_township and report.region_code not in latest:
            latest[report.region_code] = report
    return [
        TownshipState(
            township=t,
            state=latest[t.code].status if t.code in latest else Submission.DRAFT,
            report=latest.get(t.code),
        )
        for t in townships
    ]
