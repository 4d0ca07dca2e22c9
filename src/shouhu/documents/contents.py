"""What each printed document says, read from the registry: plain functions returning template context.

The callers (views) have already fetched the record through ``accounts.access``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.children.classify import describe
from shouhu.regions.codes import is_township, township_of
from shouhu.regions.models import Region


def _township(child) -> Region | None:
    code = township_of(child.region_code)
    return Region.objects.filter(code=code).first() if is_township(code) else None


def _place(child) -> str:
    region = child.region
    if region is None:
        return ""
    names = [r.name for r in (region.parent, region) if r is not None] if child.village_id else [region.name]
    return " / ".join(names)


def child_block(child, on: dt.date) -> dict:
    return {
        "child": child,
        "age": child.age_on(on),
        "place": _place(child),
        "township": _township(child),
        "parents": list(child.parents.all().order_by("role")),
        "carer": getattr(child, "carer", None),
        "categories": describe(child.categories.values_list("category_id", flat=True)),
        "today": on,
    }


def _facts_text(facts: dict) -> str:
    from shouhu.cases import facts as fact_words

    return fact_words.line(facts)


def duty_notice(*, child, alert=None, case=None, on: dt.date | None = None) -> dict:
    """督促监护告知书: to the parents, naming the child, what was found, the duty and the issuing township."""
    from shouhu.cases import rules

    on = on or timezone.localdate()
    alert = alert or (case.alert if case is not None and case.alert_id else None)
    if alert is not None:
        kind = rules.KINDS.get(alert.rule)
        found = str(kind.name) if kind else alert.rule
        details = _facts_text(alert.facts)
        found_on = timezone.localtime(alert.opened_at).date()
    else:
        found = case.get_source_display() if case is not None else ""
        details = ""
        found_on = timezone.localtime(case.opened_at).date() if case is not None else on
    parents = [p for p in child.parents.all().order_by("role")]
    addressees = [p.name or p.get_role_display() for p in parents] or [_("儿童的父母或其他监护人")]
    return {
        **child_block(child, on),
        "addressees": addressees,
        "found": found,
        "details": details,
        "found_on": found_on,
        "reference": f"{(alert or case).pk}"[:8].upper(),
    }


def guardianship(*, child, on: dt.date | None = None) -> dict:
    """委托监护确认书, filled from the registry: the child, the parents, the entrusted carer."""
    return child_block(child, on or timezone.localdate())


def case_summary(*, case, on: dt.date | None = None) -> dict:
    from shouhu.cases import selectors
    from shouhu.cases.forms import NEED_LABELS
    from shouhu.cases.services import NEEDS

    on = on or timezone.localdate()
    return {
        **child_block(case.child, on),
        "case": case,
        "events": list(selectors.case_events(case)),
        "assessment": [(NEED_LABELS.get(n, n), case.assessment.get(n, "")) for n in NEEDS if case.assessment],
    }


def application_form(*, application, on: dt.date | None = None) -> dict:
    from shouhu.assistance import selectors

    on = on or timezone.localdate()
    return {
        **child_block(application.child, on),
        "application": application,
        "steps": list(selectors.steps_of(application)),
        "payments": list(application.payments.all()),
    }
