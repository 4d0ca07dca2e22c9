"""Evaluating the risk rules, keeping one alert per open situation, and the child's risk level.

Rules are evaluated when a child's facts change (a registry save, a visit, an import: the registry's
after-change step, ``children.after``, calls ``evaluate_children``) and nightly for everyone (time
alone changes facts). An alert is a ``WorkItem`` with a deadline on the escalation mechanism, so a
missed response climbs village → township → county with notifications. Closing: medium and low
alerts close themselves when their facts no longer hold; urgent and high ones only by a visit that
confirms the child is safe or by a supervisor with a reason — unticking a box in the registry does
not silence them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouhu import versioning
from shouhu.accounts import access, responsible
from shouhu.children.classify import severely_disabled
from shouhu.children.models import Child
from shouhu.children.validators import age_on
from shouhu.escalation import deadlines, texts
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Status, WorkItem
from shouhu.regions.codes import county_of
from shouhu.regions.signals import places_touched

from . import rules
from .models import (
    Alert,
    AlertStatus,
    Case,
    CaseEvent,
    CaseSource,
    CaseStatus,
    ChildRisk,
    RiskLevel,
    RuleSetting,
)

ALERT_KIND = "alert"
TASK_KIND = "alert_task"
CASE_TASK_KIND = "case_task"
LEVEL_OF = {
    rules.URGENT: RiskLevel.URGENT,
    rules.HIGH: RiskLevel.HIGH,
    rules.MEDIUM: RiskLevel.WATCH,
    rules.LOW: RiskLevel.WATCH,
}
ORDER = [RiskLevel.URGENT, RiskLevel.HIGH, RiskLevel.WATCH, RiskLevel.STABLE]


# Settings -----------------------------------------------------------------------------------------


def _defaults(kind: rules.RuleKind) -> dict[str, Any]:
    return {
        "severity": kind.severity,
        "deadline_hours": kind.deadline_hours,
        "params": dict(kind.params),
        "notify": list(kind.notify),
    }


def settings_of(county: str) -> dict[str, RuleSetting]:
    """The county's rule settings as they stand, writing nothing: a rule the county never changed
    reads as its defaults (unsaved)."""
    existing = {s.code: s for s in RuleSetting.objects.filter(county_id=county)}
    return {
        code: existing.get(code) or RuleSetting(county_id=county, code=code, **_defaults(kind))
        for code, kind in rules.KINDS.items()
    }


def settings_ensure(county: str) -> dict[str, RuleSetting]:
    """The county's rule settings, saved from the defaults the first time (before a change)."""
    existing = {s.code: s for s in RuleSetting.objects.filter(county_id=county)}
    for code, kind in rules.KINDS.items():
        if code not in existing:
            existing[code], _created = RuleSetting.objects.get_or_create(
                county_id=county, code=code, defaults=_defaults(kind)
            )
    return existing


def rule_update(
    *,
    actor,
    county: str,
    code: str,
    enabled: bool | None = None,
    severity: str | None = None,
    deadline_hours: int | None = None,
    params: dict[str, int] | None = None,
    notify: list[str] | None = None,
) -> RuleSetting:
    """A county edits a rule's parameters (never its logic); each edit is kept in the history."""
    if not access.can_configure_county(actor, county):
        raise PermissionDenied(_("只有本县的工作人员可以修改风险规则。"))
    kind = rules.KINDS.get(code)
    if kind is None:
        raise ValidationError({"code": [_("没有这条规则。")]})
    setting = settings_ensure(county)[code]
    errors: dict[str, list[str]] = {}
    if enabled is not None:
        setting.enabled = enabled
    if severity is not None:
        if severity not in dict(rules.SEVERITIES):
            errors["severity"] = [_("风险等级只能是紧急、高、中、低。")]
        setting.severity = severity
    if deadline_hours is not None:
        if not 1 <= deadline_hours <= 24 * 90:
            errors["deadline_hours"] = [_("处置时限须在 1 小时到 90 天之间。")]
        setting.deadline_hours = deadline_hours
    if params is not None:
        bounds = {p.name: p for p in kind.bounds}
        new = dict(setting.params)
        for name, value in params.items():
            p = bounds.get(name)
            if p is None:
                errors[f"params.{name}"] = [_("该规则没有这个参数。")]
            elif not isinstance(value, int) or not p.minimum <= value <= p.maximum:
                errors[f"params.{name}"] = [
                    _("%(label)s须为 %(min)s 到 %(max)s 之间的整数。")
                    % {"label": p.label, "min": p.minimum, "max": p.maximum}
                ]
            else:
                new[name] = value
        setting.params = new
    if notify is not None:
        from shouhu.accounts.models import Role

        bad = [r for r in notify if r not in Role.values]
        if bad:
            errors["notify"] = [_("未知的角色：%s") % "、".join(bad)]
        setting.notify = notify
    if errors:
        raise ValidationError(errors)
    setting._history_user = actor
    setting.save()
    return setting


# Facts --------------------------------------------------------------------------------------------


def facts_of(child: Child, *, on: dt.date) -> rules.Facts:
    """What the rules read about one child, from the registry, the visits and the reports."""
    return facts_for([child.pk], on=on)[child.pk][0]


def facts_for(children, *, on: dt.date, bounds: tuple | None = None) -> dict[Any, tuple[rules.Facts, dict]]:
    """The facts of many children in five queries, whatever their number: the one place that says what
    the rules read. ``children`` is a query of children or a list of their ids. With ``bounds`` (the
    lowest and highest id of a page of the nightly run) the other tables are read by a range of their
    child index and the rows of children outside the page dropped here, rather than sending thousands
    of ids to the database. Returns {child id: (facts, the child's row: pk, region_code, village_id,
    name, household_id)}."""
    from shouhu.children.models import Carer, HouseholdMember, Parent
    from shouhu.visits.models import FAILED_OUTCOMES, Visit

    from .models import Report

    rows = children if isinstance(children, QuerySet) else Child.objects.filter(pk__in=list(children))
    rows = list(
        rows.values(
            "pk", "birth_date", "living_arrangement", "schooling", "region_code", "village_id", "name"
        )
    )
    wanted = {row["pk"] for row in rows}
    if bounds:
        near = {"child_id__gte": bounds[0], "child_id__lte": bounds[1]}
    else:
        near = {"child_id__in": list(wanted)}
    parents = defaultdict(list)
    for p in (
        Parent.objects.filter(**near)
        .order_by("role")
        .values(
            "child_id",
            "role",
            "situation",
            "situation_since",
            "police_report_date",
            "disability_grade",
            "disability_type",
        )
    ):
        # Out of contact counts from the police report when there is one, else from the last contact.
        lost = p["situation"] == "out_of_contact" and p["police_report_date"]
        parents[p["child_id"]].append(
            rules.ParentState(
                role=p["role"],  # a code: the facts are stored, and put into words when shown
                situation=p["situation"],
                since=p["police_report_date"] if lost else p["situation_since"],
                severe_disability=severely_disabled(p["disability_grade"], p["disability_type"]),
            )
        )
    carers = dict(Carer.objects.filter(**near).values_list("child_id", "capacity"))
    visits = defaultdict(list)
    for v in (
        Visit.objects.filter(visited_on__gte=on - dt.timedelta(days=180), **near)
        .order_by("-visited_on", "-created_at")
        .values("child_id", "visited_on", "outcome", "in_school", "parent_contact")
    ):
        visits[v["child_id"]].append(v)
    harms = defaultdict(list)
    for child_id, harm in (
        Report.objects.filter(**near).exclude(status="closed").values_list("child_id", "harm_type_id")
    ):
        harms[child_id].append(harm)
    homes = dict(
        HouseholdMember.objects.filter(left_on__isnull=True, **near).values_list("child_id", "household_id")
    )
    out = {}
    for row in rows:
        pk = row["pk"]
        row["household_id"] = homes.get(pk)
        seen = visits.get(pk, [])
        latest = next((v for v in seen if v["outcome"] not in FAILED_OUTCOMES), {})
        capacity = carers.get(pk)
        out[pk] = (
            rules.Facts(
                age=age_on(row["birth_date"], on),
                living_arrangement=row["living_arrangement"],
                has_carer=capacity is not None,
                carer_capable=capacity is None or capacity == "capable",
                parents=tuple(parents.get(pk, ())),
                schooling=row["schooling"],
                visit_in_school=latest.get("in_school", ""),
                visit_parent_contact=latest.get("parent_contact", ""),
                failed_attempt_dates=tuple(v["visited_on"] for v in seen if v["outcome"] in FAILED_OUTCOMES),
                reported_harms=tuple(harms.get(pk, ())),
            ),
            row,
        )
    return out


# Evaluation ---------------------------------------------------------------------------------------


def evaluate_child(*, child: Child, on: dt.date | None = None, actor=None) -> dict[str, list[str]]:
    """Evaluate every enabled rule for one child: open new alerts, close those whose facts went away
    (medium/low only), refresh the risk level. Returns {"opened": [...], "closed": [...]}."""
    if child.exited_on:
        return {"opened": [], "closed": []}
    result = _evaluate([child.pk], on=on or timezone.localdate(), actor=actor)
    return {"opened": result["opened"].get(child.pk, []), "closed": result["closed"].get(child.pk, [])}


def evaluate_children(
    *, children, on: dt.date | None = None, page_size: int = 2000, actor=None
) -> dict[str, int]:
    """The batch path (the registry's after-change step, the nightly job): the same rules over pages
    of children, read in a few queries per page. ``children`` is a query of children or a list of
    ids (one child edited, the rows an import wrote). Only children whose alerts change are written
    to, so a night when nothing changed reads and writes nothing else. ``actor``: who changed the
    facts, who opens the cases the rules open."""
    on = on or timezone.localdate()
    counts = {"children": 0, "opened": 0, "closed": 0}
    if isinstance(children, QuerySet):
        qs = children.filter(exited_on__isnull=True).order_by("pk")
        pages = _pages_of(qs, page_size)
    else:
        ids = sorted(set(children))
        pages = (
            (Child.objects.filter(pk__in=chunk, exited_on__isnull=True), chunk[0], chunk[-1])
            for chunk in (ids[i : i + page_size] for i in range(0, len(ids), page_size))
        )
    for page, first, last in pages:
        result = _evaluate(page, on=on, actor=actor, bounds=(first, last))
        counts["children"] += len(result["children"])
        counts["opened"] += sum(len(v) for v in result["opened"].values())
        counts["closed"] += sum(len(v) for v in result["closed"].values())
    return counts


def _pages_of(qs, page_size):
    """Pages of a query as ranges of ids (keyset paging): each page is the query within its range."""
    last = None
    while True:
        ids = list((qs.filter(pk__gt=last) if last else qs).values_list("pk", flat=True)[:page_size])
        if not ids:
            return
        yield qs.filter(pk__gte=ids[0], pk__lte=ids[-1]), ids[0], ids[-1]
        last = ids[-1]


def _household_siblings(facts: dict, *, on: dt.date) -> dict:
    """The facts of the children of the same households who are not among ``facts`` (one child's
    change, a page of the nightly run): a household rule reads the whole home."""
    from shouhu.children.models import HouseholdMember

    homes = {row["household_id"] for _f, row in facts.values() if row.get("household_id")}
    if not homes:
        return {}
    missing = set(
        HouseholdMember.objects.filter(
            household_id__in=homes, left_on__isnull=True, child__exited_on__isnull=True
        ).values_list("child_id", flat=True)
    ) - set(facts)
    return facts_for(list(missing), on=on) if missing else {}


def _evaluate(children, *, on: dt.date, actor, bounds: tuple | None = None) -> dict[str, Any]:
    opened: dict[Any, list[str]] = defaultdict(list)
    closed: dict[Any, list[str]] = defaultdict(list)
    touched: set = set()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        facts = facts_for(children, on=on, bounds=bounds)
        evaluated = list(facts)
        own = set(evaluated)  # looked up once per child and rule: a set, not the list
        facts.update(_household_siblings(facts, on=on))
        homes = {row["household_id"] for _f, row in facts.values() if row.get("household_id")}
        scope = Q(child_id__gte=bounds[0], child_id__lte=bounds[1]) if bounds else Q(child_id__in=list(facts))
        if bounds:
            scope |= Q(child_id__in=[pk for pk in facts if not bounds[0] <= pk <= bounds[1]])
        open_alerts: dict[tuple[Any, str], Alert] = {}
        home_alerts: dict[tuple[Any, str], Alert] = {}
        for a in Alert.objects.filter(scope | Q(household_id__in=homes), status=AlertStatus.OPEN).only(
            "id", "child_id", "household_id", "member_ids", "rule", "severity", "facts", "work_item_id"
        ):
            if a.household_id:
                home_alerts[(a.household_id, a.rule)] = a
            else:
                open_alerts[(a.child_id, a.rule)] = a
        counties: dict[str, dict[str, RuleSetting]] = {}
        to_open = []

        def params_of(county: str, code: str) -> dict[str, int]:
            if county not in counties:
                counties[county] = settings_of(county)
            kind, school = rules.KINDS[code], counties[county]["out_of_school"]
            alone = counties[county]["alone_under_16"]
            return {
                **kind.params,
                **counties[county][code].params,
                # The home's signals read the county's own ages: the school rule's and the alone rule's.
                **rules.signal_ages(school=school.params, alone=alone.params),
            }

        def settle(current, fired, row, kind, setting, home=None, covered=()):
            pk = row["pk"]
            if fired and current is None:
                to_open.append((row, kind, setting, fired, home, list(covered)))
                opened[pk].append(kind.code)
                touched.update([pk, *(m.child_id for m in covered)])
            elif fired and current is not None:
                ids = [str(m.child_id) for m in covered]
                if current.facts != fired or (home and current.member_ids != ids):
                    touched.update(current.member_ids or [current.child_id])
                    if home and current.work_item_id and current.member_ids != ids:
                        # The work names the children it now covers (a child's alert become the home's).
                        WorkItem.objects.filter(pk=current.work_item_id).update(
                            **texts.fields("alert", rule=kind.code, name=_named(covered, row))
                        )
                    current.facts, current.household_id = fired, home or current.household_id
                    current.member_ids = ids if home else current.member_ids
                    current.save(update_fields=["facts", "household", "member_ids"])
                    touched.update(ids)
            elif not fired and current is not None and current.severity in rules.SELF_CLOSING:
                _close(current, reason=_("触发条件已不再满足"), by=None, why="alert.closed.not_met")
                closed[pk].append(kind.code)
                touched.update([pk, *current.member_ids])

        def row_of(members):
            return facts[members[0].child_id][1]

        households: dict[Any, list] = defaultdict(list)
        for pk, (f, row) in facts.items():
            county = county_of(row["region_code"])
            params_of(county, "out_of_school")
            if row.get("household_id"):
                households[row["household_id"]].append(rules.Member(pk, row["name"], f))
            for code, setting in counties[county].items():
                kind = rules.KINDS[code]
                if kind.scope == rules.HOUSEHOLD and row.get("household_id"):
                    continue  # read with the whole home below
                if kind.scope != rules.HOUSEHOLD and pk not in own:
                    continue  # a sibling read for the home: its own rules are its own page's
                fired = kind.check(f, params_of(county, code), on) if setting.enabled else None
                settle(open_alerts.get((pk, code)), fired, row, kind, setting)
        for home, members in households.items():
            rows = {m.child_id: facts[m.child_id][1] for m in members}
            county = county_of(next(iter(rows.values()))["region_code"])
            for code, setting in counties[county].items():
                kind = rules.KINDS[code]
                if kind.scope != rules.HOUSEHOLD:
                    continue
                result = (
                    rules.check_household(kind, members, params_of(county, code), on)
                    if setting.enabled
                    else None
                )
                fired, covered = result if result else (None, [])
                current = home_alerts.get((home, code))
                # A child's own alert of this rule from before the household was known becomes the
                # household's; a second one of the same home closes into it.
                for m in members:
                    mine = open_alerts.pop((m.child_id, code), None)
                    if mine is None:
                        continue
                    if current is None:
                        current = mine
                    else:
                        _close(mine, reason=_("已合并为家庭预警"), by=None, why="alert.closed.merged")
                        touched.add(m.child_id)
                if not covered and current is None:
                    continue
                row = rows[covered[0].child_id] if covered else rows.get(current.child_id, row_of(members))
                settle(current, fired, row, kind, setting, home=home, covered=covered)
        if to_open:
            _open_alerts(to_open, actor=actor)
        _refresh_risks(touched | set(opened) | set(closed))
    return {"children": evaluated, "opened": opened, "closed": closed}


def _named(covered, row) -> list | str:
    """Who a household's work names: its children as ``[[name, age], …]``, eldest first (``texts``)."""
    if not covered:
        return row["name"]
    return [[m.name, m.facts.age] for m in sorted(covered, key=lambda m: -m.facts.age)]


def _open_alerts(to_open, *, actor) -> None:
    """Open the alerts of a page in sets: their work items and response tasks, the cases the rules
    open, and one escalation for those the township must hear of at once."""
    now = timezone.now()
    directors = responsible.directors_of({row["village_id"] for row, *_rest in to_open if row["village_id"]})
    items, alerts, at_once, case_alerts = [], [], [], []
    for row, kind, setting, fired, home, covered in to_open:
        # A household alert is one piece of work for the home, named by its children.
        who = _named(covered, row) if home else row["name"]
        covered = [m.child_id for m in covered]
        item = escalation.ItemSpec.timed(
            key=f"alert:{row['pk']}:{kind.code}:{now.isoformat()}",
            kind=f"{ALERT_KIND}.{kind.code}",
            made_at=now,
            deadline=deadlines.for_alert(
                hours=setting.deadline_hours,
                urgent=setting.severity == rules.URGENT,
                township_at_once="township_supervisor" in setting.notify,
            ),
            **texts.fields("alert", rule=kind.code, name=who),
            child_id=row["pk"],
            region_code=row["region_code"],
            responsible_id=directors.get(row["village_id"]),
        ).build()
        alert = Alert(
            id=uuid.uuid4(),
            child_id=row["pk"],
            household_id=home,
            member_ids=[str(pk) for pk in covered] if home else [],
            region_code=row["region_code"],
            rule=kind.code,
            severity=setting.severity,
            facts=fired,
            work_item_id=item.id,
            opened_at=now,
        )
        items.append(item)
        alerts.append(alert)
        if item.township_at <= now:
            at_once.append(item.id)
        if kind.opens_case:
            case_alerts.append((alert, kind, setting))
        for task in kind.tasks:
            items.append(
                escalation.ItemSpec.timed(
                    key=_task_key(alert, task.mark),
                    kind=f"{TASK_KIND}.{task.mark}",
                    made_at=now,
                    due_at=now + dt.timedelta(hours=task.hours),
                    **texts.fields("alert.task", task=f"{kind.code}.{task.mark}", name=who),
                    child_id=row["pk"],
                    region_code=row["region_code"],
                    responsible_id=item.responsible_id,
                ).build()
            )
    WorkItem.objects.bulk_create(items, batch_size=1000)
    Alert.objects.bulk_create(alerts, batch_size=1000)
    places_touched([a.region_code for a in alerts] + [i.region_code for i in items])
    with_case = set(
        Case.objects.filter(child_id__in=[a.child_id for a, *_rest in case_alerts])
        .exclude(status=CaseStatus.CLOSED)
        .values_list("child_id", flat=True)
    )
    for alert, kind, setting in case_alerts:
        if alert.child_id in with_case:
            continue
        with_case.add(alert.child_id)
        case_open(
            actor=actor,
            child=Child.objects.get(pk=alert.child_id),
            source=CaseSource.RULE,
            alert=alert,
            risk_level=setting.severity,
            parties=["公安机关", "学校"] if kind.code == "lured_into_crime" else [],
            check=False,
            refresh=False,  # the page's levels are refreshed together afterwards
        )
    if at_once:
        escalation.escalate(now=now, items=WorkItem.objects.filter(pk__in=at_once))


def _task_key(alert: Alert, mark: str) -> str:
    return f"alert-task:{alert.pk}:{mark}"


def alert_tasks(alert: Alert):
    """The alert's response tasks (police informed, written notice …), each a work item."""
    return WorkItem.objects.filter(key__in=[_task_key(alert, mark) for mark in rules.MARKS]).order_by(
        "due_at"
    )


def _close(alert: Alert, *, reason: str, by, why: str = "") -> None:
    """Close ``alert``; ``why`` is the code of a reason the system gives (``texts``), none for a
    person's reason. The response tasks still open are cancelled, saying so."""
    alert.status = AlertStatus.CLOSED
    alert.closed_at = timezone.now()
    alert.closed_by = by
    alert.close_reason = reason[:300]
    alert.close_reason_code = why
    alert.save(update_fields=["status", "closed_at", "closed_by", "close_reason", "close_reason_code"])
    if alert.work_item_id:
        escalation.items_complete(items=WorkItem.objects.filter(pk=alert.work_item_id))
    reason_words = texts.nested(why, {}, reason) if why else reason
    escalation.items_cancel(
        items=alert_tasks(alert), note=texts.stored("note.alert_closed", reason=reason_words)
    )


def alert_close(*, actor, alert: Alert, reason: str, expected_version: int | None = None) -> Alert:
    """A supervisor (or the county) closes an alert with a reason. Urgent and high alerts cannot be
    closed by the director who raised the work; a reason is always required. Closed once: of two
    people closing it at once, the second is told it was closed (``versioning.Conflict``)."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": [_("解除预警须说明原因。")]})
    if alert.severity not in rules.SELF_CLOSING and not access.can_manage_work(actor, alert.region_code):
        raise PermissionDenied(_("紧急和高风险预警须经走访确认或由督导员解除。"))
    if not access.can_edit(actor, alert.child):
        raise PermissionDenied(_("您无权处理该预警。"))
    with transaction.atomic():
        alert = versioning.locked(
            alert, expected=expected_version, seen_status=AlertStatus.OPEN, message=_alert_moved
        )
        _close(alert, reason=reason, by=actor)
        _refresh_risks({alert.child_id, *alert.member_ids})
    return alert


def _alert_moved(alert: Alert) -> str:
    if alert.status == AlertStatus.CLOSED:
        who = str(alert.closed_by) if alert.closed_by else _("系统")
        return _("该预警已由%(who)s解除（%(reason)s），无需再次处理。") % {
            "who": who,
            "reason": alert.close_reason,
        }
    return _("该预警已被他人处理，请查看当前状态。")


def alert_mark(
    *,
    actor,
    alert: Alert,
    police_informed: bool = False,
    notice_sent: bool = False,
    school_notified: bool = False,
    guardian_urged: bool = False,
    expected_version: int | None = None,
) -> Alert:
    """Record the responses the law asks for — police informed, written notice, school and education
    office notified, guardian urged — each completing its task."""
    if not access.can_edit(actor, alert.child):
        raise PermissionDenied(_("您无权处理该预警。"))
    now = timezone.now()
    flags = {
        "police_informed": police_informed,
        "notice_sent": notice_sent,
        "school_notified": school_notified,
        "guardian_urged": guardian_urged,
    }
    with transaction.atomic():
        alert = versioning.locked(alert, expected=expected_version)
        for mark, flag in flags.items():
            if flag and getattr(alert, f"{mark}_at") is None:
                setattr(alert, f"{mark}_at", now)
                escalation.items_complete(items=WorkItem.objects.filter(key=_task_key(alert, mark)), at=now)
        alert.save()
    return alert


def confirm_by_visit(*, visit) -> list[str]:
    """A completed home visit that saw the child safe, with a capable guardian present, closes the
    child's urgent and high alerts whose facts no longer hold."""
    from shouhu.visits.models import Outcome, VisitKind

    if visit.outcome != Outcome.DONE or visit.kind != VisitKind.HOME or not visit.saw_child:
        return []
    if visit.safe == "no" or visit.guardian_capable == "no":
        return []
    from shouhu.children.models import HouseholdMember

    child = visit.child
    on = visit.visited_on
    facts = facts_of(child, on=on)
    home = HouseholdMember.objects.filter(child=child, left_on__isnull=True).values("household_id")
    closed, touched = [], {child.pk}
    with translation.override(settings.LANGUAGE_CODE):
        for alert in Alert.objects.filter(
            Q(child=child) | Q(household_id__in=home),
            status=AlertStatus.OPEN,
            opened_at__lte=visit.created_at,
        ):
            kind = rules.KINDS[alert.rule]
            setting = settings_of(county_of(child.region_code))[alert.rule]
            params = {**kind.params, **setting.params}
            if alert.household_id:
                members = _members_of(alert.household_id, on=on)
                still = members and rules.check_household(kind, members, params, on)
            else:
                still = kind.check(facts, params, on)
            if not still:
                _close(
                    alert,
                    reason=_("入户走访确认儿童安全、监护到位"),
                    by=visit.visitor,
                    why="alert.closed.visited",
                )
                closed.append(alert.rule)
                touched.update(alert.member_ids)
    _refresh_risks(touched)
    return closed


def household_member_left(*, household_id, child_id) -> None:
    """A child moved out: the household's open alerts that named the child as theirs move to the
    eldest child still at home (with nobody left, they stay the child's own), and no longer cover it.
    The next evaluation (run on the same write) brings their facts up to date."""
    from shouhu.children.models import HouseholdMember

    stay = (
        HouseholdMember.objects.filter(
            household_id=household_id, left_on__isnull=True, child__exited_on__isnull=True
        )
        .order_by("child__birth_date")
        .values_list("child_id", flat=True)
        .first()
    )
    for alert in Alert.objects.filter(household_id=household_id, status=AlertStatus.OPEN):
        if stay is None:
            alert.household, alert.member_ids = None, []
        else:
            alert.member_ids = [m for m in alert.member_ids if m != str(child_id)] or [str(stay)]
            if alert.child_id == child_id:
                alert.child_id = stay
        alert.save(update_fields=["household", "member_ids", "child"])
    _refresh_risks([child_id])
    if stay is not None:
        evaluate_child(child=Child.objects.get(pk=stay))  # the home without the child


def _members_of(household_id, *, on: dt.date) -> list[rules.Member]:
    from shouhu.children.models import HouseholdMember

    ids = HouseholdMember.objects.filter(
        household_id=household_id, left_on__isnull=True, child__exited_on__isnull=True
    ).values_list("child_id", flat=True)
    return [rules.Member(pk, row["name"], f) for pk, (f, row) in facts_for(list(ids), on=on).items()]


def refresh_risk(*, child: Child) -> ChildRisk:
    """The child's level: the most severe of the open alerts and open cases, with their reasons."""
    _refresh_risks([child.pk])
    return ChildRisk.objects.get(child=child)


def _refresh_risks(child_ids) -> None:
    ids = list({pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk)) for pk in child_ids})
    if not ids:
        return
    levels: dict[Any, list[str]] = {pk: [RiskLevel.STABLE] for pk in ids}
    reasons: dict[Any, list[str]] = {pk: [] for pk in ids}
    from shouhu.children.models import HouseholdMember

    homes = HouseholdMember.objects.filter(child_id__in=ids, left_on__isnull=True).values("household_id")
    for pk, members, rule, severity in (
        Alert.objects.filter(Q(child_id__in=ids) | Q(household_id__in=homes), status=AlertStatus.OPEN)
        .order_by("opened_at")
        .values_list("child_id", "member_ids", "rule", "severity")
    ):
        # A household alert gives its level to each child it covers.
        for child_id in {uuid.UUID(m) for m in members} | {pk} if members else {pk}:
            if child_id in levels:
                levels[child_id].append(LEVEL_OF[severity])
                reasons[child_id].append(rule)  # codes, put into words when shown (``reason_words``)
    for pk, risk_level, status in (
        Case.objects.filter(child_id__in=ids)
        .exclude(status=CaseStatus.CLOSED)
        .order_by("opened_at")
        .values_list("child_id", "risk_level", "status")
    ):
        levels[pk].append(LEVEL_OF.get(risk_level, RiskLevel.WATCH))
        reasons[pk].append(f"case:{status}")
    ChildRisk.objects.bulk_create(
        [ChildRisk(child_id=pk, level=min(levels[pk], key=ORDER.index), reasons=reasons[pk]) for pk in ids],
        update_conflicts=True,
        unique_fields=["child"],
        update_fields=["level", "reasons", "updated_at"],
    )


# Cases --------------------------------------------------------------------------------------------


def case_open(
    *,
    actor,
    child: Child,
    source: str,
    risk_level: str,
    alert: Alert | None = None,
    report=None,
    parties: list[str] | None = None,
    note: str = "",
    check: bool = True,
    refresh: bool = True,
) -> Case:
    if check and not access.can_edit(actor, child):
        raise PermissionDenied(_("您无权为该儿童立案。"))
    case = Case.objects.create(
        child=child,
        region_code=child.region_code,
        source=source,
        alert=alert,
        report=report,
        risk_level=risk_level,
        parties=parties or [],
        opened_by=actor,
    )
    from shouhu.assistance import services as assistance

    assistance.case_opened(case=case)
    CaseEvent.objects.create(case=case, by=actor, status=CaseStatus.OPENED, text=note or str(source))
    if refresh:
        refresh_risk(child=child)
    return case


STEPS = {
    CaseStatus.OPENED: {CaseStatus.ASSESSED},
    CaseStatus.ASSESSED: {CaseStatus.PLANNED},
    CaseStatus.PLANNED: {CaseStatus.IN_SERVICE},
    CaseStatus.IN_SERVICE: {CaseStatus.IN_SERVICE, CaseStatus.REVIEWED},
    CaseStatus.REVIEWED: {CaseStatus.IN_SERVICE, CaseStatus.CLOSE_REQUESTED},
}
NEEDS = ("safety", "guardianship", "health", "education", "psychology", "livelihood")


def case_step(
    *,
    actor,
    case: Case,
    to: str,
    text: str = "",
    assessment: dict | None = None,
    plan: str | None = None,
    expected_version: int | None = None,
) -> Case:
    """Move a case one step along its lifecycle; each step is on the child's timeline. Taken once: a
    step from a status the case has already left is refused (``versioning.Conflict``)."""
    if not access.can_edit(actor, case.child):
        raise PermissionDenied(_("您无权处理该个案。"))
    with transaction.atomic():
        case = versioning.locked(
            case, expected=expected_version, seen_status=case.status, message=_case_moved
        )
        return _case_step(actor=actor, case=case, to=to, text=text, assessment=assessment, plan=plan)


def _case_moved(case: Case) -> str:
    return _("该个案已被他人处理，当前为“%(status)s”。") % {"status": case.get_status_display()}


def _case_step(*, actor, case: Case, to: str, text: str, assessment, plan) -> Case:
    if to not in STEPS.get(case.status, set()):
        raise ValidationError(
            {
                "status": [
                    _("个案不能从“%(a)s”转到“%(b)s”。")
                    % {"a": case.get_status_display(), "b": CaseStatus(to).label}
                ]
            }
        )
    if to == CaseStatus.ASSESSED:
        missing = [n for n in NEEDS if n not in (assessment or {})]
        if missing:
            raise ValidationError({"assessment": [_("请评估每个方面：%s") % "、".join(missing)]})
        case.assessment = assessment
    if to == CaseStatus.PLANNED:
        if not (plan or "").strip():
            raise ValidationError({"plan": [_("请填写服务计划：措施、责任人和期限。")]})
        case.plan = plan
    if to == CaseStatus.CLOSE_REQUESTED:
        if not text.strip():
            raise ValidationError({"outcome": [_("结案须填写结案情况。")]})
        case.outcome = text
        case.close_requested_by = actor
    with transaction.atomic():
        case.status = to
        case.save()
        CaseEvent.objects.create(case=case, by=actor, status=to, text=text)
        if to == CaseStatus.CLOSE_REQUESTED and case.risk_level not in (rules.URGENT, rules.HIGH):
            _close_case(case, by=actor)
    return case


def case_approve_closure(*, actor, case: Case, expected_version: int | None = None) -> Case:
    """High-risk cases close only with a supervisor's approval, and nobody approves their own request."""
    with transaction.atomic():
        case = versioning.locked(
            case, expected=expected_version, seen_status=case.status, message=_case_moved
        )
        return _approve_closure(actor=actor, case=case)


def _approve_closure(*, actor, case: Case) -> Case:
    if case.status != CaseStatus.CLOSE_REQUESTED:
        raise ValidationError({"status": [_("该个案没有待审批的结案申请。")]})
    if not access.can_manage_work(actor, case.region_code):
        raise PermissionDenied(_("结案须由督导员或县级工作人员审批。"))
    if actor.pk == case.close_requested_by_id:
        raise PermissionDenied(_("不能审批自己提交的结案申请。"))
    with transaction.atomic():
        _close_case(case, by=actor)
    return case


# Case tasks: the plan's measures, each with a responsible person and a deadline that climbs the tiers.


def case_tasks(case: Case):
    return WorkItem.objects.filter(
        child_id=case.child_id, kind=CASE_TASK_KIND, key__startswith=f"case-task:{case.pk}:"
    ).order_by("status", "due_at")


def case_tasks_prefetch(*, to_attr: str) -> Prefetch:
    """Every case's tasks, read with the cases (through their child) into ``to_attr``."""
    tasks = (
        WorkItem.objects.filter(kind=CASE_TASK_KIND)
        .select_related("responsible")
        .order_by("status", "due_at")
    )
    return Prefetch("child__work_items", queryset=tasks, to_attr=to_attr)


def case_task_add(*, actor, case: Case, title: str, due_on: dt.date, responsible=None) -> WorkItem:
    """A measure of the plan with its deadline (the end of ``due_on``); missed, it climbs village →
    township → county → bureau like every other piece of work. Recorded on the case's timeline."""
    if not access.can_edit(actor, case.child):
        raise PermissionDenied(_("您无权处理该个案。"))
    errors: dict[str, list[str]] = {}
    if case.status == CaseStatus.CLOSED:
        errors["case"] = [_("个案已结案，不能再添加任务。")]
    if not (title or "").strip():
        errors["title"] = [_("请写明要做什么。")]
    today = timezone.localdate()
    if due_on is None or due_on < today:
        errors["due_on"] = [_("完成期限不能早于今天。")]
    elif due_on > today + dt.timedelta(days=366):
        errors["due_on"] = [_("完成期限不能超过一年。")]
    responsible = responsible or actor
    if not access.can_edit(responsible, case.child):
        errors["responsible"] = [_("责任人须是能处理该儿童档案的工作人员。")]
    if errors:
        raise ValidationError(errors)
    due = timezone.make_aware(dt.datetime.combine(due_on, dt.time(23, 59)))
    with transaction.atomic():
        item = escalation.item_create(
            escalation.ItemSpec.timed(
                key=f"case-task:{case.pk}:{uuid.uuid4()}",
                kind=CASE_TASK_KIND,
                made_at=timezone.now(),
                due_at=due,
                **texts.fields("case.task", what=title.strip()[:150], name=case.child.name),
                child_id=case.child_id,
                region_code=case.region_code,
                responsible_id=responsible.pk,
            )
        )
        CaseEvent.objects.create(
            case=case,
            by=actor,
            status=case.status,
            **_event(
                "case.task_added",
                what=title.strip(),
                who=responsible.get_full_name() or responsible.username,
                due=due_on.isoformat(),
            ),
        )
    return item


def _event(code: str, **params) -> dict:
    """A timeline entry's columns for the system's words: ``text`` in the registry's language, and
    the code and parameters that put it into the reader's."""
    words = texts.stored(code, **params)
    return {"text": words["text"], "code": code, "params": params}


def case_task_done(*, actor, case: Case, item: WorkItem, note: str = "") -> WorkItem:
    if not access.can_edit(actor, case.child):
        raise PermissionDenied(_("您无权处理该个案。"))
    if not case_tasks(case).filter(pk=item.pk).exists():
        raise ValidationError({"task": [_("该任务不属于这个个案。")]})
    if item.status != Status.OPEN:
        raise ValidationError({"task": [_("该任务已完成或已取消。")]})
    with transaction.atomic():
        escalation.items_complete(items=WorkItem.objects.filter(pk=item.pk))
        if note.strip():
            WorkItem.objects.filter(pk=item.pk).update(note=note.strip()[:300])
        CaseEvent.objects.create(
            case=case,
            by=actor,
            status=case.status,
            **_event(
                "case.task_done_note" if note.strip() else "case.task_done",
                title={"code": item.code, "params": item.params, "text": item.title},
                **({"note": note.strip()} if note.strip() else {}),
            ),
        )
    item.refresh_from_db()
    return item


def _close_case(case: Case, *, by) -> None:
    case.status = CaseStatus.CLOSED
    case.closed_by = by
    case.closed_at = timezone.now()
    case.save()
    CaseEvent.objects.create(case=case, by=by, status=CaseStatus.CLOSED, text=case.outcome)
    escalation.items_cancel(items=case_tasks(case), note=texts.stored("note.case_closed"))
    refresh_risk(child=case.child)


__all__ = [
    "settings_of",
    "settings_ensure",
    "rule_update",
    "evaluate_child",
    "evaluate_children",
    "alert_close",
    "alert_mark",
    "confirm_by_visit",
    "refresh_risk",
    "case_open",
    "case_step",
    "case_approve_closure",
    "case_tasks",
    "case_task_add",
    "case_task_done",
    "Status",
]
