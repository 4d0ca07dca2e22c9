"""The visit schedule rules (visits/rules.py): periods, requirements, what satisfies them."""

import datetime as dt
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from shouhu.visits import rules

LIXIN = SimpleNamespace(
    listed_months=1, others_months=12, county_months=12, urgent_hours=24, phone_counts=False
)


def test_a_left_behind_child_is_due_a_director_visit_by_the_end_of_the_month():
    (req,) = rules.requirements({"left_behind"}, policy=LIXIN, on=dt.date(2026, 2, 10))
    assert req.kind == rules.DIRECTOR and req.period_start == dt.date(2026, 2, 1)
    assert req.due_at.date() == dt.date(2026, 2, 28)


def test_an_ordinary_child_is_due_once_a_year():
    (req,) = rules.requirements(set(), policy=LIXIN, on=dt.date(2024, 2, 29))
    assert (req.period_start, req.due_at.date()) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_an_orphan_also_needs_the_county_centres_yearly_visit():
    kinds = {
        r.kind
        for r in rules.requirements(
            {"orphan", "difficulty_guardianship"}, policy=LIXIN, on=dt.date(2026, 5, 1)
        )
    }
    assert kinds == {rules.DIRECTOR, rules.COUNTY}


def test_a_child_flagged_alone_needs_a_visit_within_24_hours():
    from django.utils import timezone

    flagged = timezone.make_aware(dt.datetime(2026, 3, 31, 22, 0))
    urgent = [
        r
        for r in rules.requirements(
            {"living_alone"}, policy=LIXIN, on=dt.date(2026, 3, 31), flagged_alone_at=flagged
        )
        if r.kind == rules.URGENT
    ]
    assert urgent[0].due_at == flagged + dt.timedelta(hours=24)


@given(on=st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)), months=st.sampled_from([1, 2, 3, 4, 6, 12]))
def test_periods_tile_the_calendar(on, months):
    start, end = rules.period_of(on, months)
    assert start <= on <= end
    assert start.day == 1 and (end + dt.timedelta(days=1)).day == 1
    assert rules.period_of(end + dt.timedelta(days=1), months)[0] == end + dt.timedelta(days=1)
    assert rules.period_of(start, months) == (start, end)
    span = (end.year - start.year) * 12 + end.month - start.month + 1
    assert span == months


@given(year=st.integers(1990, 2100))
def test_february_ends_on_the_29th_in_leap_years(year):
    _, end = rules.period_of(dt.date(year, 2, 3), 1)
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    assert end.day == (29 if leap else 28)
