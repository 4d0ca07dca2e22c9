"""Derived schedules, visit records, failed attempts, idempotency and escalation with the clock moved."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shouhu.children import services as child_services
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Notification, Status, Tier, WorkItem
from shouhu.visits import selectors, services
from shouhu.visits.models import Visit
from tests import clock
from tests import factories as f

TODAY = clock.TODAY


def items(child, **kw):
    return WorkItem.objects.filter(child=child, **kw)


def director_item(child):
    return items(child, kind=services.DIRECTOR_VISIT, status=Status.OPEN).get()


def visit(actor, child, **data):
    data.setdefault("visited_on", TODAY)
    return services.visit_record(actor=actor, child=child, data=data)[0]


def test_every_child_gets_a_director_visit_assigned_to_the_village_director(work):
    item = director_item(work.child_a)
    assert item.responsible == work.dir_a
    assert item.period_start == TODAY.replace(day=1)  # left-behind: monthly
    assert director_item(work.child_b).period_start == TODAY.replace(month=1, day=1)  # ordinary: yearly


def test_refreshing_twice_creates_nothing_new(work):
    count = WorkItem.objects.count()
    assert services.schedules_refresh()["created"] == 0
    assert WorkItem.objects.count() == count


def test_a_parent_leaving_for_work_makes_a_visit_due_within_the_month(work):
    child = work.child_b
    child_services.child_update(
        actor=work.dir_b, child=child, parents={"father": f.migrant(), "mother": {"situation": "deceased"}}
    )
    item = director_item(child)
    assert item.period_start == TODAY.replace(day=1)
    assert timezone.localdate(item.due_at).month == TODAY.month
    assert items(child, kind=services.DIRECTOR_VISIT, status=Status.CANCELLED).count() == 1  # the yearly one


def test_a_home_visit_satisfies_the_requirement(work):
    visit(work.dir_a, work.child_a)
    assert not items(work.child_a, status=Status.OPEN).exists()


def test_a_failed_attempt_is_recorded_but_does_not_satisfy(work):
    v = visit(work.dir_a, work.child_a, outcome="locked")
    assert v.failed and not v.saw_child
    assert items(work.child_a, status=Status.OPEN).count() == 1
    assert services.failed_attempts(child=work.child_a, since=TODAY) == 1


def test_a_phone_call_counts_only_where_the_county_allows_it(work):
    visit(work.dir_a, work.child_a, kind="phone")
    assert items(work.child_a, status=Status.OPEN).count() == 1
    services.policy_update(actor=work.county, county_code=f.COUNTY, phone_counts=True)
    services.complete_satisfied()
    assert items(work.child_a, status=Status.OPEN).count() == 0


def test_a_visit_in_the_future_or_before_birth_is_refused(work):
    with pytest.raises(ValidationError) as exc:
        visit(work.dir_a, work.child_a, visited_on=TODAY + dt.timedelta(days=1))
    assert "visited_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        visit(work.dir_a, work.child_a, visited_on=work.child_a.birth_date - dt.timedelta(days=1))
    assert not Visit.objects.exists()


def test_a_visit_to_a_child_outside_my_jurisdiction_is_refused(work):
    with pytest.raises(PermissionDenied):
        visit(work.dir_c, work.child_a)


def test_a_double_submission_stores_one_visit_and_answers_with_the_first(work):
    data = {"visited_on": TODAY, "notes": "奶奶在家"}
    first, created = services.visit_record(
        actor=work.dir_a, child=work.child_a, data=data, idempotency_key="k-1"
    )
    again, created_again = services.visit_record(
        actor=work.dir_a, child=work.child_a, data=data, idempotency_key="k-1"
    )
    assert created and not created_again and again.pk == first.pk
    assert Visit.objects.count() == 1


def test_an_observation_that_a_parent_came_home_updates_the_registry(work):
    services.visit_record(
        actor=work.dir_a,
        child=work.child_a,
        data={"visited_on": TODAY},
        facts={"parents": {"father": {"situation": "at_home"}}},
    )
    assert not work.child_a.categories.filter(category_id="left_behind").exists()


def test_overdue_work_escalates_to_the_township_then_the_county_once(
    work, django_capture_on_commit_callbacks
):
    item = director_item(work.child_a)
    policy = selectors.policy_of(f.COUNTY)
    escalation.escalate(now=item.due_at + dt.timedelta(days=policy.township_after_days - 1))
    item.refresh_from_db()
    assert item.tier == Tier.VILLAGE
    after_7 = item.due_at + dt.timedelta(days=policy.township_after_days, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):  # delivered once the escalation commits
        result = escalation.escalate(now=after_7)
    item.refresh_from_db()
    assert item.tier == Tier.TOWNSHIP and result["to_township"] >= 1
    notes = Notification.objects.filter(item=item, user=work.supervisor)
    assert set(notes.values_list("channel", flat=True)) == {"in_app", "email", "sms"}
    assert any("梦巧" in m.body or "梦巧" in m.subject for m in mail.outbox)
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        escalation.escalate(now=after_7)  # a re-run
    assert len(mail.outbox) == sent and notes.count() == 3
    escalation.escalate(now=item.due_at + dt.timedelta(days=policy.county_after_days, minutes=1))
    item.refresh_from_db()
    assert item.tier == Tier.COUNTY
    assert Notification.objects.filter(item=item, user=work.county, tier=Tier.COUNTY).exists()


def test_a_supervisor_reassigns_a_visit_within_the_township(work):
    item = director_item(work.child_a)
    escalation.item_reassign(actor=work.supervisor, item=item, to=work.dir_b)
    item.refresh_from_db()
    assert item.responsible == work.dir_b
    services.schedules_refresh()
    item.refresh_from_db()
    assert item.responsible == work.dir_b  # a re-run keeps the reassignment
    visit(work.dir_b, work.child_a)  # the covering director may now see the child and record the visit
    item.refresh_from_db()
    assert item.status == Status.DONE
    with pytest.raises(PermissionError):
        escalation.item_reassign(actor=work.dir_a, item=item, to=work.dir_a)
    with pytest.raises(ValidationError):
        escalation.item_reassign(actor=work.supervisor, item=item, to=work.dir_c)  # another township


def test_a_policy_change_is_recorded_and_only_a_county_user_may_make_it(work):
    services.policy_update(actor=work.county, county_code=f.COUNTY, others_months=6)
    policy = selectors.policy_of(f.COUNTY)
    assert policy.history.first().history_user == work.county
    with pytest.raises(PermissionDenied):
        services.policy_update(actor=work.supervisor, county_code=f.COUNTY, others_months=3)
    with pytest.raises(ValidationError):
        services.policy_update(actor=work.county, county_code=f.COUNTY, township_after_days=20)


def test_a_child_found_alone_needs_a_home_visit_within_24_hours_and_escalates_at_once(work):
    child = work.child_b
    child_services.child_update(actor=work.dir_b, child=child, fields={"living_arrangement": "alone"})
    urgent = items(child, kind=services.URGENT_VISIT).get()
    assert urgent.due_at - urgent.created_at <= dt.timedelta(hours=24, seconds=5)
    escalation.escalate(now=urgent.due_at + dt.timedelta(minutes=1))
    urgent.refresh_from_db()
    assert urgent.tier == Tier.TOWNSHIP
    visit(work.dir_b, child)
    urgent.refresh_from_db()
    assert urgent.status == Status.DONE


def test_a_county_centre_visit_must_be_made_by_county_staff(work):
    child = f.make_child(
        actor=work.dir_a,
        name="孤儿甲",
        parents={"father": {"situation": "deceased"}, "mother": {"situation": "deceased"}},
    )
    county_item = items(child, kind=services.COUNTY_VISIT).get()
    visit(work.dir_a, child)
    county_item.refresh_from_db()
    assert county_item.status == Status.OPEN
    visit(work.county, child)
    county_item.refresh_from_db()
    assert county_item.status == Status.DONE


# --- the dates that break schedules ----------------------------------------------------------------


def at_edges():
    return [pytest.param(m, marks=pytest.mark.time_machine(m), id=name) for name, m in clock.EDGES.items()]


@pytest.mark.parametrize("moment", at_edges())
def test_on_a_period_s_edge_each_child_has_one_visit_due_by_the_end_of_the_period(moment, work):
    """On 31 December, 29 February, a quarter's last or first day: one open item per child and
    requirement, its period holding today, due at the last second of that period."""
    today = moment.date()
    for child in (work.child_a, work.child_b, work.child_c):
        item = director_item(child)
        due = timezone.localtime(item.due_at)
        assert item.period_start <= today <= due.date() == item.period_end or item.period_end is None
        assert (due.hour, due.minute, due.second) == (23, 59, 59)
    assert director_item(work.child_a).period_start == today.replace(day=1)  # monthly
    assert director_item(work.child_b).period_start == dt.date(today.year, 1, 1)  # yearly


@pytest.mark.parametrize("moment", at_edges())
def test_the_day_after_an_edge_the_next_period_is_due_and_the_missed_one_stays_open(
    moment, work, time_machine
):
    tomorrow = moment.date() + dt.timedelta(days=1)
    before = director_item(work.child_a)
    time_machine.move_to(clock.at(tomorrow.year, tomorrow.month, tomorrow.day, 2))  # the nightly run

    services.schedules_refresh()

    due = items(work.child_a, kind=services.DIRECTOR_VISIT, status=Status.OPEN).order_by("due_at")
    if tomorrow.month == moment.date().month:  # still the same month: nothing new
        assert list(due) == [before]
    else:
        assert [i.period_start for i in due] == [before.period_start, tomorrow.replace(day=1)]


@pytest.mark.parametrize(
    "birthday, category",
    [(16, "left_behind"), (18, "orphan")],
    ids=["16th-birthday", "18th-birthday"],
)
def test_a_category_ends_on_its_birthday_in_the_nightly_run(birthday, category, work):
    """Left-behind ends on the 16th birthday and orphan on the 18th: the night before the child still
    holds it; the nightly run on the birthday ends it."""
    from shouhu import jobs

    born = clock.TODAY.replace(year=clock.TODAY.year - birthday, day=20)  # the birthday is on the 20th
    parents = (
        {"father": f.migrant(), "mother": f.migrant()}
        if category == "left_behind"
        else {"father": {"situation": "deceased"}, "mother": {"situation": "deceased"}}
    )
    child = f.make_child(
        actor=work.dir_a, name="生日", birth_date=born, id_number=f.id_number_for(born), parents=parents
    )
    eve = born.replace(year=born.year + birthday) - dt.timedelta(days=1)

    jobs.nightly(on=eve)
    assert child.categories.filter(category_id=category).exists()

    jobs.nightly(on=eve + dt.timedelta(days=1))
    assert not child.categories.filter(category_id=category).exists()
