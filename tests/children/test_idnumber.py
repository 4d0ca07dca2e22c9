"""Resident ID numbers (GB 11643): check digit, birth date, normalisation of spreadsheet quirks."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouhu.children import idnumber

VALID = "11010519491231002X"  # the standard's own example


def test_the_standard_example_is_valid():
    assert idnumber.validate(VALID) == VALID


def test_a_wrong_check_digit_is_refused_with_the_expected_one():
    with pytest.raises(idnumber.InvalidIdNumber, match="应为 X"):
        idnumber.validate("110105194912310021")


@pytest.mark.parametrize("value", ["1101051949123100", "11010519491231002XX", "ABCDEFGHIJKLMNOPQR"])
def test_wrong_length_or_letters_are_refused(value):
    with pytest.raises(idnumber.InvalidIdNumber):
        idnumber.validate(value)


def test_an_impossible_birth_date_is_refused():
    with pytest.raises(idnumber.InvalidIdNumber, match="出生日期"):
        idnumber.validate(idnumber.make("34162320230230001"))


@pytest.mark.parametrize(
    "raw", ["'11010519491231002x", "''11010519491231002X", " １１０１０５１９４９１２３１００２Ｘ "]
)
def test_spreadsheet_quirks_are_normalised(raw):
    assert idnumber.validate(raw) == VALID


@given(
    area=st.sampled_from(["341623", "110105", "440305"]),
    birth=st.dates(dt.date(1950, 1, 1), dt.date(2026, 12, 31)),
    seq=st.integers(0, 999),
)
def test_any_generated_number_validates_and_carries_its_birth_date_and_gender(area, birth, seq):
    number = idnumber.make(f"{area}{birth:%Y%m%d}{seq:03d}")
    assert idnumber.validate(number) == number
    assert idnumber.birth_date_of(number) == birth
    assert idnumber.gender_of(number) == ("male" if seq % 2 else "female")


@given(
    birth=st.dates(dt.date(1950, 1, 1), dt.date(2026, 12, 31)),
    seq=st.integers(0, 999),
    pos=st.integers(0, 16),
    delta=st.integers(1, 9),
)
def test_any_single_digit_change_is_caught(birth, seq, pos, delta):
    number = idnumber.make(f"341623{birth:%Y%m%d}{seq:03d}")
    changed = number[:pos] + str((int(number[pos]) + delta) % 10) + number[pos + 1 :]
    try:
        idnumber.birth_date_of(changed)
    except ValueError:
        return  # refused as an impossible date, which is also a refusal
    with pytest.raises(idnumber.InvalidIdNumber):
        idnumber.validate(changed)
