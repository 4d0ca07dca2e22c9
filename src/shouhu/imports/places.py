"""Villages named in a sheet: a code; a township and a village in two columns; or the national form's
one cell (户籍所在地, 现居住地) holding township and village together, as counties fill it.

The one cell is matched against the townships and villages of the importing user's county, loaded
once per import (a county has a few hundred villages): the province, city and county names in front
are passed over, the township is the longest township name (with or without 镇/乡/街道) the text
starts with, then the village the longest village name (with or without 村/社区/居委会/村民委员会)
the rest starts with; separators (spaces, -, /, 、) are ignored and what follows the village (组, house
number) is left to the address. A name matching two places is ambiguous and never guessed.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from shouhu.accounts import access
from shouhu.regions.codes import county_of
from shouhu.regions.models import Region
from shouhu.regions.names import core, villages_named

TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
VILLAGE_FORMS = ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "村", "居")
SEPARATORS = re.compile(r"[\s\-—－_/\\、，,·.。:：()（）]+")


def _committee(name: str) -> str:
    """A place name without the committee words only: 新河村村民委员会 is 新河村, 新河居委会 新河社区."""
    name = (name or "").strip()
    for suffix, kind in (("村民委员会", "村"), ("居民委员会", "社区"), ("村委会", "村"), ("居委会", "社区")):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            return name if name.endswith(("村", "社区", "居")) else name + kind
    return name


def township_core(name: str) -> str:
    for suffix in TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def squeeze(text) -> str:
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", str(text or "")))


class Places:
    """The villages an import may name, looked up once each."""

    def __init__(self, actor):
        self.actor = actor
        self.cache: dict[tuple, tuple[Region | None, str]] = {}
        self._county: tuple | None = None

    # Two columns or a code ----------------------------------------------------------------------

    def village(self, data: dict) -> tuple[Region | None, str]:
        key = (data.get("village_code"), data.get("township"), data.get("village"))
        if key not in self.cache:
            self.cache[key] = self._find(*key)
        return self.cache[key]

    def _find(self, code, township, village) -> tuple[Region | None, str]:
        mine = access.regions_visible_to(self.actor)
        if code:
            found = mine.filter(code=code, level=5).first()
            return (found, "") if found else (None, _("区划代码 %s 不是您管辖范围内的村（社区）。") % code)
        if not village:
            return None, _("请填写村（社区）名称或区划代码。")
        found = villages_named(mine, village=village, township=township)
        if len(found) > 1:  # 新河村村民委员会 and 新河社区居民委员会 of one township are both 新河
            exact = [r for r in found if _committee(r.name) == _committee(village)]
            found = exact or found
        if len(found) == 1:
            return found[0], ""
        if not found:
            where = f"{township} {village}" if township else village
            return None, _("找不到“%s”：请核对乡镇和村（社区）名称，或填写区划代码。") % where
        return None, _("“%s”在多个乡镇都有，请同时填写乡镇（街道）。") % village

    # One cell ------------------------------------------------------------------------------------

    def _index(self):
        """(names to pass over, township forms, village forms by township, village forms of the
        whole county), for the user's county."""
        if self._county is not None:
            return self._county
        territory = access.territory_code(self.actor) or ""
        county = county_of(territory)
        villages = (
            list(Region.objects.filter(level=5, code__within=county).select_related("parent"))
            if county
            else []
        )
        skip: set[str] = set()
        if county:
            node = Region.objects.filter(code=county).select_related("parent__parent").first()
            while node is not None:
                skip.update({squeeze(node.name), township_core(squeeze(node.name))})
                for suffix in ("省", "市", "县", "区", "自治州", "自治县"):
                    if node.name.endswith(suffix) and len(node.name) > len(suffix) + 1:
                        skip.add(squeeze(node.name[: -len(suffix)]))
                node = node.parent
        townships: dict[str, set] = {}
        by_township: dict[str, dict[str, set]] = {}
        everywhere: dict[str, set] = {}
        for v in villages:
            t = v.parent
            if t is not None:
                for form in {squeeze(t.name), township_core(squeeze(t.name))}:
                    townships.setdefault(form, set()).add(t.code)
            for form in _village_forms(v.name):
                by_township.setdefault(v.parent_id, {}).setdefault(form, set()).add(v)
                everywhere.setdefault(form, set()).add(v)
        self._county = (sorted(skip, key=len, reverse=True), townships, by_township, everywhere)
        return self._county

    def place(self, text: str) -> tuple[Region | None, str]:
        """The village a one-cell place names, or an error message."""
        key = ("place", text)
        if key not in self.cache:
            self.cache[key] = self._place(text)
        return self.cache[key]

    def _place(self, text: str) -> tuple[Region | None, str]:
        skip, townships, by_township, everywhere = self._index()
        if not townships:
            return None, _("您的账号没有所属县，无法按名称查找村（社区）：请填写村（社区）区划代码。")
        rest = squeeze(text)
        changed = True
        while changed:
            changed = False
            for name in skip:
                if name and rest.startswith(name) and len(rest) > len(name):
                    rest, changed = rest[len(name) :], True
                    rest = rest.lstrip("省市县区")
                    break
        town = _longest(rest, townships)
        if town:
            form, codes = town
            after = rest[len(form) :]
            for suffix in TOWNSHIP_SUFFIXES:
                if after.startswith(suffix):
                    after = after[len(suffix) :]
                    break
            candidates = {}
            for code in codes:
                candidates.update(by_township.get(code, {}))
            hit = _longest(after, {k: v for k, v in candidates.items()})
            if hit and len(hit[1]) == 1:
                return next(iter(hit[1])), ""
            if hit:
                return None, _("“%s”对应多个村（社区），请写出完整名称（如“××村”或“××社区”）。") % text
            if not after:
                return None, _(
                    "“%s”只有乡镇，没有村（社区）：请写成“乡镇+村（社区）”，如“王市镇前潘村”。"
                ) % text
            return None, _("在%(township)s找不到村（社区）“%(village)s”：请核对名称。") % {
                "township": form,
                "village": after,
            }
        hit = _longest(rest, everywhere)
        if hit and len(hit[1]) == 1:
            return next(iter(hit[1])), ""
        if hit:
            return None, _("“%s”在多个乡镇都有，请在村（社区）前写上乡镇，如“王市镇前潘村”。") % text
        return None, _("在您所在的县找不到“%s”：请写成“乡镇+村（社区）”，如“王市镇前潘村”。") % text


def _village_forms(name: str) -> set[str]:
    name = squeeze(name)
    committee = _committee(name)
    base = core(name)
    forms = {name, committee}
    if len(base) >= 2:
        forms.add(base)
    kinds = ("社区", "居") if committee.endswith(("社区", "居")) else ("村",)
    for kind in kinds:
        forms.add(base + kind)
    if committee.endswith("村"):
        forms.update({base + "村委会", base + "村民委员会"})
    else:
        forms.update({base + "居委会", base + "居民委员会", base + "社区居民委员会"})
    return forms


def _longest(text: str, forms: dict[str, set]):
    """The longest form ``text`` starts with, and what it names."""
    best = None
    for form, named in forms.items():
        if form and text.startswith(form) and (best is None or len(form) > len(best[0])):
            best = (form, named)
    if best is None:
        return None
    # Two forms of one length naming different places: ambiguous (kept in one set).
    return best
