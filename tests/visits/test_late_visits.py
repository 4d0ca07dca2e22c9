"""The late visit an overdue item asks for closes it, and the figures still count it late."""

import datetime as dt

from django.utils import timezone

from shouhu.escalation import services as escalation
from shouhu.escalation.models import Status, WorkItem
from shouhu.insight import selectors as insight
from shouhu.regions.codes import county_of
from shouhu.regions.models import Region
from shouhu.visits import rules, selectors, services
from tests import clock
from tests import factories as f

TODAY = clock.TODAY  # 2026-11-18
OCTOBER = dt.date(2026, 10, 1)


def october_item(child):
    """October's visit, never made (the child was listed then too), as October's run made it."""
    services.schedules_refresh()
    policy = selectors.policy_of(county_of(child.region_code))
    (req, *_rest) = rules.requirements({"left_behind"}, policy=policy, on=OCTOBER)
    escalation.items_ensure(
        [
            escalation.ItemSpec(
                key=req.key(child.pk),
                kind=services.DIRECTOR_VISIT,
                title=f"走访 {child.name}",
                region_code=child.region_code,
                child_id=child.pk,
                responsible_id=WorkItem.objects.get(
                    child=child, kind=services.DIRECTOR_VISIT, status=Status.OPEN
                ).responsible_id,
                period_start=req.period_start,
                period_end=timezone.localdate(req.due_at),
                due_at=req.due_at,
                township_after=dt.timedelta(days=7),
                county_after=dt.timedelta(days=14),
            )
        ]
    )
    return WorkItem.objects.get(child=child, kind=services.DIRECTOR_VISIT, period_start=OCTOBER)


def test_a_visit_recorded_today_closes_last_months_overdue_visit(personas):
    item = october_item(personas.child_a)
    assert item.status == Status.OPEN and item.is_overdue()

    services.visit_record(actor=personas.dir_a, child=personas.child_a, data={"visited_on": TODAY})

    item.refresh_from_db()
    assert item.status == Status.DONE
    assert item.done_at > item.due_at  # done late
    # The same visit is this month's visit too.
    this_month = WorkItem.objects.get(
        child=personas.child_a, kind=services.DIRECTOR_VISIT, period_start=TODAY.replace(day=1)
    )
    assert this_month.status == Status.DONE


def test_a_visit_before_the_period_does_not_close_it(personas):
    services.visit_record(
        actor=personas.dir_a, child=personas.child_a, data={"visited_on": dt.date(2026, 9, 20)}
    )

    item = october_item(personas.child_a)

    assert item.status == Status.OPEN


def test_a_failed_attempt_does_not_close_an_overdue_visit(personas):
    item = october_item(personas.child_a)

    services.visit_record(
        actor=personas.dir_a, child=personas.child_a, data={"visited_on": TODAY, "outcome": "nobody_home"}
    )

    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_the_dashboard_counts_the_late_visit_as_late_not_on_time(personas):
    october_item(personas.child_a)
    county = Region.objects.get(code=f.COUNTY)
    before = insight.dashboard(user=personas.county, region=county, start=OCTOBER, end=dt.date(2026, 10, 31))
    assert before.visits["overdue"] >= 1

    services.visit_record(actor=personas.dir_a, child=personas.child_a, data={"visited_on": TODAY})

    after = insight.dashboard(user=personas.county, region=county, start=OCTOBER, end=dt.date(2026, 10, 31))
    live = insight.dashboard_live(
        user=personas.county, region=county, start=OCTOBER, end=dt.date(2026, 10, 31)
    )
    for board in (after, live):
        assert board.visits["late"] == before.visits["late"] + 1
        assert board.visits["on_time"] == before.visits["on_time"]
    assert after.visits["overdue"] == before.visits["overdue"] - 1
