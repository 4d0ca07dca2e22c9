"""The statistical division code (统计用区划代码) and what its digits mean.

Codes are hierarchical: 2-digit province, 4-digit city, 6-digit county (GB/T 2260), 9-digit township,
12-digit village or community. A division's code starts with its parent's, so "this region and
everything below it" is a prefix test on an indexed column.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县")
    TOWNSHIP = 4, _("乡镇")
    VILLAGE = 5, _("村/社区")


LENGTHS = {2: Level.PROVINCE, 4: Level.CITY, 6: Level.COUNTY, 9: Level.TOWNSHIP, 12: Level.VILLAGE}
LENGTH_OF = {level: length for length, level in LENGTHS.items()}
PARENT_LENGTH = {4: 2, 6: 4, 9: 6, 12: 9}


class InvalidCode(ValueError):
    pass


def level_of(code: str) -> Level:
    if not (code.isascii() and code.isdigit()) or len(code) not in LENGTHS:
        raise InvalidCode(f"{code!r} is not a division code (2, 4, 6, 9 or 12 digits)")
    return LENGTHS[len(code)]


def parent_of(code: str) -> str | None:
    level_of(code)
    n = PARENT_LENGTH.get(len(code))
    return code[:n] if n else None


def at_level(code: str, level: Level) -> str:
    """The code of the division at ``level`` that ``code`` lies in (its first digits); a code at or
    above ``level`` comes back as it is."""
    return code[: LENGTH_OF[level]]


def county_of(code: str) -> str:
    """The county a division lies in (GB/T 2260, the first six digits)."""
    return at_level(code, Level.COUNTY)


def township_of(code: str) -> str:
    """The township a village lies in (the first nine digits)."""
    return at_level(code, Level.TOWNSHIP)


def reaches(code: str, level: Level) -> bool:
    """True when ``code`` is at ``level`` or below it (a township reaches the county level)."""
    return len(code) >= LENGTH_OF[level]


def is_county(code: str) -> bool:
    return len(code) == LENGTH_OF[Level.COUNTY]


def is_township(code: str) -> bool:
    return len(code) == LENGTH_OF[Level.TOWNSHIP]


def is_village(code: str) -> bool:
    return len(code) == LENGTH_OF[Level.VILLAGE]


def is_within(code: str, ancestor: str) -> bool:
    """True when ``code`` is ``ancestor`` or lies below it."""
    return code.startswith(ancestor)


def is_community(name: str) -> bool:
    """A residents' committee (居民委员会/社区) rather than a villagers' committee.

    Informational only: household registration type is recorded per child, never inferred from this.
    """
    return "居委会" in name or "居民委员会" in name or name.endswith("社区")
