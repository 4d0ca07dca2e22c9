"""Evaluating the risk rules, keeping one alert per open situation, and the child's risk level.

Rules are evaluated when a child's facts change (a registry save, a visit: see ``receivers``), in a
batch for imports (``evaluate_children``) and nightly for everyone (time alone changes facts). An
alert is a ``WorkItem`` with a deadline on the escalation mechanism, so a missed response climbs
village → township → county with notifications. Closing: medium and low alerts close themselves when
their facts no longer hold; urgent and high ones only by a visit that confirms the child is safe or by a
supervisor with a reason — unticking a box in the registry does not silence them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouhu.accounts import access
from shouhu.children.classify import severely_disabled
from shouhu.children.models import Child
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Status, Tier, WorkItem

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
LEVEL_OF = {
    rules.URGENT: RiskLevel.URGENT,
    rules.HIGH: RiskLevel.HIGH,
    rules.MEDIUM: RiskLevel.WATCH,
    rules.LOW: RiskLevel.WATCH,
}
ORDER = [RiskLevel.URGENT, RiskLevel.HIGH, RiskLevel.WATCH, RiskLevel.STABLE]


# Settings -----------------------------------------------------------------------------------------


def settings_for(county: str) -> dict[str, RuleSetting]:
    """The county's rule settings, created from the defaults the first time."""
    existing = {s.code: s for s in RuleSetting.objects.filter(county_id=county)}
    for code, kind in rules.KINDS.items():
        if code not in existing:
            existing[code], _created = RuleSetting.objects.get_or_create(
                county_id=county,
                code=code,
                defaults={
                    "severity": kind.severity,
                    "deadline_hours": kind.deadline_hours,
                    "params": dict(kind.params),
                    "notify": list(kind.notify),
                },
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
    setting = settings_for(county)[code]
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
    from shouhu.visits.models import FAILED_OUTCOMES, Visit

    parents = tuple(
        rules.ParentState(
            role=p.get_role_display(),
            situation=p.situation,
            since=p.police_report_date
            if p.situation == "out_of_contact" and p.police_report_date
            else p.situation_since,
            severe_disability=severely_disabled(p.disability_grade, p.disability_type),
        )
        for p in child.parents.all()
    )
    carer = getattr(child, "carer", None)
    visits = list(
        Visit.objects.filter(child=child, visited_on__gte=on - dt.timedelta(days=180))
        .order_by("-visited_on", "-created_at")
        .values("visited_on", "outcome", "in_school", "parent_contact")
    )
    done = [v for v in visits if v["outcome"] not in FAILED_OUTCOMES]
    latest = done[0] if done else {}
    harms = tuple(child.reports.exclude(status="closed").values_list("harm_type_id", flat=True))
    return rules.Facts(
        age=child.age_on(on),
        living_arrangement=child.living_arrangement,
        has_carer=carer is not None,
        carer_capable=carer is None or carer.capacity == "capable",
        parents=parents,
        schooling=child.schooling,
        visit_in_school=latest.get("in_school", ""),
        visit_parent_contact=latest.get("parent_contact", ""),
        failed_attempt_dates=tuple(v["visited_on"] for v in visits if v["outcome"] in FAILED_OUTCOMES),
        reported_harms=harms,
    )


# Evaluation ---------------------------------------------------------------------------------------


def evaluate_child(*, child: Child, on: dt.date | None = None, actor=None) -> dict[str, list[str]]:
    """Evaluate every enabled rule for one child: open new alerts, close those whose facts went away
    (medium/low only), refresh the risk level. Returns {"opened": [...], "closed": [...]}."""
    on = on or timezone.localdate()
    if child.exited_on:
        return {"opened": [], "closed": []}
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        facts = facts_of(child, on=on)
        county = child.region_code[:6]
        open_alerts = {a.rule: a for a in child.alerts.filter(status=AlertStatus.OPEN)}
        opened, closed = [], []
        for code, setting in settings_for(county).items():
            kind = rules.KINDS[code]
            fired = kind.check(facts, {**kind.params, **setting.params}, on) if setting.enabled else None
            current = open_alerts.get(code)
            if fired and current is None:
                _open_alert(child=child, kind=kind, setting=setting, facts=fired, actor=actor)
                opened.append(code)
            elif fired and current is not None and current.facts != fired:
                current.facts = fired
                current.save(update_fields=["facts"])
            elif not fired and current is not None and current.severity in rules.SELF_CLOSING:
                _close(current, reason=_("触发条件已不再满足"), by=None)
                closed.append(code)
        refresh_risk(child=child)
    return {"opened": opened, "closed": closed}


def evaluate_children(*, children, on: dt.date | None = None) -> dict[str, int]:
    """The batch path (imports, the nightly job): the same evaluation, children fetched in pages."""
    on = on or timezone.localdate()
    counts = defaultdict(int)
    qs = children.filter(exited_on__isnull=True).select_related("carer").prefetch_related("parents")
    last = None
    while True:
        page = list((qs.filter(pk__gt=last) if last else qs).order_by("pk")[:500])
        if not page:
            break
        for child in page:
            result = evaluate_child(child=child, on=on)
            counts["children"] += 1
            counts["opened"] += len(result["opened"])
            counts["closed"] += len(result["closed"])
        last = page[-1].pk
    return dict(counts)


def _open_alert(
    *, child: Child, kind: rules.RuleKind, setting: RuleSetting, facts: dict[str, Any], actor
) -> Alert:
    now = timezone.now()
    due = now + dt.timedelta(hours=setting.deadline_hours)
    urgent = setting.severity == rules.URGENT
    item = WorkItem.objects.create(
        key=f"alert:{child.pk}:{kind.code}:{now.isoformat()}",
        kind=f"{ALERT_KIND}.{kind.code}",
        title=f"{kind.name}：{child.name}",
        child=child,
        region_code=child.region_code,
        responsible=_director_of(child),
        due_at=due,
        # Urgent alerts reach the township at once and the county when their deadline passes.
        township_at=now if urgent or "township_supervisor" in setting.notify else due,
        county_at=due if urgent else due + dt.timedelta(days=7),
        tier=Tier.VILLAGE,
    )
    alert = Alert.objects.create(
        child=child,
        region_code=child.region_code,
        rule=kind.code,
        severity=setting.severity,
        facts=facts,
        work_item=item,
    )
    if kind.opens_case and not child.cases.exclude(status=CaseStatus.CLOSED).exists():
        case_open(
            actor=actor,
            child=child,
            source=CaseSource.RULE,
            alert=alert,
            risk_level=setting.severity,
            parties=["公安机关", "学校"] if kind.code == "lured_into_crime" else [],
            check=False,
        )
    if urgent or "township_supervisor" in setting.notify:
        escalation.escalate(now=now, items=WorkItem.objects.filter(pk=item.pk))
    return alert


def _director_of(child: Child):
    from shouhu.accounts.models import WelfareWorker, WorkerKind

    worker = (
        WelfareWorker.objects.filter(
            kind=WorkerKind.DIRECTOR, region_id=child.village_id, ended_on__isnull=True, user__isnull=False
        )
        .select_related("user")
        .first()
    )
    return worker.user if worker else None


def _close(alert: Alert, *, reason: str, by) -> None:
    alert.status = AlertStatus.CLOSED
    alert.closed_at = timezone.now()
    alert.closed_by = by
    alert.close_reason = reason[:300]
    alert.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
    if alert.work_item_id:
        escalation.items_complete(items=WorkItem.objects.filter(pk=alert.work_item_id))


def alert_close(*, actor, alert: Alert, reason: str) -> Alert:
    """A supervisor (or the county) closes an alert with a reason. Urgent and high alerts cannot be
    closed by the director who raised the work; a reason is always required."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": [_("解除预警须说明原因。")]})
    if alert.status != AlertStatus.OPEN:
        raise ValidationError({"status": [_("该预警已解除。")]})
    if alert.severity not in rules.SELF_CLOSING and not access.can_manage_work(actor, alert.region_code):
        raise PermissionDenied(_("紧急和高风险预警须经走访确认或由督导员解除。"))
    if not access.can_edit(actor, alert.child):
        raise PermissionDenied(_("您无权处理该预警。"))
    with transaction.atomic():
        _close(alert, reason=reason, by=actor)
        refresh_risk(child=alert.child)
    return alert


def alert_mark(
    *,
    actor,
    alert: Alert,
    police_informed: bool = False,
    notice_sent: bool = False,
    guardian_urged: bool = False,
) -> Alert:
    """Record the responses the law asks for: police informed, written notice, guardian urged."""
    if not access.can_edit(actor, alert.child):
        raise PermissionDenied(_("您无权处理该预警。"))
    now = timezone.now()
    for flag, field in (
        (police_informed, "police_informed_at"),
        (notice_sent, "notice_sent_at"),
        (guardian_urged, "guardian_urged_at"),
    ):
        if flag and getattr(alert, field) is None:
            setattr(alert, field, now)
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
    child = visit.child
    facts = facts_of(child, on=visit.visited_on)
    closed = []
    with translation.override(settings.LANGUAGE_CODE):
        for alert in child.alerts.filter(status=AlertStatus.OPEN, opened_at__lte=visit.created_at):
            kind = rules.KINDS[alert.rule]
            setting = settings_for(child.region_code[:6])[alert.rule]
            if kind.check(facts, {**kind.params, **setting.params}, visit.visited_on) is None:
                _close(alert, reason=_("入户走访确认儿童安全、监护到位"), by=visit.visitor)
                closed.append(alert.rule)
    refresh_risk(child=child)
    return closed


def refresh_risk(*, child: Child) -> ChildRisk:
    """The child's level: the most severe of the open alerts and open cases, with their reasons."""
    reasons, levels = [], [RiskLevel.STABLE]
    for alert in child.alerts.filter(status=AlertStatus.OPEN):
        levels.append(LEVEL_OF[alert.severity])
        reasons.append(str(rules.KINDS[alert.rule].name) if alert.rule in rules.KINDS else alert.rule)
    for case in child.cases.exclude(status=CaseStatus.CLOSED):
        levels.append(LEVEL_OF.get(case.risk_level, RiskLevel.WATCH))
        reasons.append(_("个案：%s") % case.get_status_display())
    level = min(levels, key=ORDER.index)
    risk, _created = ChildRisk.objects.update_or_create(
        child=child, defaults={"level": level, "reasons": reasons}
    )
    return risk


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
    CaseEvent.objects.create(case=case, by=actor, status=CaseStatus.OPENED, text=note or str(source))
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
    *, actor, case: Case, to: str, text: str = "", assessment: dict | None = None, plan: str | None = None
) -> Case:
    """Move a case one step along its lifecycle; each step is on the child's timeline."""
    if not access.can_edit(actor, case.child):
        raise PermissionDenied(_("您无权处理该个案。"))
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


def case_approve_closure(*, actor, case: Case) -> Case:
    """High-risk cases close only with a supervisor's approval, and nobody approves their own request."""
    if case.status != CaseStatus.CLOSE_REQUESTED:
        raise ValidationError({"status": [_("该个案没有待审批的结案申请。")]})
    if not access.can_manage_work(actor, case.region_code):
        raise PermissionDenied(_("结案须由督导员或县级工作人员审批。"))
    if actor.pk == case.close_requested_by_id:
        raise PermissionDenied(_("不能审批自己提交的结案申请。"))
    with transaction.atomic():
        _close_case(case, by=actor)
    return case


def _close_case(case: Case, *, by) -> None:
    case.status = CaseStatus.CLOSED
    case.closed_by = by
    case.closed_at = timezone.now()
    case.save()
    CaseEvent.objects.create(case=case, by=by, status=CaseStatus.CLOSED, text=case.outcome)
    refresh_risk(child=case.child)


__all__ = [
    "settings_for",
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
    "Status",
]
