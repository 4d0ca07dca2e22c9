"""Who may receive which assistance: the one home of the eligibility rules.

A type's rule is data (``AssistanceType.rule``): parameters of the fixed checks below, never code. The
checks read the registry's facts through ``children.classify`` for the date asked (so a birthday or a
term that ends is seen on its day, before the nightly re-classification has run). Choices:

* ``max_age`` is a completed-years limit: a child aged ``max_age`` no longer qualifies, so with 18 the
  day of the 18th birthday is the first day without assistance. No rule may allow 18 or more (these are
  children's benefits).
* ``categories``: the child must hold any one of them on the date (the national definitions).
* ``excluded_assistance``: support the family already receives that this type may not double (an orphan
  allowance excludes the de-facto-unsupported subsidy, 民发〔2019〕62号).
* A child who has exited the registry qualifies for nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouhu.children import classify
from shouhu.children.options import Assistance
from shouhu.children.validators import age_on

CHILD_AGE_LIMIT = classify.CHILD_AGE_LIMIT


@dataclass(frozen=True)
class Subject:
    """What the checks read about a child on a date."""

    age: int
    categories: dict[str, str]
    assistance: tuple[str, ...] = ()
    exited_on: dt.date | None = None


@dataclass(frozen=True)
class Outcome:
    code: str
    name: str
    passed: bool
    text: str


@dataclass(frozen=True)
class Result:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(o.passed for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]

    @property
    def reason(self) -> str:
        """The failed rules, in words (empty when eligible)."""
        return "；".join(f"{o.name}：{o.text}" for o in self.failed)

    def as_list(self) -> list[dict[str, Any]]:
        return [{"rule": o.code, "name": o.name, "passed": o.passed, "text": o.text} for o in self.outcomes]


def _names(codes) -> str:
    return "、".join(classify.describe(codes))


def _not_exited(s: Subject, value: Any, on: dt.date) -> tuple[bool, str]:
    if s.exited_on and s.exited_on <= on:
        return False, _("已于 %(date)s 退出登记") % {"date": s.exited_on.isoformat()}
    return True, _("在册")


def _min_age(s: Subject, value: int, on: dt.date) -> tuple[bool, str]:
    if s.age < value:
        return False, _("%(age)s周岁，未满%(min)s周岁") % {"age": s.age, "min": value}
    return True, _("%(age)s周岁") % {"age": s.age}


def _max_age(s: Subject, value: int, on: dt.date) -> tuple[bool, str]:
    if s.age >= value:
        return False, _("已满%(max)s周岁（%(age)s周岁）") % {"age": s.age, "max": value}
    return True, _("%(age)s周岁，未满%(max)s周岁") % {"age": s.age, "max": value}


def _categories(s: Subject, value: list[str], on: dt.date) -> tuple[bool, str]:
    held = [c for c in value if c in s.categories]
    if held:
        return True, "；".join(
            f"{name}（{s.categories[c]}）" for c, name in zip(held, classify.describe(held), strict=True)
        )
    return False, _("须属于以下类别之一：%(wanted)s；该儿童目前属于：%(held)s") % {
        "wanted": _names(value),
        "held": _names(s.categories) or _("无"),
    }


def _excluded(s: Subject, value: list[str], on: dt.date) -> tuple[bool, str]:
    both = [a for a in value if a in s.assistance]
    if both:
        labels = "、".join(str(Assistance(a).label) for a in both)
        return False, _("已享受%(labels)s，不得重复享受") % {"labels": labels}
    return True, _("未重复享受")


@dataclass(frozen=True)
class Check:
    code: str
    name: Any
    run: Callable[[Subject, Any, dt.date], tuple[bool, str]]


# The order is the order a reader checks a file in: still registered, age, category, double benefit.
CHECKS: dict[str, Check] = {
    c.code: c
    for c in [
        Check("not_exited", gettext_lazy("在册"), _not_exited),
        Check("min_age", gettext_lazy("最低年龄"), _min_age),
        Check("max_age", gettext_lazy("年龄上限"), _max_age),
        Check("categories", gettext_lazy("儿童类别"), _categories),
        Check("excluded_assistance", gettext_lazy("不得重复享受"), _excluded),
    ]
}
CATEGORY_CODES = {c for c, _n, _e in classify.NATIONAL_CATEGORIES}


def validate_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule's parameters, checked: known checks only, ages within a child's life, known codes."""
    errors: list[str] = []
    unknown = set(rule) - set(CHECKS) - {"not_exited"}
    if unknown:
        errors.append(_("未知的资格条件：%(names)s") % {"names": "、".join(sorted(unknown))})
    for key in ("min_age", "max_age"):
        if key in rule and not (isinstance(rule[key], int) and 0 <= rule[key] <= CHILD_AGE_LIMIT):
            errors.append(_("年龄条件须为0至18之间的整数。"))
    if "max_age" not in rule:
        errors.append(_("须设定年龄上限（不超过18周岁）。"))
    bad = [c for c in rule.get("categories", []) if c not in CATEGORY_CODES]
    if bad:
        errors.append(_("未知的儿童类别：%(codes)s") % {"codes": "、".join(bad)})
    bad = [a for a in rule.get("excluded_assistance", []) if a not in Assistance.values]
    if bad:
        errors.append(_("未知的救助措施：%(codes)s") % {"codes": "、".join(bad)})
    if errors:
        raise ValidationError({"rule": errors})
    return rule


def check_subject(subject: Subject, rule: dict[str, Any], on: dt.date) -> Result:
    params = {"not_exited": True, **rule}
    outcomes = []
    for code, check in CHECKS.items():
        if code in params:
            passed, text = check.run(subject, params[code], on)
            outcomes.append(Outcome(code, str(check.name), passed, text))
    return Result(outcomes)


def subject_of(child, on: dt.date) -> Subject:
    from shouhu.children.services import facts_of

    facts = facts_of(child)
    return Subject(
        age=age_on(child.birth_date, on),
        categories=classify.classify(facts, on),
        assistance=tuple(child.assistance or ()),
        exited_on=child.exited_on,
    )


def check(child, assistance_type, on: dt.date) -> Result:
    """Whether ``child`` qualifies for ``assistance_type`` on ``on``, every check with its words."""
    return check_subject(subject_of(child, on), assistance_type.rule, on)
