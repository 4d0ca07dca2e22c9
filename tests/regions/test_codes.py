"""What a division code's digits say (``regions.codes``): the one place codes are read."""

from __future__ import annotations

from shouhu.regions import codes
from shouhu.regions.codes import Level
from tests import factories as f


def test_a_village_lies_in_its_township_and_county():
    assert codes.township_of(f.VILLAGE_A) == f.TOWNSHIP
    assert codes.county_of(f.VILLAGE_A) == f.COUNTY
    assert codes.at_level(f.VILLAGE_A, Level.CITY) == "3416"


def test_a_code_at_or_above_the_level_asked_for_is_its_own():
    assert codes.township_of(f.COUNTY) == f.COUNTY
    assert codes.county_of(f.COUNTY) == f.COUNTY


def test_reaches_says_whether_a_code_is_at_a_level_or_below_it():
    assert codes.reaches(f.VILLAGE_A, Level.TOWNSHIP)
    assert codes.reaches(f.TOWNSHIP, Level.TOWNSHIP)
    assert not codes.reaches(f.COUNTY, Level.TOWNSHIP)


def test_the_level_of_a_code_by_its_length():
    assert codes.is_village(f.VILLAGE_A) and not codes.is_village(f.TOWNSHIP)
    assert codes.is_township(f.TOWNSHIP) and not codes.is_township(f.COUNTY)
    assert codes.is_county(f.COUNTY) and not codes.is_county(f.TOWNSHIP)


def test_within_is_the_code_or_below_it():
    assert codes.is_within(f.VILLAGE_A, f.TOWNSHIP)
    assert codes.is_within(f.TOWNSHIP, f.TOWNSHIP)
    assert not codes.is_within(f.VILLAGE_C, f.TOWNSHIP)
