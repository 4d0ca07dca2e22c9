"""Template helpers of the find-and-intervene pages, for the shared layout, the children lists and the
child's file. Permission questions are asked of ``accounts.access``; reads go through
``cases.selectors``."""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html

from shouhu.accounts import access
from shouhu.children.options import LivingArrangement, ParentSituation, Schooling

from .. import permissions, rules, selectors
from ..models import AlertStatus, CaseStatus, RiskLevel

register = template.Library()

# An alert's severity shown in the colour of the risk level it gives the child.
LEVEL_OF_SEVERITY = {
    rules.URGENT: RiskLevel.URGENT,
    rules.HIGH: RiskLevel.HIGH,
    rules.MEDIUM: RiskLevel.WATCH,
    rules.LOW: RiskLevel.WATCH,
}


@register.filter
def may_see_alerts(user) -> bool:
    """Alerts are the work of those who work a territory (directors, supervisors, the county)."""
    return permissions.alerts.reads_any(user)


@register.filter
def open_alerts_badge(user) -> int:
    """The menu's 预警 badge: the number the alert list shows (``selectors.open_alert_count``)."""
    return selectors.open_alert_count(user) if user.is_authenticated else 0


@register.filter
def may_configure_rules(user) -> bool:
    return user.is_authenticated and access.configurable_county(user) is not None


def _child_id(obj):
    if obj is None:
        return None
    if hasattr(obj, "child_id"):
        return obj.child_id
    return getattr(obj, "pk", obj)


@register.simple_tag
def risk_levels(*lists) -> dict:
    """{child id: level} for the children of the given lists (children, or rows with a ``child_id``),
    in one query — so that a list page does not ask once per row. Children fetched with
    ``select_related("risk")`` are read from memory."""
    from shouhu.children.models import Child

    levels, wanted = {}, set()
    for rows in lists:
        for obj in rows or ():
            if isinstance(obj, Child) and Child.risk.is_cached(obj):
                risk = Child.risk.related.get_cached_value(obj, default=None)
                levels[obj.pk] = risk.level if risk else RiskLevel.STABLE
            else:
                wanted.add(_child_id(obj))
    wanted -= set(levels)
    if wanted:
        levels.update(selectors.risk_levels(wanted))
    return levels


def _badge(level: str, extra: str = ""):
    label = RiskLevel(level).label if level in RiskLevel.values else level
    return format_html('<span class="badge risk risk-{}{}">{}</span>', level, extra, label)


@register.simple_tag
def risk_badge(obj, levels=None, stable=True):
    """The child's risk level as a coloured badge with its words (the colour is never the only cue).
    ``levels`` comes from ``risk_levels``; without it, the child's level is asked for."""
    child_id = _child_id(obj)
    if child_id is None:
        return ""
    if not isinstance(levels, dict):
        levels = risk_levels([obj])
    level = levels.get(child_id, RiskLevel.STABLE)
    if level == RiskLevel.STABLE and not stable:
        return ""
    return _badge(level)


@register.simple_tag
def level_badge(level: str):
    return _badge(level or RiskLevel.STABLE)


@register.simple_tag
def severity_badge(severity: str):
    level = LEVEL_OF_SEVERITY.get(severity, RiskLevel.WATCH)
    label = dict(rules.SEVERITIES).get(severity, severity)
    return format_html('<span class="badge risk risk-{}">{}</span>', level, label)


@register.filter
def rule_name(code: str) -> str:
    kind = rules.KINDS.get(code)
    return str(kind.name) if kind else code


_CODES = {
    **dict(Schooling.choices),
    **dict(ParentSituation.choices),
    **{k: v for k, v in LivingArrangement.choices},
}
_WORD = re.compile(r"\b([a-z_]+)\b")


@register.filter
def fact_value(value) -> str:
    """A fired rule's fact as a person reads it: option codes (dropped_out, imprisoned) in words."""
    text = str(value)
    if text in _CODES:
        return str(_CODES[text])
    return _WORD.sub(lambda m: str(_CODES.get(m.group(1), m.group(1))), text)


@register.filter
def risk_reasons(reasons) -> list[str]:
    """Why a child has its risk level, in words: the rules of its open alerts, its open cases
    (stored as ``rule`` codes and ``case:<status>``; older rows as words)."""
    from django.utils.translation import gettext

    words = []
    for reason in reasons or ():
        if reason in rules.KINDS:
            words.append(str(rules.KINDS[reason].name))
        elif reason.startswith("case:") and reason[5:] in CaseStatus.values:
            words.append(gettext("个案：%s") % CaseStatus(reason[5:]).label)
        else:
            words.append(reason)
    return words


@register.filter
def fact_pairs(facts) -> list[tuple[str, str]]:
    """An alert's facts as (label, value) pairs in the active language (``cases.facts``)."""
    from .. import facts as fact_words

    return fact_words.in_words(facts)


@register.filter
def event_text(event) -> str:
    """A timeline entry's text in the reader's language (an entry, or its stored text): the system's
    words translated, a person's note as typed; a case opened without a note records its source."""
    from ..models import CaseSource

    text = getattr(event, "words", event)
    return str(CaseSource(text).label) if text in CaseSource.values else text


@register.inclusion_tag("cases/child_section.html", takes_context=True)
def child_risk(context, child):
    """The "风险与个案" section of a child's file: the level and why, the alerts with the facts that
    fired them, their deadline and tier, the cases and their timeline."""
    user = context["request"].user
    risk = selectors.child_risk(child)
    alerts = selectors.child_alerts(user=user, child=child)
    for alert in alerts:
        alert.late = bool(
            alert.status == AlertStatus.OPEN and alert.work_item and alert.work_item.is_overdue()
        )
    cases = selectors.child_cases(user=user, child=child)
    return {
        "child": child,
        "risk": risk,
        "level": risk.level if risk else RiskLevel.STABLE,
        "open_alerts": [a for a in alerts if a.status == AlertStatus.OPEN],
        "closed_alerts": [a for a in alerts if a.status != AlertStatus.OPEN],
        "cases": cases,
        "has_open_case": any(c.status != CaseStatus.CLOSED for c in cases),
        "can_edit": access.can_edit(user, child),
    }
