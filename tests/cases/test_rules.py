"""The risk rules at their thresholds, the county's edits, one alert per situation, closing rules."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shouhu.cases import rules, services
from shouhu.cases.models import Alert, AlertStatus, Case, ChildRisk
from shouhu.cases.rules import Facts, ParentState
from shouhu.children import services as child_services
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Notification, Tier
from shouhu.visits import services as visit_services
from tests import clock
from tests import factories as f

ON = dt.date(2026, 6, 15)
TODAY = clock.TODAY
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


# Each default rule at its thresholds ------------------------------------------------------------


@pytest.mark.parametrize("arrangement", ["alone", "minor_siblings"])
def test_a_child_under_16_alone_fires_and_at_16_does_not(arrangement):
    assert fires("alone_under_16", facts(age=15, living_arrangement=arrangement))
    assert not fires("alone_under_16", facts(age=16, living_arrangement=arrangement))


def test_a_carer_unable_to_care_or_no_carer_with_both_parents_away_fires():
    assert fires("alone_under_16", facts(carer_capable=False))
    assert fires("alone_under_16", facts(has_carer=False, living_arrangement="no_carer"))
    assert not fires("alone_under_16", facts())


def test_parents_unable_needs_both_away_and_one_unable():
    both_away_one_jailed = (ParentState("父亲", "imprisoned"), ParentState("母亲", "migrant"))
    assert fires("parents_unable", facts(parents=both_away_one_jailed))
    assert not fires(
        "parents_unable", facts(parents=(ParentState("父亲", "imprisoned"), ParentState("母亲", "at_home")))
    )
    assert not fires("parents_unable", facts(parents=AWAY))


@pytest.mark.parametrize(("age", "expected"), [(5, False), (6, True), (15, True), (16, False)])
def test_out_of_school_at_compulsory_ages(age, expected):
    assert bool(fires("out_of_school", facts(age=age, schooling="dropped_out"))) is expected


def test_out_of_school_found_by_a_visit():
    assert fires("out_of_school", facts(visit_in_school="no"))["来源"] == "走访"


def test_combined_signals_need_all_three_at_their_thresholds():
    lost = (
        ParentState("父亲", "out_of_contact", since=ON - dt.timedelta(days=30)),
        ParentState("母亲", "migrant"),
    )
    two = (ON - dt.timedelta(days=3), ON - dt.timedelta(days=10))
    assert fires("combined_signals", facts(schooling="dropped_out", parents=lost, failed_attempt_dates=two))
    lost_29 = (
        ParentState("父亲", "out_of_contact", since=ON - dt.timedelta(days=29)),
        ParentState("母亲", "migrant"),
    )
    assert not fires(
        "combined_signals", facts(schooling="dropped_out", parents=lost_29, failed_attempt_dates=two)
    )
    assert not fires(
        "combined_signals", facts(schooling="dropped_out", parents=lost, failed_attempt_dates=two[:1])
    )
    assert not fires("combined_signals", facts(schooling="primary", parents=lost, failed_attempt_dates=two))


def test_a_visit_finding_no_contact_for_over_a_month_counts_as_parents_out_of_contact():
    two = (ON - dt.timedelta(days=3), ON - dt.timedelta(days=10))
    assert fires(
        "combined_signals",
        facts(schooling="dropped_out", visit_parent_contact="longer", failed_attempt_dates=two),
    )


def test_lured_into_crime_fires_from_a_report():
    assert fires("lured_into_crime", facts(reported_harms=("lured",)))


# In the registry ----------------------------------------------------------------------------------


def test_recording_a_child_alone_raises_one_urgent_alert_that_reaches_the_supervisor_at_once(personas):
    child = personas.child_b
    child_services.child_update(actor=personas.dir_b, child=child, fields={"living_arrangement": "alone"})
    alert = Alert.objects.get(child=child, rule="alone_under_16")
    assert alert.severity == rules.URGENT and alert.facts["情形"] == "独自居住"
    assert alert.work_item.tier == Tier.TOWNSHIP
    assert alert.work_item.due_at <= timezone.now() + dt.timedelta(hours=24)
    assert Notification.objects.filter(item=alert.work_item, user=personas.supervisor).exists()
    assert ChildRisk.objects.get(child=child).level == "urgent"
    child_services.child_update(actor=personas.dir_b, child=child, fields={"address": "高寨村"})
    assert Alert.objects.filter(child=child, rule="alone_under_16").count() == 1  # never a duplicate


def test_unticking_the_box_does_not_silence_an_urgent_alert(personas):
    child = personas.child_b
    child_services.child_update(actor=personas.dir_b, child=child, fields={"living_arrangement": "alone"})
    child_services.child_update(
        actor=personas.dir_b, child=child, fields={"living_arrangement": "grandparents"}
    )
    assert Alert.objects.get(child=child, rule="alone_under_16").status == AlertStatus.OPEN


def test_a_medium_alert_closes_itself_with_the_reason_when_its_facts_go(personas):
    child = personas.child_b
    child_services.child_update(actor=personas.dir_b, child=child, fields={"schooling": "dropped_out"})
    alert = Alert.objects.get(child=child, rule="out_of_school")
    child_services.child_update(actor=personas.dir_b, child=child, fields={"schooling": "primary"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.close_reason == "触发条件已不再满足"


def test_an_urgent_alert_closes_by_a_visit_that_finds_the_child_cared_for(personas):
    child = personas.child_b
    child_services.child_update(actor=personas.dir_b, child=child, fields={"living_arrangement": "alone"})
    child_services.child_update(
        actor=personas.dir_b, child=child, fields={"living_arrangement": "grandparents"}
    )
    visit_services.visit_record(
        actor=personas.dir_b,
        child=child,
        data={"visited_on": TODAY, "guardian_capable": "yes", "safe": "yes"},
    )
    alert = Alert.objects.get(child=child, rule="alone_under_16")
    assert alert.status == AlertStatus.CLOSED and "走访" in alert.close_reason


def test_a_supervisor_closes_an_urgent_alert_only_with_a_reason_and_a_director_cannot(personas):
    child = personas.child_b
    child_services.child_update(actor=personas.dir_b, child=child, fields={"living_arrangement": "alone"})
    alert = Alert.objects.get(child=child, rule="alone_under_16")
    with pytest.raises(PermissionDenied):
        services.alert_close(actor=personas.dir_b, alert=alert, reason="已好转")
    with pytest.raises(ValidationError):
        services.alert_close(actor=personas.supervisor, alert=alert, reason=" ")
    services.alert_close(actor=personas.supervisor, alert=alert, reason="已安置到亲属家")
    assert ChildRisk.objects.get(child=child).level == "stable"


def test_a_countys_edit_changes_what_fires(personas):
    child = f.make_child(
        actor=personas.dir_a,
        name="十六岁",
        birth_date=TODAY.replace(year=TODAY.year - 16) - dt.timedelta(days=1),
        living_arrangement="alone",
    )
    assert not Alert.objects.filter(child=child, rule="alone_under_16").exists()
    services.rule_update(
        actor=personas.county, county=f.COUNTY, code="alone_under_16", params={"max_age": 17}
    )
    services.evaluate_child(child=child)
    assert Alert.objects.filter(child=child, rule="alone_under_16").exists()
    assert services.settings_of(f.COUNTY)["alone_under_16"].history.first().history_user == personas.county


def test_a_rule_turned_off_does_not_fire(personas):
    services.rule_update(actor=personas.county, county=f.COUNTY, code="out_of_school", enabled=False)
    child_services.child_update(
        actor=personas.dir_b, child=personas.child_b, fields={"schooling": "dropped_out"}
    )
    assert not Alert.objects.filter(child=personas.child_b, rule="out_of_school").exists()


@pytest.mark.parametrize("params", [{"max_age": 40}, {"max_age": "16"}, {"nonsense": 3}])
def test_a_parameter_out_of_range_is_refused(personas, params):
    with pytest.raises(ValidationError):
        services.rule_update(actor=personas.county, county=f.COUNTY, code="alone_under_16", params=params)


def test_only_the_county_edits_its_rules(personas):
    with pytest.raises(PermissionDenied):
        services.rule_update(actor=personas.supervisor, county=f.COUNTY, code="alone_under_16", enabled=False)


def test_parents_unable_opens_a_case(personas):
    child = personas.child_b
    child_services.child_update(
        actor=personas.dir_b,
        child=child,
        parents={
            "father": {"situation": "imprisoned", "situation_since": TODAY - dt.timedelta(days=30)},
            "mother": {"situation": "migrant", "situation_since": TODAY - dt.timedelta(days=300)},
        },
    )
    case = Case.objects.get(child=child)
    assert case.source == "rule" and case.alert.rule == "parents_unable"


def test_a_bijie_like_household_is_flagged_when_the_last_signal_arrives_and_climbs_to_the_county(personas):
    """Siblings alone, out of school, parents out of contact for a month, two failed visits."""
    lost = {
        "situation": "out_of_contact",
        "situation_since": TODAY - dt.timedelta(days=60),
        "police_report_date": TODAY - dt.timedelta(days=40),
    }
    child = f.make_child(
        actor=personas.dir_a,
        name="毕小妹",
        schooling="dropped_out",
        parents={"father": lost, "mother": {"situation": "migrant"}},
    )
    for days in (9, 4):
        visit_services.visit_record(
            actor=personas.dir_a,
            child=child,
            data={"visited_on": TODAY - dt.timedelta(days=days), "outcome": "locked"},
        )
    combined = Alert.objects.get(child=child, rule="combined_signals")
    # Three signals of the home (out of school, parents out of contact, two failed visits): urgent.
    assert combined.severity == rules.URGENT and combined.facts["走访未遇次数"] == 2
    child_services.child_update(
        actor=personas.dir_a, child=child, fields={"living_arrangement": "minor_siblings"}
    )
    urgent = Alert.objects.get(child=child, rule="alone_under_16")
    escalation.escalate(now=urgent.work_item.county_at + dt.timedelta(minutes=1))
    urgent.work_item.refresh_from_db()
    assert urgent.work_item.tier == Tier.COUNTY
    assert Notification.objects.filter(item=urgent.work_item, user=personas.county).exists()


def test_a_homes_no_adult_signal_reads_the_countys_age_for_the_alone_rule():
    """A county that protects children alone up to 18 sees a 17-year-old alone as a signal of the home
    too, not only up to the default 16."""
    seventeen = facts(age=17, living_arrangement="alone")
    params = rules.KINDS["combined_signals"].params

    assert "无成年人照料" not in rules.signals(seventeen, params, ON)
    assert rules.signals(seventeen, {**params, "alone_max_age": 18}, ON)["无成年人照料"] == "独自居住"
