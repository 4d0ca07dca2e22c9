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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext

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


# What a check says, as a code and its parameters (kept with an application, put into words when read).
SAYS = {
    "exited": gettext_noop("已于 %(date)s 退出登记"),
    "registered": gettext_noop("在册"),
    "under_min": gettext_noop("%(age)s周岁，未满%(min)s周岁"),
    "age": gettext_noop("%(age)s周岁"),
    "over_max": gettext_noop("已满%(max)s周岁（%(age)s周岁）"),
    "under_max": gettext_noop("%(age)s周岁，未满%(max)s周岁"),
    "not_in_categories": gettext_noop("须属于以下类别之一：%(wanted)s；该儿童目前属于：%(held)s"),
    "in_categories": "",  # the categories held, each with its reason: ``_words``
    "doubled": gettext_noop("已享受%(labels)s，不得重复享受"),
    "not_doubled": gettext_noop("未重复享受"),
}


def _category_names(codes) -> str:
    from shouhu.children.reasons import _Named

    names = {c: _Named(n, e) for c, n, e in classify.NATIONAL_CATEGORIES}
    return pgettext("list separator", "、").join(str(names.get(c, c)) for c in codes) or _("无")


def _words(says: str, params: dict[str, Any]) -> str:
    """A check's words in the active language."""
    from shouhu.children.reasons import in_words

    if says == "in_categories":
        return _("；").join(
            _("%(category)s（%(reason)s）") % {"category": _category_names([c]), "reason": in_words(r)}
            for c, r in params["held"]
        )
    values = dict(params)
    for key in ("wanted", "held"):
        if key in values:
            values[key] = _category_names(values[key])
    if "labels" in values:
        values["labels"] = pgettext("list separator", "、").join(
            str(Assistance(a).label) if a in Assistance.values else a for a in values["labels"]
        )
    return _(SAYS[says]) % values


@dataclass(frozen=True)
class Outcome:
    code: str
    name: Any
    passed: bool
    says: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return _words(self.says, self.params)


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
        return _("；").join(f"{o.name}：{o.text}" for o in self.failed)

    def as_list(self) -> list[dict[str, Any]]:
        """The outcomes as kept with an application: the words in the registry's language, and the
        codes (``says``, ``params``) that ``row_in_words`` puts into the reader's."""
        with translation.override(settings.LANGUAGE_CODE):
            return [
                {
                    "rule": o.code,
                    "name": str(o.name),
                    "passed": o.passed,
                    "text": o.text,
                    "says": o.says,
                    "params": o.params,
                }
                for o in self.outcomes
            ]


def row_in_words(row: dict[str, Any]) -> tuple[str, str]:
    """One kept outcome (``Result.as_list``) as (name, words) in the active language; a row kept
    before the codes shows its stored words."""
    check = CHECKS.get(row.get("rule", ""))
    name = str(check.name) if check else row.get("name", "")
    if row.get("says") in SAYS:
        try:
            return name, _words(row["says"], row.get("params") or {})
        except (KeyError, TypeError, ValueError):
            pass
    return name, row.get("text", "")


def _not_exited(s: Subject, value: Any, on: dt.date) -> tuple[bool, str, dict]:
    if s.exited_on and s.exited_on <= on:
        return False, "exited", {"date": s.exited_on.isoformat()}
    return True, "registered", {}


def _min_age(s: Subject, value: int, on: dt.date) -> tuple[bool, str, dict]:
    if s.age < value:
        return False, "under_min", {"age": s.age, "min": value}
    return True, "age", {"age": s.age}


def _max_age(s: Subject, value: int, on: dt.date) -> tuple[bool, str, dict]:
    if s.age >= value:
        return False, "over_max", {"age": s.age, "max": value}
    return True, "under_max", {"age": s.age, "max": value}


def _categories(s: Subject, value: list[str], on: dt.date) -> tuple[bool, str, dict]:
    held = [c for c in value if c in s.categories]
    if held:
        return True, "in_categories", {"held": [[c, s.categories[c]] for c in held]}
    return False, "not_in_categories", {"wanted": list(value), "held": list(s.categories)}


def _excluded(s: Subject, value: list[str], on: dt.date) -> tuple[bool, str, dict]:
    both = [a for a in value if a in s.assistance]
    if both:
        return False, "doubled", {"labels": both}
    return True, "not_doubled", {}


@dataclass(frozen=True)
class Check:
    code: str
    name: Any
    run: Callable[[Subject, Any, dt.date], tuple[bool, str, dict]]


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
            passed, says, words = check.run(subject, params[code], on)
            outcomes.append(Outcome(code, check.name, passed, says, words))
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
