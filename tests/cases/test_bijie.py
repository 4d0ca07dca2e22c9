"""The Bijie deaths of 2015 replayed (DOMAIN.md): four siblings (13, 9, 7, 5), parents away, the father
out of contact, three locked-door visits in 17 days, a teacher's mandatory report on the eldest. Each
signal was known; the registry must combine them into one urgent alert for the home, listing the four
children, at the moment the last one arrives, and that alert must reach the county before its deadline
passes with nobody acting.

Everything goes through the services the pages use: registration, the household visit, the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from shouhu.accounts.models import Role
from shouhu.cases import reports, rules
from shouhu.cases.models import Alert, AlertStatus, ChildRisk, RiskLevel
from shouhu.children.households import household_of
from shouhu.children.models import Child
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Tier, WorkItem
from shouhu.visits import services as visit_services
from tests import clock
from tests import factories as f

START = clock.NOW - dt.timedelta(days=17)
SIBLINGS = (("毕大娃", 13, "male"), ("毕二娃", 9, "female"), ("毕三娃", 7, "male"), ("毕小娃", 5, "female"))


@dataclass
class Replay:
    children: list[Child]
    last_signal_at: dt.datetime
    alert: Alert


def register_siblings(actor, *, on: dt.date) -> list[Child]:
    """Four files, one per child, as a director types them: the same parents, the same carer."""
    from shouhu.children import idnumber

    carer_id = idnumber.make("34162319520304123")
    children = []
    for name, age, gender in SIBLINGS:
        birth = on.replace(year=on.year - age) - dt.timedelta(days=40)
        children.append(
            f.make_child(
                actor=actor,
                village=f.VILLAGE_B,
                name=name,
                gender=gender,
                birth_date=birth,
                id_number=f.id_number_for(birth, gender),
                schooling="primary" if age >= 6 else "",
                living_arrangement="grandparents",
                parents={
                    "father": {
                        "name": "毕大山",
                        "situation": "out_of_contact",
                        # Out of contact since the last call, 40 days before the report; no police report.
                        "situation_since": clock.TODAY - dt.timedelta(days=40),
                    },
                    "mother": {**f.migrant(since=on - dt.timedelta(days=700)), "name": "张小芳"},
                },
                carer={
                    "name": "毕奶奶",
                    "relation": "grandparent",
                    "birth_date": dt.date(1952, 3, 4),
                    "id_number": carer_id,
                    "capacity": "capable",
                },
            )
        )
    return children


def replay(personas, time_machine) -> Replay:
    time_machine.move_to(START, tick=True)
    children = register_siblings(personas.dir_b, on=START.date())
    for moved in (START, START + dt.timedelta(days=8), clock.NOW):
        time_machine.move_to(moved, tick=True)
        visit_services.visit_record_household(
            actor=personas.dir_b,
            child=children[0],
            data={"visited_on": timezone.localdate(), "kind": "home", "outcome": "locked"},
        )
    teacher = f.make_user("teacher_b", Role.TEACHER, f.VILLAGE_B, full_name="罗老师")
    last_signal_at = timezone.now()
    reports.report_file(
        actor=teacher,
        harm_type="abandoned",
        description="毕大娃两周未到校，家中锁门，联系不上家长。",
        seen_at=last_signal_at,
        urgency="soon",
        township=f.TOWNSHIP,
        village=f.VILLAGE_B,
        child_name="毕大娃",
        child_id_number=children[0].id_number,
    )
    alert = Alert.objects.get(status=AlertStatus.OPEN, severity=rules.URGENT)
    return Replay(children, last_signal_at, alert)


@pytest.mark.postgres
def test_the_four_siblings_are_one_household(personas, time_machine):
    time_machine.move_to(START, tick=True)
    children = register_siblings(personas.dir_b, on=START.date())
    home = household_of(children[0])
    assert home is not None
    assert {c.pk for c in home.children()} == {c.pk for c in children}


@pytest.mark.postgres
def test_bijie_ends_in_one_urgent_household_alert_listing_the_four_children(personas, time_machine):
    r = replay(personas, time_machine)

    home = household_of(r.children[0])
    assert r.alert.household_id == home.pk and r.alert.rule == "combined_signals"
    assert r.alert.facts["儿童人数"] == 4
    for name, age, _gender in SIBLINGS:
        assert f"{name}（{age}周岁）" in r.alert.facts["儿童"]
    # Its explanation: the signals that fired it, each with what shows it.
    assert {"父母失联", "走访未遇", "强制报告"} <= set(r.alert.facts)
    assert r.alert.facts["走访未遇次数"] == 3
    # One alert per cause of the home, never one per child.
    open_alerts = list(Alert.objects.filter(status=AlertStatus.OPEN))
    assert all(a.household_id == home.pk for a in open_alerts), [(a.rule, a.child) for a in open_alerts]
    assert len({a.rule for a in open_alerts}) == len(open_alerts)
    assert sum(a.severity == rules.URGENT for a in open_alerts) == 1
    # One piece of work for the urgent alert; each child shows the level.
    assert WorkItem.objects.filter(kind="alert.combined_signals").count() == 1
    levels = dict(ChildRisk.objects.filter(child__in=r.children).values_list("child_id", "level"))
    assert levels == {c.pk: RiskLevel.URGENT for c in r.children}


@pytest.mark.postgres
def test_the_household_alert_opens_on_the_last_signal_and_reaches_the_county_before_its_deadline(
    personas, time_machine
):
    r = replay(personas, time_machine)

    lag = (r.alert.opened_at - r.last_signal_at).total_seconds()
    print(f"last signal → household alert: {lag:.2f} s")
    assert 0 <= lag < 5  # evaluated on the write, not at night

    item = r.alert.work_item
    deadline = r.alert.opened_at + dt.timedelta(hours=24)
    county_at = r.alert.opened_at + dt.timedelta(hours=18)  # three quarters of the deadline
    assert item.due_at == deadline and item.county_at == county_at
    assert item.tier == Tier.TOWNSHIP  # the supervisor hears at once
    escalation.escalate(now=county_at - dt.timedelta(minutes=1))
    item.refresh_from_db()
    assert item.tier == Tier.TOWNSHIP
    escalation.escalate(now=county_at + dt.timedelta(minutes=15))  # the quarter-hourly job
    item.refresh_from_db()
    assert item.tier == Tier.COUNTY
    hours = (county_at - r.alert.opened_at).total_seconds() / 3600
    assert hours + 0.25 < 24
    print(f"alert → county: {hours:.1f} h (deadline 24 h)")
