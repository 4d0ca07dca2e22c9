"""Why a child holds (or lost) a category, in the reader's language.

``classify`` writes each reason in the registry's language, from a few fixed shapes
(``父亲死亡；母亲服刑在押``, ``家庭享受最低生活保障``, ``义务教育阶段（13周岁）辍学``) and the labels of the
option lists; ``services._lost_reason`` writes why one was lost. They are stored so (``ChildCategory.
reason``, ``CategoryEvent.reason``), and this module, the one that knows those shapes, puts them into
words when shown. A reason typed by a person (a local category) is shown as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, pgettext

from .options import Assistance, ExitReason, GuardianshipConcern, Health, LivingArrangement, ParentSituation

PHRASES = {
    text: text
    for text in (
        gettext_noop("父亲"),
        gettext_noop("母亲"),
        gettext_noop("父母双方外出务工"),
        gettext_noop("年满16周岁"),
        gettext_noop("认定条件不再满足（信息变更）"),
    )
}


@cache
def _labels() -> dict[str, object]:
    """{label in the registry's language: the lazy label} of every option list a reason uses."""
    from .classify import NATIONAL_CATEGORIES

    found: dict[str, object] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for choices in (
            ParentSituation,
            Assistance,
            Health,
            LivingArrangement,
            GuardianshipConcern,
            ExitReason,
        ):
            for _value, label in choices.choices:
                found.setdefault(str(label), label)
    for _code, name, name_en in NATIONAL_CATEGORIES:
        found[name] = _Named(name, name_en)
    return found


class _Named:
    def __init__(self, name: str, name_en: str):
        self.name, self.name_en = name, name_en

    def __str__(self) -> str:
        return self.name_en if (translation.get_language() or "").startswith("en") else self.name


def _word(text: str) -> str | None:
    if text in PHRASES:
        return gettext(text)
    label = _labels().get(text)
    return None if label is None else str(label)


def _list(text: str) -> str | None:
    words = [_word(part) for part in text.split("、")]
    return None if any(w is None for w in words) else pgettext("list separator", "、").join(words)  # type: ignore[arg-type]


def _parent(text: str) -> str | None:
    m = re.fullmatch(r"(父亲|母亲)(.+)", text)
    if not m or _word(m[2]) is None:
        return None
    return gettext("%(who)s%(situation)s") % {"who": gettext(m[1]), "situation": _word(m[2])}


SHAPES: list[tuple[re.Pattern, Callable[[re.Match], str | None]]] = [
    (
        re.compile(r"(父亲|母亲)外出务工，(父亲|母亲)(.+)，无监护能力"),
        lambda m: (
            gettext("%(who)s外出务工，%(other)s%(situation)s，无监护能力")
            % {"who": gettext(m[1]), "other": gettext(m[2]), "situation": _word(m[3])}
            if _word(m[3])
            else None
        ),
    ),
    (
        re.compile(r"父亲(.+)，母亲(.+)"),
        lambda m: (
            gettext("父亲%(father)s，母亲%(mother)s") % {"father": _word(m[1]), "mother": _word(m[2])}
            if _word(m[1]) and _word(m[2])
            else None
        ),
    ),
    (
        re.compile(r"家庭享受(.+)"),
        lambda m: gettext("家庭享受%(list)s") % {"list": _list(m[1])} if _list(m[1]) else None,
    ),
    (
        re.compile(r"儿童本人(.+)"),
        lambda m: gettext("儿童本人%(health)s") % {"health": _word(m[1])} if _word(m[1]) else None,
    ),
    (
        re.compile(r"义务教育阶段（(\d+)周岁）辍学"),
        lambda m: gettext("义务教育阶段（%(age)s周岁）辍学") % {"age": m[1]},
    ),
    (
        re.compile(r"已满(\d+)周岁，超出义务教育年龄"),
        lambda m: gettext("已满%(age)s周岁，超出义务教育年龄") % {"age": m[1]},
    ),
    (
        re.compile(r"退出登记：(.+)"),
        lambda m: gettext("退出登记：%(reason)s") % {"reason": _word(m[1])} if _word(m[1]) else None,
    ),
]


def in_words(reason: str) -> str:
    """A stored reason in the active language; one of unknown shape as stored."""
    text = (reason or "").strip()
    if not text:
        return reason
    simple = _word(text)
    if simple is not None:
        return simple
    for pattern, words in SHAPES:
        m = pattern.fullmatch(text)
        if m and (found := words(m)):
            return found
    if "；" in text:
        parts = [_parent(p) for p in text.split("；")]
        if all(parts):
            return gettext("；").join(parts)  # type: ignore[arg-type]
    listed = _list(text)
    return listed if listed is not None else reason
