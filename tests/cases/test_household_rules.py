"""Field signals and household rules: failed visits count, a parent out of contact without a police
report counts, children under six are covered, a report on one child re-checks the siblings, and the
home's causes raise one alert for the home."""

import datetime as dt

import pytest

from shouhu.cases import reports, rules, services
from shouhu.cases.models import Alert, AlertStatus, ChildRisk
from shouhu.cases.rules import Facts, Member, ParentState
from shouhu.children.classify import DE_FACTO_UNSUPPORTED
from shouhu.children.models import ChildCategory
from shouhu.escalation.models import WorkItem
from shouhu.visits import services as visit_services
from tests import factories as f

ON = dt.date(2026, 6, 15)
TODAY = dt.date(2026, 11, 18)
AWAY = (ParentState("父亲", "migrant"), ParentState("母亲", "migrant"))


def facts(**kw):
    base = dict(
        age=10,
        living_arrangement="grandparents",
        has_carer=True,
        carer_capable=True,
        parents=AWAY,
        schooling="primary",
    )
    return Facts(**{**base, **kw})


def fires(code, f_, **params):
    kind = rules.KINDS[code]
    return kind.check(f_, {**kind.params, **params}, ON)


def days(*ago):
    return tuple(ON - dt.timedelta(days=d) for d in ago)


def test_two_failed_visits_within_14_days_are_a_signal_and_one_alone_is_not():
    assert fires("failed_visits", facts(failed_attempt_dates=days(1, 13)))
    assert not fires("failed_visits", facts(failed_attempt_dates=days(1, 15)))
    assert not fires("failed_visits", facts(failed_attempt_dates=days(1)))


def test_one_failed_visit_with_any_other_signal_fires():
    lost = (ParentState("父亲", "out_of_contact", since=ON - dt.timedelta(days=40)), AWAY[1])
    assert fires("failed_visits", facts(failed_attempt_dates=days(2), parents=lost))["其他信号"]
    assert fires("failed_visits", facts(failed_attempt_dates=days(2), reported_harms=("abandoned",)))


def test_a_county_sets_its_own_failed_visit_thresholds(personas):
    services.rule_update(
        actor=personas.county,
        county=f.COUNTY,
        code="failed_visits",
        params={"failed_visits": 3, "window_days": 30},
    )
    setting = services.settings_of(f.COUNTY)["failed_visits"]
    params = {**rules.KINDS["failed_visits"].params, **setting.params}
    kind = rules.KINDS["failed_visits"]
    assert not kind.check(facts(failed_attempt_dates=days(1, 20)), params, ON)
    assert kind.check(facts(failed_attempt_dates=days(1, 10, 20)), params, ON)


def test_the_same_day_s_attempts_for_several_children_count_once():
    a, b = facts(failed_attempt_dates=days(1)), facts(failed_attempt_dates=days(1))
    members = [Member(1, "甲", a), Member(2, "乙", b)]
    assert (
        rules.check_household(rules.KINDS["failed_visits"], members, rules.KINDS["failed_visits"].params, ON)
        is None
    )


@pytest.mark.parametrize("age", [0, 3, 5])
def test_children_under_six_are_covered_by_the_no_adult_rules(age):
    assert fires("alone_under_16", facts(age=age, living_arrangement="minor_siblings"))
    assert fires("parents_unable", facts(age=age, parents=(ParentState("父亲", "imprisoned"), AWAY[1])))
    assert not fires("out_of_school", facts(age=age, schooling="dropped_out"))  # the school rule: 6–15


def test_a_parent_out_of_contact_is_recorded_with_the_last_contact_and_counts_without_a_police_report(
    personas,
):
    child = f.make_child(
        actor=personas.dir_b,
        village=f.VILLAGE_B,
        parents={
            "father": {"situation": "out_of_contact", "situation_since": TODAY - dt.timedelta(days=40)},
            "mother": f.migrant(),
        },
    )
    assert services.facts_of(child, on=TODAY).parents[0].since == TODAY - dt.timedelta(days=40)
    assert Alert.objects.filter(child=child, rule="parents_unable", status=AlertStatus.OPEN).exists()
    # The de-facto-unsupported category still needs the police report (its clock starts there).
    assert not ChildCategory.objects.filter(child=child, category_id=DE_FACTO_UNSUPPORTED).exists()


def siblings(actor, n=3, **kw):
    parents = {"father": {**f.migrant(), "name": "毕大山"}, "mother": {**f.migrant(), "name": "张小芳"}}
    kw.setdefault("living_arrangement", "grandparents")
    kw.setdefault("carer", {"name": "毕奶奶", "relation": "grandparent"})
    return [
        f.make_child(
            actor=actor,
            village=f.VILLAGE_B,
            name=f"毕{'一二三四'[i]}",
            birth_date=TODAY.replace(year=TODAY.year - 12 + 3 * i),
            parents=parents,
            **kw,
        )
        for i in range(n)
    ]


def test_the_home_s_cause_raises_one_alert_one_work_item_and_every_child_shows_the_level(personas):
    kids = siblings(personas.dir_b, living_arrangement="minor_siblings")
    alerts = Alert.objects.filter(rule="alone_under_16", status=AlertStatus.OPEN)
    assert alerts.count() == 1 and alerts.get().household_id is not None
    assert WorkItem.objects.filter(kind="alert.alone_under_16").count() == 1
    assert WorkItem.objects.filter(kind="alert_task.police_informed").count() == 1
    assert set(ChildRisk.objects.filter(child__in=kids).values_list("level", flat=True)) == {"urgent"}


def test_a_report_on_one_child_re_checks_the_siblings(personas):
    kids = siblings(personas.dir_b)
    visit_services.visit_record_household(
        actor=personas.dir_b, child=kids[0], data={"visited_on": TODAY, "kind": "home", "outcome": "locked"}
    )
    assert not Alert.objects.filter(rule="failed_visits").exists()  # one attempt, nothing else
    teacher = f.make_user("teacher_b", "teacher", f.VILLAGE_B)
    report = reports.report_file(
        actor=teacher,
        harm_type="abandoned",
        description="放学后没人接，家里锁门。",
        seen_at=None,
        urgency="soon",
        township=f.TOWNSHIP,
        village=f.VILLAGE_B,
    )
    supervisor = personas.supervisor
    reports.report_link(actor=supervisor, report=report, child=kids[2])
    alert = Alert.objects.get(rule="failed_visits", status=AlertStatus.OPEN)
    assert alert.facts["儿童人数"] == 3 and "强制报告" in alert.facts["其他信号"]
