"""The one table of deadlines (``escalation.deadlines``), read through ``ItemSpec.timed``."""

import datetime as dt

import pytest
from django.utils import timezone

from shouhu.escalation import deadlines
from shouhu.escalation.services import ItemSpec

NOW = timezone.make_aware(dt.datetime(2026, 11, 18, 9, 0))
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)


def item(kind: str, **fields):
    return ItemSpec.timed(
        key="k", kind=kind, title="t", region_code="341623110202", made_at=NOW, **fields
    ).build()


def test_a_referral_is_answered_in_three_days_and_reaches_the_county_two_days_late():
    made = item("referral.respond")
    assert made.due_at == NOW + 3 * DAY
    assert made.township_at == made.due_at
    assert made.county_at == made.due_at + 2 * DAY
    assert made.bureau_at is None


def test_a_report_reaches_the_township_at_once_and_the_county_at_its_triage_deadline():
    made = item("report.triage", deadline=deadlines.deadline_of("report.triage.immediate"))
    assert (made.township_at, made.due_at, made.county_at) == (NOW, NOW + 2 * HOUR, NOW + 2 * HOUR)
    assert made.bureau_at == made.county_at + deadlines.BUREAU_AFTER


def test_a_response_task_keeps_the_date_it_is_given_and_its_kind_reads_its_first_part():
    made = item("alert_task.police_informed", due_at=NOW + 24 * HOUR)
    assert made.due_at == NOW + 24 * HOUR
    assert made.county_at == made.due_at + 2 * DAY
    assert made.bureau_at == made.county_at + 3 * DAY


@pytest.mark.parametrize("hours", [1, 24, 72])
def test_an_urgent_alert_reaches_the_county_when_three_quarters_of_its_time_have_passed(hours):
    made = item("alert.x", deadline=deadlines.for_alert(hours=hours, urgent=True, township_at_once=False))
    assert made.township_at == NOW
    assert made.county_at == NOW + dt.timedelta(hours=hours * 0.75)
    assert made.due_at == NOW + dt.timedelta(hours=hours)


def test_an_alert_that_need_not_tell_the_township_at_once_reaches_it_at_the_deadline():
    made = item("alert.x", deadline=deadlines.for_alert(hours=72, urgent=False, township_at_once=False))
    assert made.township_at == made.due_at == NOW + 72 * HOUR
    assert made.county_at == made.due_at + 7 * DAY


def test_every_assistance_step_gives_its_days():
    days = {
        k: deadlines.deadline_of(k).answer.days for k in deadlines.DEADLINES if k.startswith("assistance.")
    }
    assert days == {
        "assistance.township": 5,
        "assistance.county": 10,
        "assistance.returned": 7,
        "assistance.check": 7,
        "assistance.review": 7,
    }
