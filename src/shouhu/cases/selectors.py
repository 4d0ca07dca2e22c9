"""Reads of the find-and-intervene pages — alerts, mandatory reports, cases, the county's rule settings
and children's risk levels — each scoped through ``accounts.access``. Anything fetched by id is 404
outside the reader's reach, for "missing" and "not yours" alike."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Case as Choose
from django.db.models import (
    Count,
    F,
    IntegerField,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from shouhu.accounts import access
from shouhu.accounts.models import User
from shouhu.regions.codes import Level, county_of, is_county, reaches, township_of
from shouhu.regions.models import Region

from . import rules
from .models import (
    Alert,
    AlertStatus,
    Case,
    CaseEvent,
    CaseStatus,
    ChildRisk,
    HarmType,
    Report,
    ReportStatus,
    RiskLevel,
    RuleSetting,
)

if TYPE_CHECKING:
    from shouhu.children.models import Child

_M = TypeVar("_M", bound=Model)

SEVERITY_ORDER = [code for code, _label in rules.SEVERITIES]
RISK_ORDER = [RiskLevel.URGENT, RiskLevel.HIGH, RiskLevel.WATCH, RiskLevel.STABLE]


def _get_or_404(qs: QuerySet[_M], **lookup: object) -> _M:
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError) as exc:  # a malformed id is as missing
        raise Http404 from exc


def _severity_rank(field_name: str = "severity") -> Choose:
    return Choose(
        *[When(**{field_name: code}, then=Value(i)) for i, code in enumerate(SEVERITY_ORDER)],
        default=Value(len(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )


# --- alerts ----------------------------------------------------------------------------------------


def open_alerts(*, user: User, severity: str = "", region: str = "") -> QuerySet[Alert]:
    """Open alerts the user may see, the most severe first and, within a severity, the oldest first."""
    qs: QuerySet[Alert] = access.alerts_visible_to(user).filter(status=AlertStatus.OPEN)
    if severity:
        qs = qs.filter(severity=severity)
    if region:
        qs = qs.filter(region_code__within=region)
    return (
        qs.select_related("child__village__parent", "child__found_region", "work_item")
        .annotate(rank=_severity_rank())
        .order_by("rank", "opened_at", "pk")
    )


def open_alert_count(user: User) -> int:
    """How many alerts the alert list shows with no filter: the menu's badge is this number."""
    return open_alerts(user=user).count()


def _home() -> Coalesce:
    """The home an alert belongs to: its household, else its child's current household, else the
    child alone (one group per home on the alert list)."""
    from shouhu.children.models import HouseholdMember

    current = HouseholdMember.objects.filter(child_id=OuterRef("child_id"), left_on__isnull=True).values(
        "household_id"
    )[:1]
    return Coalesce(F("household_id"), Subquery(current), F("child_id"), output_field=UUIDField())


def open_alert_groups(*, user: User, severity: str = "", region: str = "") -> QuerySet[Alert, dict[str, Any]]:
    """The homes with open alerts (``home``, ``n`` alerts, the worst severity, the oldest), the most
    pressing first: what the alert list pages through."""
    return (
        open_alerts(user=user, severity=severity, region=region)
        .select_related(None)
        .annotate(home=_home())
        .order_by()
        .values("home")
        .annotate(n=Count("pk"), worst=Min("rank"), oldest=Min("opened_at"))
        .order_by("worst", "oldest", "home")
    )


def alerts_of_groups(
    *, user: User, groups: Iterable[Mapping[str, Any]], severity: str = "", region: str = ""
) -> list[list[Alert]]:
    """The open alerts of the given homes (rows of ``open_alert_groups``), one list per home, in the
    order of ``groups``: one query."""
    homes = [g["home"] for g in groups]
    by_home: dict[Any, list[Alert]] = {home: [] for home in homes}
    for alert in (
        open_alerts(user=user, severity=severity, region=region).annotate(home=_home()).filter(home__in=homes)
    ):
        by_home[alert.home].append(alert)
    return [by_home[home] for home in homes]


def alerts_raised_since(*, child: Child, since: dt.datetime) -> list[Alert]:
    """The open alerts opened for ``child`` (or for its household) since ``since``: what saving the
    child's file or a visit raised, shown to the person who saved it."""
    # A household alert names its children in ``member_ids`` (JSON, read here: SQLite has no lookup).
    return [
        a
        for a in Alert.objects.filter(
            region_code=child.region_code, opened_at__gte=since, status=AlertStatus.OPEN
        ).order_by("opened_at")
        if a.child_id == child.pk or str(child.pk) in (a.member_ids or [])
    ]


def get_alert_for(*, user: User, alert_id: uuid.UUID | str) -> Alert:
    visible: QuerySet[Alert] = access.alerts_visible_to(user)
    return _get_or_404(
        visible.select_related(
            "child__village__parent", "child__found_region", "work_item__responsible", "closed_by"
        ),
        pk=alert_id,
    )


def child_alerts(*, user: User, child: Child) -> list[Alert]:
    """A child's open alerts, then the closed ones of the last year, newest first."""
    return list(
        access.alerts_visible_to(user)
        # The household's alerts too: each child of the home shows them.
        .filter(
            Q(child_id=child.pk)
            | Q(household__members__child_id=child.pk, household__members__left_on__isnull=True)
        )
        .distinct()
        .select_related("work_item", "closed_by")
        .annotate(
            rank=_severity_rank(),
            shut=Choose(
                When(status=AlertStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("shut", "rank", "-opened_at")[:30]
    )


# --- reports ---------------------------------------------------------------------------------------


def harm_type_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The statutory nine first, then the county's own additions, as option groups."""
    from django.utils.translation import gettext

    statutory: list[tuple[str, str]] = []
    local: list[tuple[str, str]] = []
    for harm in HarmType.objects.order_by("order", "code"):
        (statutory if harm.statutory else local).append((harm.code, harm.label))
    groups = [(gettext("法定强制报告情形"), statutory)]
    if local:
        groups.append((gettext("本地增加的情形"), local))
    return groups


def territory_reports(*, user: User) -> QuerySet[Report]:
    """Reports of the places the user works (the township triages them), unlinked ones first."""
    code = access.territory_code(user)
    qs: QuerySet[Report] = access.reports_visible_to(user)
    if not user.is_superuser:
        if not code:
            return qs.none()
        qs = qs.filter(Q(township__code__within=code) | Q(village__code__within=code))
    return (
        qs.select_related("harm_type", "township", "village", "child", "work_item")
        .annotate(
            todo=Choose(
                When(status=ReportStatus.RECEIVED, then=Value(0)),
                When(status=ReportStatus.LINKED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("todo", "-created_at", "pk")
    )


def my_reports(*, user: User) -> QuerySet[Report]:
    visible: QuerySet[Report] = access.reports_visible_to(user)
    return (
        visible.filter(reporter_id=user.pk)
        .select_related("harm_type", "township", "village")
        .order_by("-created_at", "pk")
    )


def get_report_for(*, user: User, report_id: uuid.UUID | str) -> Report:
    visible: QuerySet[Report] = access.reports_visible_to(user)
    return _get_or_404(
        visible.select_related(
            "harm_type", "township", "village__parent", "child__village__parent", "reporter", "work_item"
        ),
        pk=report_id,
    )


def triages(user: User, report: Report) -> bool:
    """Whether the user works the report's place (sees its child data, may act on it as far as
    ``reports`` allows); a reporter from outside sees only the status."""
    return access.in_territory(user, report.village_id or report.township_id)


def report_form_county(*, user: User, wanted: str | None = None) -> str | None:
    """The county whose townships a report form offers: ``wanted`` when it names a county, else the
    county of the user's region or organisation, else the only county loaded; None when one must be
    chosen."""
    if wanted and is_county(wanted) and Region.objects.filter(code=wanted, level=Level.COUNTY).exists():
        return wanted
    for region_code in (
        user.region_id,
        user.organisation.region_id if user.organisation is not None else None,
    ):
        if region_code and reaches(region_code, Level.COUNTY):
            return county_of(region_code)
    counties = list(Region.objects.filter(level=Level.COUNTY).values_list("code", flat=True)[:2])
    return counties[0] if len(counties) == 1 else None


def counties() -> QuerySet[Region]:
    return Region.objects.filter(level=Level.COUNTY).select_related("parent").order_by("code")


def county_places(county: str) -> tuple[list[Region], list[Region]]:
    """The county's townships and villages (for the report form's selects)."""
    regions = list(
        Region.objects.filter(code__within=county, level__in=[Level.TOWNSHIP, Level.VILLAGE]).order_by("code")
    )
    return [r for r in regions if r.level == Level.TOWNSHIP], [r for r in regions if r.level == Level.VILLAGE]


def report_candidates(*, user: User, report: Report, q: str = "") -> list[Child]:
    """Children the report may be about: the matches ``reports.candidates`` finds, or — searched by a
    person — the children of the report's village (township) matching ``q``."""
    from shouhu.children import selectors as child_selectors

    from . import reports

    if q:
        return list(
            child_selectors.children_list(user=user, q=q, region=report.village_id or report.township_id)[:20]
        )
    return list(reports.candidates(user=user, report=report).select_related("village__parent")[:20])


# --- cases -----------------------------------------------------------------------------------------


def cases_list(*, user: User, status: str = "", region: str = "") -> QuerySet[Case]:
    qs: QuerySet[Case] = access.cases_visible_to(user)
    if status == "open":
        qs = qs.exclude(status=CaseStatus.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(region_code__within=region)
    return (
        qs.select_related("child__village__parent", "child__found_region", "opened_by")
        .annotate(
            shut=Choose(
                When(status=CaseStatus.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            rank=_severity_rank("risk_level"),
        )
        .order_by("shut", "rank", "opened_at", "pk")
    )


def get_case_for(*, user: User, case_id: uuid.UUID | str) -> Case:
    visible: QuerySet[Case] = access.cases_visible_to(user)
    return _get_or_404(
        visible.select_related(
            "child__village__parent",
            "child__found_region",
            "alert",
            "report__harm_type",
            "opened_by",
            "close_requested_by",
            "closed_by",
        ),
        pk=case_id,
    )


def case_events(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("by").order_by("at", "pk"))


def child_cases(*, user: User, child: Child) -> list[Case]:
    return list(
        access.cases_visible_to(user)
        .filter(child_id=child.pk)
        .prefetch_related("events__by")
        .order_by("-opened_at")
    )


# --- rule settings ---------------------------------------------------------------------------------


@dataclass
class RuleChange:
    when: dt.datetime
    who: Any
    created: bool
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _shown(name: str, value: Any) -> str:
    from django.utils.translation import gettext

    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if name == "severity":
        return str(dict(rules.SEVERITIES).get(value, value))
    return str(value)


def rule_history(*, setting: RuleSetting, kind: rules.RuleKind) -> list[RuleChange]:
    """Who changed which setting of a rule from what to what, newest first."""
    labels = {p.name: str(p.label) for p in kind.bounds}
    fields = {
        "enabled": str(RuleSetting._meta.get_field("enabled").verbose_name),
        "severity": str(RuleSetting._meta.get_field("severity").verbose_name),
        "deadline_hours": str(RuleSetting._meta.get_field("deadline_hours").verbose_name),
    }
    out: list[RuleChange] = []
    previous = None
    for record in setting.history.select_related("history_user").order_by("history_date", "history_id"):
        if previous is None:
            out.append(RuleChange(record.history_date, record.history_user, True))
        else:
            changes = [
                (label, _shown(name, getattr(previous, name)), _shown(name, getattr(record, name)))
                for name, label in fields.items()
                if getattr(previous, name) != getattr(record, name)
            ]
            before, after = previous.params or {}, record.params or {}
            changes += [
                (labels.get(name, name), str(before.get(name, "—")), str(after.get(name, "—")))
                for name in sorted(set(before) | set(after))
                if before.get(name) != after.get(name)
            ]
            if list(previous.notify or []) != list(record.notify or []):
                changes.append(
                    (
                        str(RuleSetting._meta.get_field("notify").verbose_name),
                        _roles(previous.notify),
                        _roles(record.notify),
                    )
                )
            if changes:
                out.append(RuleChange(record.history_date, record.history_user, False, changes))
        previous = record
    return out[::-1]


def _roles(values: Iterable[str] | None) -> str:
    from django.utils.translation import pgettext

    from shouhu.accounts.models import Role

    labels = dict(Role.choices)
    return pgettext("list separator", "、").join(str(labels.get(v, v)) for v in values or []) or "—"


# --- risk levels -----------------------------------------------------------------------------------


def risk_levels(child_ids: Iterable[object]) -> dict[Any, str]:
    """{child id: level} for children whose level is not the default (stable): one query. The ids
    come from pages that fetched the children through ``access``."""
    ids = {i for i in child_ids if i}
    if not ids:
        return {}
    return dict(
        ChildRisk.objects.filter(child_id__in=ids)
        .exclude(level=RiskLevel.STABLE)
        .values_list("child_id", "level")
    )


def child_risk(child: Child) -> ChildRisk | None:
    """The child's level and why; read with the child when it was fetched with ``select_related("risk")``."""
    from shouhu.children.models import Child

    if Child.risk.is_cached(child):
        return cast("ChildRisk | None", Child.risk.related.get_cached_value(child, default=None))
    return ChildRisk.objects.filter(child_id=child.pk).first()


def task_people(child: Child) -> list[User]:
    """Who may be made responsible for a case task: the staff whose territory holds the child."""
    from shouhu.accounts.models import Role

    code = child.region_code
    candidates = User.objects.filter(
        is_active=True,
        role__in=[Role.VILLAGE_DIRECTOR, Role.TOWNSHIP_SUPERVISOR, Role.COUNTY_STAFF],
        region_id__in=[code, township_of(code), county_of(code)],
    ).order_by("-region_id", "username")
    return [u for u in candidates if access.can_edit(u, child)]
