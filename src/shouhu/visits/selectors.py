"""Reads of the visits pages — work lists, overdue summaries, investigations, children's homes and the
visit policy — each scoped through ``accounts.access``. Anything fetched by id is 404 outside the
reader's jurisdiction, for "missing" and "not yours" alike."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Field, Max, Min, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from shouhu.accounts import access
from shouhu.accounts.models import Role, User
from shouhu.escalation import services as escalation
from shouhu.escalation.actions import Group, group_by_home
from shouhu.escalation.models import Notification, Status, WorkItem
from shouhu.regions.codes import Level, is_within, reaches
from shouhu.regions.models import Region

from . import permissions
from .homes import HOME_SESSION, week_of
from .models import ChildrensHome, Investigation, InvestigationItem, Visit, VisitPolicy
from .rules import end_of_day
from .services import POLICY_FIELDS

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from shouhu.cases.models import Alert
    from shouhu.children.models import Child

_M = TypeVar("_M", bound=Model)

LIST_LIMIT = 100
NOTIFICATIONS_SHOWN = 20
# The level below an area, by the length of its code: "" (everywhere) → provinces, … county → townships.
NEXT_LEVEL_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}


def _get_or_404(qs: QuerySet[_M], **lookup: object) -> _M:
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError) as exc:  # a malformed id is as missing
        raise Http404 from exc


def home_area(user: User) -> str | None:
    """The code of the area a user's pages start from: the territory, "" for an administrator who sees
    everywhere, None for grant-only users."""
    code = access.territory_code(user)
    if code:
        return code
    return "" if user.is_superuser else None


# --- work items ------------------------------------------------------------------------------------


def get_work_item_for(*, user: User, item_id: uuid.UUID | str) -> WorkItem:
    visible: QuerySet[WorkItem] = access.work_items_visible_to(user)
    return _get_or_404(visible.select_related("child", "responsible"), pk=item_id)


def days_overdue(*, due_at: dt.datetime, now: dt.datetime | None = None) -> int:
    """Calendar days since the due day: a visit due by the end of 30 November is one day late on
    1 December, whatever the hour."""
    now = now or timezone.now()
    return max((timezone.localdate(now) - timezone.localdate(due_at)).days, 1)


# The filters of the work lists: which kinds of item each choice shows.
ITEM_FILTERS = {
    "visit": (gettext_lazy("走访"), Q(kind__startswith="visit.")),
    "alert": (gettext_lazy("预警处置"), Q(kind__startswith="alert")),
    "case": (gettext_lazy("报告和个案"), Q(kind__startswith="report.") | Q(kind__startswith="case_task")),
    "other": (
        gettext_lazy("其他"),
        ~Q(kind__startswith="visit.")
        & ~Q(kind__startswith="alert")
        & ~Q(kind__startswith="report.")
        & ~Q(kind__startswith="case_task"),
    ),
}
OVERDUE_PAGE = 30


def item_filter_choices() -> list[tuple[str, _StrPromise]]:
    return [("", gettext_lazy("全部事项"))] + [(k, label) for k, (label, _q) in ITEM_FILTERS.items()]


def filter_items(
    qs: QuerySet[WorkItem],
    *,
    kind: str = "",
    overdue: bool = False,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[WorkItem]:
    """Narrow a list of items to a kind (``ITEM_FILTERS``; an unknown one is ignored), to the overdue,
    and to those due between two days (local, inclusive): what a dashboard figure counts."""
    if kind in ITEM_FILTERS:
        qs = qs.filter(ITEM_FILTERS[kind][1])
    if overdue:
        qs = qs.filter(status=Status.OPEN, due_at__lt=now or timezone.now())
    if due_from:
        qs = qs.filter(due_at__gte=timezone.make_aware(dt.datetime.combine(due_from, dt.time.min)))
    if due_to:
        qs = qs.filter(due_at__lte=timezone.make_aware(dt.datetime.combine(due_to, dt.time.max)))
    return qs


@dataclass
class MyWork:
    """The work a person answers for, as a child director reads it on her phone: each list also
    grouped by home and child (``*_groups``), the overdue ones a page at a time."""

    overdue: list[WorkItem] = field(default_factory=list)
    this_week: list[WorkItem] = field(default_factory=list)
    later: list[WorkItem] = field(default_factory=list)
    later_count: int = 0
    done: list[WorkItem] = field(default_factory=list)
    overdue_page: Any = None
    overdue_count: int = 0

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.this_week or self.later or self.done)

    @property
    def overdue_groups(self) -> list[Group]:
        return group_by_home(self.overdue)

    @property
    def this_week_groups(self) -> list[Group]:
        return group_by_home(self.this_week)

    @property
    def later_groups(self) -> list[Group]:
        return group_by_home(self.later)


def my_work(
    *, user: User, now: dt.datetime | None = None, kind: str = "", page: int | str | None = None
) -> MyWork:
    """Open items due this week (Monday–Sunday) and later, overdue ones (with days overdue, a page of
    ``OVERDUE_PAGE`` at a time), and those done this month — of which the user is the responsible
    person; ``kind`` narrows them (``ITEM_FILTERS``)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    week_end = end_of_day(week_of(today)[1])
    month_start = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time.min))
    mine = filter_items(
        access.work_items_visible_to(user).filter(responsible_id=user.pk).select_related("child", "alert"),
        kind=kind,
    )
    open_items = mine.filter(status=Status.OPEN).order_by("due_at", "pk")
    overdue_page = Paginator(open_items.filter(due_at__lt=now), OVERDUE_PAGE).get_page(page)
    overdue = list(overdue_page.object_list)
    for item in overdue:
        item.days_overdue = days_overdue(due_at=item.due_at, now=now)
    later = open_items.filter(due_at__gt=week_end)
    return MyWork(
        overdue=overdue,
        overdue_page=overdue_page,
        overdue_count=overdue_page.paginator.count,
        this_week=list(open_items.filter(due_at__gte=now, due_at__lte=week_end)[:LIST_LIMIT]),
        later=list(later[:LIST_LIMIT]),
        later_count=later.count(),
        done=list(
            mine.filter(status=Status.DONE, done_at__gte=month_start).order_by("-done_at", "pk")[:LIST_LIMIT]
        ),
    )


# Kinds of work that answer a child in danger: an alert and the responses it asks for.
URGENT_KINDS = ("alert.", "alert_task.", "report.")
TODAY_SHOWN = 20


@dataclass
class Today:
    """A person's work for today, as the home page shows it: urgent items (alerts and their
    responses, reports to triage) first, then overdue, then due today; each item once."""

    urgent: list[WorkItem] = field(default_factory=list)
    overdue: list[WorkItem] = field(default_factory=list)
    due_today: list[WorkItem] = field(default_factory=list)
    this_week: int = 0
    later: int = 0

    @property
    def empty(self) -> bool:
        return not (self.urgent or self.overdue or self.due_today)

    @property
    def items(self) -> list[WorkItem]:
        return [*self.urgent, *self.overdue, *self.due_today]


def today_work(*, user: User, now: dt.datetime | None = None) -> Today:
    """The open items ``user`` answers for that need acting on today: urgent ones (``URGENT_KINDS``,
    whenever due), overdue ones (with days overdue) and those due by the end of today; how many more
    fall due this week and later. Read from ``my_work``, the same list as 我的工作."""
    now = now or timezone.now()
    mine = my_work(user=user, now=now)
    end_today = end_of_day(timezone.localdate(now))

    def urgent(item: WorkItem) -> bool:
        return item.kind.startswith(URGENT_KINDS)

    upcoming = [*mine.this_week, *mine.later]
    today = Today(
        urgent=[i for i in [*mine.overdue, *upcoming] if urgent(i)][:TODAY_SHOWN],
        overdue=[i for i in mine.overdue if not urgent(i)][:TODAY_SHOWN],
        due_today=[i for i in mine.this_week if not urgent(i) and i.due_at <= end_today][:TODAY_SHOWN],
    )
    today.this_week = sum(1 for i in mine.this_week if not urgent(i) and i.due_at > end_today)
    today.later = mine.later_count - sum(1 for i in mine.later if urgent(i))
    for item in today.urgent:
        item.overdue = item.due_at < now  # type: ignore[attr-defined]  # for the page, not a field
    return today


@dataclass
class OverdueRow:
    code: str
    name: str
    count: int
    oldest: dt.datetime
    responsible: User | None = None
    assigned: bool = True  # False: nobody answers for these items (no director in post)

    @property
    def days(self) -> int:
        return days_overdue(due_at=self.oldest)


def overdue_by_area(*, user: User, area: str, now: dt.datetime | None = None) -> list[OverdueRow]:
    """Overdue work in ``area`` counted one level down: per township for a county, per village and
    responsible person for a township. Three queries whatever the number of items."""
    now = now or timezone.now()
    items = escalation.overdue(access.work_items_visible_to(user), now=now).filter(region_code__within=area)
    per_person = reaches(area, Level.TOWNSHIP)
    if per_person:
        rows = list(
            items.values("region_code", "responsible_id")
            .annotate(count=Count("pk"), oldest=Min("due_at"))
            .order_by("region_code", "responsible_id")
        )
        for row in rows:
            row["area"] = row["region_code"]
    else:
        length = NEXT_LEVEL_LENGTH.get(len(area), 12)
        rows = list(
            items.annotate(area=Substr("region_code", 1, length))
            .values("area")
            .annotate(count=Count("pk"), oldest=Min("due_at"))
            .order_by("area")
        )
    names = dict(Region.objects.filter(code__in={r["area"] for r in rows}).values_list("code", "name"))
    people = {}
    if per_person:
        ids = {r["responsible_id"] for r in rows if r["responsible_id"]}
        people = {u.pk: u for u in User.objects.filter(pk__in=ids)} if ids else {}
    return [
        OverdueRow(
            code=r["area"],
            name=names.get(r["area"], r["area"]),
            count=r["count"],
            oldest=r["oldest"],
            responsible=people.get(r.get("responsible_id")),
            assigned=not per_person or bool(r.get("responsible_id")),
        )
        for r in rows
    ]


def open_items_in(
    *,
    user: User,
    area: str,
    kind: str = "",
    overdue: bool = False,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[WorkItem]:
    """Open items of an area, the most overdue first; ``filter_items`` narrows them."""
    return filter_items(
        access.work_items_visible_to(user)
        .filter(status=Status.OPEN, region_code__within=area)
        .select_related("child", "responsible", "alert")
        .order_by("due_at", "pk"),
        kind=kind,
        overdue=overdue,
        due_from=due_from,
        due_to=due_to,
        now=now,
    )


def reassign_candidates(*, township: str) -> QuerySet[User]:
    """Who may take over a township's work: its child directors and supervisors in post."""
    return (
        User.objects.filter(
            is_active=True,
            role__in=(Role.VILLAGE_DIRECTOR, Role.TOWNSHIP_SUPERVISOR),
            region__code__within=township,
        )
        .select_related("region")
        .order_by("region_id", "full_name", "username")
    )


def area_trail(*, user: User, area: str) -> list[Region]:
    """The regions from the top of the user's jurisdiction down to ``area``, for a breadcrumb."""
    top = home_area(user) or ""
    codes = [area[:n] for n in (2, 4, 6, 9, 12) if len(top) <= n <= len(area)]
    by_code = {r.code: r for r in access.regions_visible_to(user).filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def notifications(*, user: User) -> tuple[list[Notification], int]:
    """The latest in-app notifications and how many are unread."""
    latest = list(escalation.notifications_for(user=user).order_by("-created_at")[:NOTIFICATIONS_SHOWN])
    return latest, escalation.notifications_for(user=user, unread_only=True).count()


# --- one child's visits ----------------------------------------------------------------------------


def homes_within(code: str) -> QuerySet[ChildrensHome]:
    """The children's homes of the villages in ``code`` (for a report of the place)."""
    return ChildrensHome.objects.filter(village__code__within=code)


def child_visits(*, child: Child, limit: int = 20) -> list[Visit]:
    """A child's latest visits with their visitors (the child was fetched through ``access``)."""
    return list(child.visits.select_related("visitor").order_by("-visited_on", "-created_at")[:limit])


def child_open_items(*, user: User, child: Child) -> list[WorkItem]:
    return list(
        access.work_items_visible_to(user)
        .filter(child_id=child.pk, status=Status.OPEN)
        .select_related("responsible")
        .order_by("due_at")
    )


SOON = dt.timedelta(hours=24)


@dataclass
class Consequences:
    """What saving a visit or a child's file set in motion, as the user is told on saving: the alerts
    it raised, the work due within a day, and the people the system notified."""

    alerts: list[Alert] = field(default_factory=list)
    due_soon: list[WorkItem] = field(default_factory=list)
    told: list[User] = field(default_factory=list)


def save_consequences(
    *, user: User, child: Child, since: dt.datetime, now: dt.datetime | None = None
) -> Consequences:
    """The alerts opened for ``child`` (or for its household) since ``since``, the child's open work due
    within 24 hours, and whom the alerts' escalation notified (each person once)."""
    from shouhu.cases.selectors import alerts_raised_since

    now = now or timezone.now()
    alerts = alerts_raised_since(child=child, since=since)
    due_soon = list(
        access.work_items_visible_to(user)
        .filter(child_id=child.pk, status=Status.OPEN, due_at__lte=now + SOON)
        .order_by("due_at", "pk")
    )
    items = [a.work_item_id for a in alerts if a.work_item_id]
    told_ids = set(
        Notification.objects.filter(item_id__in=items, created_at__gte=since).values_list(
            "user_id", flat=True
        )
    )
    told = list(User.objects.filter(pk__in=told_ids).select_related("region").order_by("role", "pk"))
    return Consequences(alerts=alerts, due_soon=due_soon, told=told)


# --- visit policy ----------------------------------------------------------------------------------


def policy_of(county_code: str) -> VisitPolicy:
    """The county's policy, or (before anyone changed it) the defaults it would be created with."""
    return VisitPolicy.objects.filter(county_id=county_code).select_related("county").first() or VisitPolicy(
        county=Region.objects.get(code=county_code)
    )


@dataclass
class PolicyChange:
    when: dt.datetime
    who: User | None
    created: bool
    changes: list[tuple[str, Any, Any]]


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    return str(value)


def policy_history(policy: VisitPolicy) -> list[PolicyChange]:
    """Who changed which frequency from what to what, newest first."""
    if policy.pk is None:
        return []
    records = list(policy.history.select_related("history_user").order_by("history_date", "history_id"))
    out: list[PolicyChange] = []
    previous = None
    for record in records:
        if previous is None:
            out.append(PolicyChange(record.history_date, record.history_user, True, []))
        else:
            delta = record.diff_against(previous, included_fields=POLICY_FIELDS)
            changes = [
                (
                    str(cast("Field[Any, Any]", VisitPolicy._meta.get_field(c.field)).verbose_name),
                    _shown(c.old),
                    _shown(c.new),
                )
                for c in delta.changes
            ]
            if changes:
                out.append(PolicyChange(record.history_date, record.history_user, False, changes))
        previous = record
    return out[::-1]


# --- investigations --------------------------------------------------------------------------------


def investigations_visible_to(user: User) -> QuerySet[Investigation]:
    """The investigations of the county the user works in (``permissions.InvestigationPolicy``)."""
    return permissions.investigations.queryset(user).select_related("county", "opened_by", "closed_by")


def investigations_with_progress(*, user: User) -> QuerySet[Investigation]:
    """Each investigation with the checks done and to do within the user's territory, in one query."""
    from django.db.models import Q

    from .models import CheckStatus

    area = home_area(user) or ""
    inside = Q(items__region_code__within=area)
    return (
        investigations_visible_to(user)
        .annotate(
            total=Count("items", filter=inside),
            checked=Count("items", filter=inside & ~Q(items__status=CheckStatus.PENDING)),
        )
        .order_by("-year", "-quarter")
    )


def get_investigation_for(*, user: User, investigation_id: uuid.UUID | str) -> Investigation:
    return _get_or_404(investigations_visible_to(user), pk=investigation_id)


def checks_visible_to(user: User, investigation: Investigation) -> QuerySet[InvestigationItem]:
    return permissions.checks.queryset(user).filter(investigation=investigation)


def checks_in(*, user: User, investigation: Investigation, area: str) -> QuerySet[InvestigationItem]:
    """The children to check in an area, those still to do first."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import CheckStatus

    return (
        checks_visible_to(user=user, investigation=investigation)
        .filter(region_code__within=area)
        .select_related("child", "checked_by")
        .annotate(
            todo=Case(
                When(status=CheckStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("todo", "child__name", "pk")
    )


def get_check_for(
    *, user: User, investigation: Investigation, check_id: uuid.UUID | str
) -> InvestigationItem:
    return _get_or_404(
        checks_visible_to(user=user, investigation=investigation).select_related("investigation", "child"),
        pk=check_id,
    )


def summary_for(*, user: User, investigation: Investigation, area: str) -> dict[str, Any]:
    """The closed investigation's summary within ``area`` (an area of the user's jurisdiction):
    townships the area covers whole, and the rescue lists of its villages."""
    summary = investigation.summary or {}
    if _outside_jurisdiction(user, area):
        return {"townships": [], "rescue": []}
    return {
        "townships": [
            {"code": code, **row}
            for code, row in sorted(summary.get("townships", {}).items())
            if is_within(code, area)
        ],
        "rescue": [
            {"code": code, **row}
            for code, row in sorted(summary.get("rescue", {}).items())
            if is_within(code, area)
        ],
    }


def _outside_jurisdiction(user: User, area: str) -> bool:
    top = home_area(user)
    return top is None or not is_within(area, top)


# --- children's homes ------------------------------------------------------------------------------


def homes_visible_to(user: User) -> QuerySet[ChildrensHome]:
    """Homes of the villages in the user's jurisdiction, with the last session and whether the weekly
    check flagged them (an open ``home.session`` item)."""
    flagged = access.work_items_visible_to(user).filter(
        kind=HOME_SESSION, status=Status.OPEN, region_code=OuterRef("village_id")
    )
    return (
        ChildrensHome.objects.filter(village__in=access.regions_visible_to(user))
        .select_related("village__parent")
        .annotate(last_session=Max("sessions__held_on"), flagged=Exists(flagged))
        .order_by("village_id")
    )


def get_home_for(*, user: User, home_id: uuid.UUID | str) -> ChildrensHome:
    return _get_or_404(homes_visible_to(user), pk=home_id)


def home_children(*, user: User, home: ChildrensHome) -> QuerySet[Child]:
    """The village's registered children the user may see: who may attend a session."""
    return (
        access.children_visible_to(user)
        .filter(region_code=home.village_id, exited_on__isnull=True)
        .order_by("name", "pk")
    )
