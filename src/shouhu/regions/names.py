"""Places named in words, as sheets write them: the one reading of a village or township name that
the import and the cross-checks share.

Sheets leave out the committee words and the kind of place: 前潘村村民委员会, 前潘村委会, 前潘村 and
前潘 name one village; 王市镇 and 王市 one township. A name is compared by its core, the name without
them; a name matching two places is ambiguous and never guessed (the callers say so).
"""

from __future__ import annotations

from django.db.models import QuerySet

from .codes import Level

COMMITTEE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "委员会")
KIND_SUFFIXES = ("社区", "村", "居", "镇", "乡", "街道")


def core(name: str) -> str:
    """A place name without the committee words and then the kind of place: 前潘村村民委员会,
    前潘村委会 and 前潘村 are 前潘; 王市镇 is 王市. A name that is nothing but a suffix stays."""
    name = (name or "").strip()
    for suffix in COMMITTEE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    for suffix in KIND_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def villages_named(regions: QuerySet, *, village: str, township: str = "") -> list:
    """The villages among ``regions`` whose name is ``village`` by its core, in the township named
    ``township`` when one is given (at most 200 read)."""
    wanted = core(village)
    candidates = regions.filter(level=Level.VILLAGE, name__startswith=wanted).select_related("parent")
    return [
        r
        for r in candidates[:200]
        if core(r.name) == wanted and (not township or core(r.parent.name) == core(township))
    ]
