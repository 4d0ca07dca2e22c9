"""Places named in words: the one reading the import and the cross-checks share (``regions.names``)."""

from __future__ import annotations

import pytest

from shouhu.regions import codes, names
from shouhu.regions.models import Region
from tests import factories as f


@pytest.mark.parametrize("written", ["前潘村村民委员会", "前潘村委会", "前潘村", "前潘", " 前潘村 "])
def test_a_village_is_named_with_or_without_its_committee_words(written):
    assert names.core(written) == "前潘"


@pytest.mark.parametrize(
    ("written", "wanted"), [("王市镇", "王市"), ("城关街道", "城关"), ("新河社区居民委员会", "新河")]
)
def test_a_township_or_community_is_named_without_its_kind(written, wanted):
    assert names.core(written) == wanted


def test_a_name_that_is_only_a_suffix_stays_as_written():
    assert names.core("村") == "村"


def test_the_village_is_found_by_its_core_in_the_township_named(db):
    villages = Region.objects.filter(code__within=f.COUNTY)

    (found,) = names.villages_named(villages, village="前潘村委会", township="王市")

    assert found.code == f.VILLAGE_A
    assert names.villages_named(villages, village="前潘", township="阚疃镇") == []


def test_only_villages_are_found(db):
    villages = Region.objects.filter(code__within=f.COUNTY)

    assert all(r.level == codes.Level.VILLAGE for r in names.villages_named(villages, village="王市"))
