"""The audit pages in words: who (a person's name, not a login name), which place and child a filter
means, and a logged query string as a person reads it (地区：王市镇；类别：农村留守儿童, not
``region=341623110&category=left_behind``).

Codes are looked up once per page (``Words``): places by their code, children by id among those the
reader may see (others stay an id), categories, the option lists and the risk rules by their code.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote_plus

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouhu.accounts import access

from .redact import display

# The parameters the pages and the API take, as a person names them.
PARAMS = {
    "q": gettext_lazy("搜索"),
    "search": gettext_lazy("搜索"),
    "searched": gettext_lazy("查询过的号码"),
    "region": gettext_lazy("地点"),
    "county": gettext_lazy("县"),
    "township": gettext_lazy("乡镇"),
    "village": gettext_lazy("村/社区"),
    "region_code": gettext_lazy("地点"),
    "category": gettext_lazy("类别"),
    "schooling": gettext_lazy("就学情况"),
    "status": gettext_lazy("状态"),
    "level": gettext_lazy("风险等级"),
    "severity": gettext_lazy("风险等级"),
    "rule": gettext_lazy("规则"),
    "kind": gettext_lazy("类型"),
    "child": gettext_lazy("儿童"),
    "username": gettext_lazy("人员"),
    "action": gettext_lazy("操作"),
    "channel": gettext_lazy("途径"),
    "part": gettext_lazy("档案部分"),
    "date_from": gettext_lazy("开始日期"),
    "date_to": gettext_lazy("结束日期"),
    "year": gettext_lazy("年份"),
    "quarter": gettext_lazy("季度"),
    "page": gettext_lazy("页码"),
    "format": gettext_lazy("格式"),
    "layout": gettext_lazy("格式"),
}
PLACES = ("region", "county", "township", "village", "region_code")
CODE = re.compile(r"^\d{2,12}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _choices() -> dict[str, dict[str, str]]:
    from shouhu.cases import rules
    from shouhu.cases.models import RiskLevel
    from shouhu.children.options import Schooling

    from .models import Action, Channel

    return {
        "schooling": {k: str(v) for k, v in Schooling.choices},
        "level": {k: str(v) for k, v in RiskLevel.choices},
        "severity": {k: str(v) for k, v in rules.SEVERITIES},
        "rule": {k: str(kind.name) for k, kind in rules.KINDS.items()},
        "action": {k: str(v) for k, v in Action.choices},
        "channel": {k: str(v) for k, v in Channel.choices},
    }


class Words:
    """Names for the codes of one page of the log (or one filter), looked up in a few queries."""

    def __init__(self, user, queries=(), places=(), children=(), people=()):
        from shouhu.accounts.models import User
        from shouhu.children.models import Category
        from shouhu.regions.models import Region

        pairs = [pair for query in queries for pair in parse_qsl(query or "", keep_blank_values=False)]
        codes = set(places) | {v for k, v in pairs if k in PLACES and CODE.match(v)}
        ids = set(children) | {v for k, v in pairs if k == "child" and UUID.match(v)}
        self.places = dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
        self.children = _child_names(user, ids)
        self.categories = {c.code: str(c) for c in Category.objects.all()} if pairs else {}
        rows = User.objects.filter(pk__in=set(people)).values_list("pk", "full_name", "username")
        self.people = {pk: full or username for pk, full, username in rows} if people else {}
        self.choices = _choices()

    def place(self, code: str) -> str:
        return self.places.get(code, code)

    def child(self, pk) -> str:
        return self.children.get(str(pk), str(pk))

    def person(self, pk, fallback: str = "") -> str:
        return self.people.get(pk, fallback)

    def value(self, key: str, value: str) -> str:
        if key in PLACES:
            return self.place(value)
        if key == "child":
            return self.child(value)
        if key == "category":
            return self.categories.get(value, value)
        if key in self.choices:
            return self.choices[key].get(value, value)
        return display(value)

    def query(self, query: str) -> str:
        """A logged query string in words; what is not a parameter (a redacted command's detail) as
        stored, numbers shortened."""
        if not query:
            return ""
        if "=" not in query:
            return display(unquote_plus(query))
        parts = []
        for key, value in parse_qsl(query, keep_blank_values=False):
            label = PARAMS.get(key)
            shown = self.value(key, value)
            parts.append(
                _("%(key)s：%(value)s") % {"key": label, "value": shown}
                if label
                else f"{key}={display(value)}"
            )
        return _("；").join(parts)


def _child_names(user, ids) -> dict[str, str]:
    ids = {str(i) for i in ids if i}
    if not ids:
        return {}
    visible = access.children_visible_to(user).filter(pk__in=ids).values_list("pk", "name")
    return {str(pk): name for pk, name in visible}


def filter_in_words(user, wanted) -> list[tuple[str, str]]:
    """The filters a reader set (a ``LogFilter`` or ``HistoryFilter``), each as (label, words)."""
    from .selectors import KIND_LABELS, PARTS_BY_KEY

    fields = {k: v for k, v in vars(wanted).items() if v not in ("", None)}
    if not fields:
        return []
    child = str(fields.get("child", ""))
    words = Words(
        user,
        places=[fields["region"]] if CODE.match(str(fields.get("region", ""))) else [],
        children=[child] if UUID.match(child) else [],
    )
    shown = []
    for key, value in fields.items():
        if key == "part":
            text = str(PARTS_BY_KEY[value].label) if value in PARTS_BY_KEY else value
        elif key == "kind":
            text = str(KIND_LABELS.get(value, value))
        elif key in ("date_from", "date_to"):
            text = value.isoformat()
        else:
            text = words.value(key, str(value))
        shown.append((str(PARAMS.get(key, key)), text))
    return shown


def filter_line(user, wanted) -> str:
    return _("；").join(
        _("%(key)s：%(value)s") % {"key": k, "value": v} for k, v in filter_in_words(user, wanted)
    )
