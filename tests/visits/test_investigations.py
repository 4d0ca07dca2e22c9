"""The quarterly dynamic investigation and the children's homes' weekly sessions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouhu.escalation.models import Status, WorkItem
from shouhu.visits import homes, investigations
from shouhu.visits.models import CheckStatus, ChildrensHome
from tests import clock
from tests import factories as f

TODAY = clock.TODAY
YEAR, QUARTER = TODAY.year, (TODAY.month - 1) // 3 + 1


def open_quarter(p, **kw):
    return investigations.investigation_open(
        actor=p.county, county_code=f.COUNTY, year=YEAR, quarter=QUARTER, **kw
    )


def test_opening_checks_every_listed_child_assigned_to_the_village_director(personas):
    inv = open_quarter(personas)
    (item,) = inv.items.all()  # only child_a is left-behind
    assert item.child == personas.child_a and item.assignee == personas.dir_a
    assert item.categories_before == ["left_behind"]


def test_opening_for_all_children_includes_ordinary_ones(personas):
    assert open_quarter(personas, all_children=True).items.count() == 3


def test_opening_the_same_quarter_twice_is_refused(personas):
    open_quarter(personas)
    with pytest.raises(ValidationError, match="已经发起过"):
        open_quarter(personas)


def test_only_county_staff_open_investigations(personas):
    with pytest.raises(PermissionDenied):
        investigations.investigation_open(
            actor=personas.supervisor, county_code=f.COUNTY, year=YEAR, quarter=QUARTER
        )


def test_a_check_that_finds_a_parent_home_updates_the_child_and_the_summary_says_why(personas):
    inv = open_quarter(personas, all_children=True)
    item = inv.items.get(child=personas.child_a)
    investigations.investigation_check(
        actor=personas.dir_a,
        item=item,
        changes={"parents": {"mother": {"situation": "at_home"}}},
        note="母亲返乡",
    )
    item.refresh_from_db()
    assert item.status == CheckStatus.UPDATED and item.categories_after == []
    confirmed = inv.items.get(child=personas.child_b)
    investigations.investigation_check(actor=personas.dir_b, item=confirmed)
    progress = {r["area"]: r for r in investigations.progress(investigation=inv, user=personas.county)}
    assert progress[f.TOWNSHIP]["checked"] == 2 and progress[f.TOWNSHIP]["total"] == 2
    inv = investigations.investigation_close(actor=personas.county, investigation=inv)
    township = inv.summary["townships"][f.TOWNSHIP]
    assert township["checked"] == 2 and township["name"] == "王市镇"
    assert any(e["child"] == "梦巧" and e["category"] == "农村留守儿童" for e in township["changed"])
    assert f.VILLAGE_A in inv.summary["rescue"]
    with pytest.raises(ValidationError):
        investigations.investigation_check(actor=personas.dir_b, item=confirmed)


def test_a_director_cannot_check_a_child_of_another_village(personas):
    inv = open_quarter(personas, all_children=True)
    with pytest.raises(PermissionDenied):
        investigations.investigation_check(actor=personas.dir_c, item=inv.items.get(child=personas.child_a))


def test_a_newly_found_child_joins_the_investigation(personas):
    inv = open_quarter(personas)
    item = investigations.investigation_add_child(
        actor=personas.dir_a,
        investigation=inv,
        fields=f.child_fields(name="新发现", living_arrangement="alone"),
    )
    assert item.newly_found and "living_alone" in item.categories_after


def test_a_home_without_a_session_last_week_is_flagged_once_and_a_session_clears_it(personas):
    home = ChildrensHome.objects.create(village_id=f.VILLAGE_A, name="前潘村儿童之家")
    assert homes.homes_check(on=TODAY) == 1
    assert homes.homes_check(on=TODAY) == 0
    item = WorkItem.objects.get(kind=homes.HOME_SESSION)
    last_week = TODAY - dt.timedelta(days=7)
    session, created = homes.session_record(
        actor=personas.dir_a,
        home=home,
        attendees=[personas.child_a],
        data={"held_on": last_week, "topic": "防溺水安全教育", "leader": "刘云"},
        idempotency_key="s-1",
    )
    item.refresh_from_db()
    assert created and session.attendee_count == 1 and item.status == Status.DONE
    again, created_again = homes.session_record(
        actor=personas.dir_a,
        home=home,
        data={"held_on": last_week, "topic": "x", "leader": "y"},
        idempotency_key="s-1",
    )
    assert not created_again and again.pk == session.pk
