"""An alert's facts as a person reads them, in the active language.

The rules (``rules.py``) return the facts that fired them as a small dict, stored with the alert and
given by the API as stored: its keys are fixed names (年龄, 情形, 父母状况 …) and its values numbers,
option codes (``dropped_out``, ``father``, ``imprisoned``), dates, the children's names, or one of a
few fixed phrases and shapes written by the rules (``父亲：deceased（自 2024-03-01）``, ``14天内2次``).
This module is the one place that puts each of them into words; anything it does not know (a name)
is shown as stored.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext, gettext_noop, pgettext

from shouhu.children.options import LivingArrangement, ParentRole, ParentSituation, Schooling

# The keys the rules write.
LABELS = {
    key: key
    for key in (
        gettext_noop("年龄"),
        gettext_noop("情形"),
        gettext_noop("父母状况"),
        gettext_noop("就学情况"),
        gettext_noop("来源"),
        gettext_noop("报告"),
        gettext_noop("父母失联"),
        gettext_noop("走访未遇"),
        gettext_noop("未上学"),
        gettext_noop("强制报告"),
        gettext_noop("无成年人照料"),
        gettext_noop("走访未遇次数"),
        gettext_noop("统计天数"),
        gettext_noop("最近未遇"),
        gettext_noop("其他信号"),
        gettext_noop("信号数"),
        gettext_noop("儿童"),
        gettext_noop("儿童人数"),
    )
}
# The fixed phrases the rules write as values.
PHRASES = {
    text: text
    for text in (
        gettext_noop("独自居住"),
        gettext_noop("仅与未成年兄弟姐妹共同生活"),
        gettext_noop("受委托照料人无照料能力"),
        gettext_noop("父母均不在身边且无受委托照料人"),
        gettext_noop("走访发现未上学"),
        gettext_noop("登记信息"),
        gettext_noop("走访"),
        gettext_noop("被引诱参与违法犯罪或逃学"),
        gettext_noop("走访发现与外出父母超过一个月未联系"),
        gettext_noop("有未办结的强制报告"),
        gettext_noop("父亲"),  # a parent's role, as facts written before the roles were stored as codes
        gettext_noop("母亲"),
    )
}
CODES = {
    **dict(Schooling.choices),
    **dict(ParentSituation.choices),
    **dict(LivingArrangement.choices),
    **dict(ParentRole.choices),
}

_PARENT = re.compile(r"^(?P<role>[^：；]+?)：(?P<situation>[a-z_]+)(?:（自 (?P<since>[\d-]+)）)?$")
_LOST = re.compile(r"^(?P<role>[^：；]+?)自 (?P<since>[\d-]+) 起失联$")
_ATTEMPTS = re.compile(r"^(?P<days>\d+)天内(?P<n>\d+)次$")
_AGED = re.compile(r"^(?P<what>.+)（(?P<age>\d+)周岁）$")


def label(key: str) -> str:
    return gettext(LABELS[key]) if key in LABELS else key


def _word(text: str) -> str:
    if text in PHRASES:
        return gettext(text)
    if text in CODES:
        return str(CODES[text])
    return text


def _children(text: str) -> str:
    """``张三（14周岁）、张四（12周岁）``: the names as stored, the ages in words."""
    parts = []
    for part in text.split("、"):
        aged = _AGED.match(part)
        parts.append(
            gettext("%(name)s（%(age)s周岁）") % {"name": aged["what"], "age": aged["age"]} if aged else part
        )
    return pgettext("list separator", "、").join(parts)


def _one(text: str) -> str:
    if text in PHRASES or text in CODES:
        return _word(text)
    if m := _PARENT.match(text):
        words = gettext("%(role)s：%(situation)s") % {
            "role": _word(m["role"]),
            "situation": _word(m["situation"]),
        }
        if m["since"]:
            words += gettext("（自 %(date)s）") % {"date": m["since"]}
        return words
    if m := _LOST.match(text):
        return gettext("%(role)s自 %(date)s 起失联") % {"role": _word(m["role"]), "date": m["since"]}
    if m := _ATTEMPTS.match(text):
        return gettext("%(days)s天内%(n)s次") % {"days": m["days"], "n": m["n"]}
    if (m := _AGED.match(text)) and (m["what"] in PHRASES or m["what"] in CODES):
        return gettext("%(what)s（%(age)s周岁）") % {"what": _word(m["what"]), "age": m["age"]}
    return text


def value(key: str, stored: Any) -> str:
    """One fact's value in words."""
    if isinstance(stored, bool) or stored is None:
        return str(stored)
    if not isinstance(stored, str):
        return str(stored)
    if key == "儿童":
        return _children(stored)
    if key == "其他信号":
        return gettext("；").join(_pair(part) for part in stored.split("；"))
    if "；" in stored:
        return gettext("；").join(_one(part) for part in stored.split("；"))
    return _one(stored)


def _pair(text: str) -> str:
    key, sep, rest = text.partition("：")
    if not sep or key not in LABELS:
        return _one(text)
    return gettext("%(key)s：%(value)s") % {"key": label(key), "value": value(key, rest)}


def in_words(facts: dict | None) -> list[tuple[str, str]]:
    """Every fact as (label, value) in the active language, in the order the rule gave them."""
    return [(label(k), value(k, v)) for k, v in (facts or {}).items()]


def line(facts: dict | None) -> str:
    """The facts on one line: ``年龄：14；情形：独自居住``."""
    return gettext("；").join(
        gettext("%(key)s：%(value)s") % {"key": k, "value": v} for k, v in in_words(facts)
    )
