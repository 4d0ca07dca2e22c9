"""Dashboards read rollups kept per place: after any change, and after days pass, they hold exactly what
a count from the live tables gives, at every level from a village to the province."""

import dataclasses
import datetime as dt
from collections import defaultdict

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shouhu import jobs
from shouhu.cases import services as case_services
from shouhu.cases.models import Alert, AlertStatus
from shouhu.children import services as child_services
from shouhu.insight import rollups, selectors
from shouhu.insight.models import Layer, Tally
from shouhu.regions.models import Region
from shouhu.visits import services as visit_services
from tests import clock
from tests import factories as f

TODAY = clock.TODAY
PROVINCE = f.COUNTY[:2]
LEFT_BEHIND = {
    "parents": {"father": f.migrant(), "mother": f.migrant()},
    "living_arrangement": "grandparents",
}


def figures(board) -> dict:
    return {k: v for k, v in dataclasses.asdict(board).items() if k not in ("region", "as_of")}


def assert_same(user, code, start, end):
    region = Region.objects.get(code=code)
    kept = selectors.dashboard(user=user, region=region, start=start, end=end)
    live = selectors.dashboard_live(user=user, region=region, start=start, end=end)
    assert figures(kept) == figures(live), code


def summed(rows, length):
    sums: dict = defaultdict(lambda: [0, None])
    for code, figure, key, day, n, first in rows:
        entry = sums[(code[:length] if len(code) >= length else code, figure, key, day)]
        entry[0] += n
        entry[1] = first if entry[1] is None or (first is not None and first < entry[1]) else entry[1]
    return sorted(((*k, n, first) for k, (n, first) in sums.items()), key=repr)


def assert_rollups_exact():
    """Layer 0 equals a computation from scratch; layers 1 and 2 equal it summed by township, county."""
    rollups.flush_pending()
    places = rollups.stored(Layer.PLACE)
    assert places == rollups.computed(on=rollups.ages_on())
    assert rollups.stored(Layer.TOWNSHIP) == summed(places, 9)
    assert rollups.stored(Layer.COUNTY) == summed(places, 6)


@pytest.fixture
def busy(personas):
    """Left-behind children in three villages, a child living alone (an urgent alert), a visit, an
    exit, a child who moved to another township, a case, a closed alert."""
    admin = f._system_admin()
    for village, mark in zip((f.VILLAGE_A, f.VILLAGE_B, f.VILLAGE_C), "甲乙丙", strict=True):
        f.make_child(name="留守" + mark, village=village, **LEFT_BEHIND)
    f.make_child(name="独居甲", living_arrangement="alone")
    moving = f.make_child(name="迁移乙", **LEFT_BEHIND)
    child_services.child_update(actor=admin, child=moving, fields={"village_id": f.VILLAGE_C})
    leaving = f.make_child(name="退出丙", village=f.VILLAGE_B)
    child_services.child_update(
        actor=admin, child=leaving, fields={"exited_on": TODAY, "exit_reason": "moved"}
    )
    visit_services.visit_record(actor=personas.dir_a, child=personas.child_a, data={"visited_on": TODAY})
    case_services.case_open(actor=admin, child=personas.child_b, source="manual", risk_level="high")
    alone = f.make_child(name="独居丁", village=f.VILLAGE_C, living_arrangement="alone")
    alert = Alert.objects.get(child=alone, status=AlertStatus.OPEN)
    case_services.alert_close(actor=admin, alert=alert, reason="已安排亲属照料")
    return personas


def test_every_level_reads_what_the_live_tables_count(busy):
    admin = f._system_admin()
    first, last = selectors.quarter_of(TODAY)
    for user, code in (
        (admin, PROVINCE),
        (busy.county, f.COUNTY),
        (busy.supervisor, f.TOWNSHIP),
        (busy.dir_a, f.VILLAGE_A),
        (busy.dir_c, f.VILLAGE_C),
    ):
        assert_same(user, code, first, last)
    assert_rollups_exact()


def test_a_period_that_cuts_months_counts_the_cut_days_too(busy):
    for start, end in (
        (TODAY - dt.timedelta(days=40), TODAY + dt.timedelta(days=3)),
        (TODAY, TODAY),
        (TODAY.replace(day=1), TODAY + dt.timedelta(days=400)),
    ):
        assert_same(busy.county, f.COUNTY, start, end)
        assert_same(busy.supervisor, f.TOWNSHIP, start, end)


def test_a_change_is_in_the_rollups_when_it_commits(personas, django_capture_on_commit_callbacks):
    rollups.reconcile(on=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        f.make_child(name="提交后", village=f.VILLAGE_B, **LEFT_BEHIND)
    assert rollups._pending() == set()  # recomputed by the commit, not by a dashboard read
    kept = Tally.objects.filter(layer=Layer.PLACE, code=f.VILLAGE_B, figure="category", key="left_behind")
    assert sum(t.n for t in kept) == 1
    assert_rollups_exact()


def test_age_bands_move_with_the_date_alone(personas):
    tomorrow = TODAY + dt.timedelta(days=1)
    f.make_child(name="明天六岁", birth_date=selectors.born_after(tomorrow, 6))

    def bands():
        return {t.key: t.n for t in Tally.objects.filter(layer=Layer.TOWNSHIP, code=f.TOWNSHIP, figure="age")}

    rollups.reconcile(on=TODAY)
    today = bands()
    rollups.reconcile(on=tomorrow)
    assert bands()["6–13"] == today["6–13"] + 1 and bands().get("0–5", 0) == today["0–5"] - 1
    # The first dashboard of a day the nightly job has not reached counts the bands for that day.
    county = Region.objects.get(code=f.COUNTY)
    selectors.dashboard(user=personas.county, region=county, start=TODAY, end=TODAY)
    assert bands() == today and rollups.ages_on() == TODAY


def test_the_province_shows_its_counties_to_an_administrator_only(busy, client):
    client.force_login(f._system_admin())
    html = client.get(reverse("insight:region", kwargs={"code": PROVINCE})).content.decode()
    assert f'data-count="area-{f.COUNTY}"' in html
    county_page = client.get(reverse("insight:region", kwargs={"code": f.COUNTY})).content.decode()
    assert f"/regions/{PROVINCE}/dashboard/" in county_page
    client.force_login(busy.county)
    assert client.get(reverse("insight:region", kwargs={"code": PROVINCE})).status_code == 404
    county_page = client.get(reverse("insight:region", kwargs={"code": f.COUNTY})).content.decode()
    assert f"/regions/{PROVINCE}/dashboard/" not in county_page


# --- the property: any sequence of changes and of days passing leaves the rollups exact -------------

VILLAGES = (f.VILLAGE_A, f.VILLAGE_B, f.VILLAGE_C)
steps = st.one_of(
    st.tuples(st.just("register"), st.sampled_from(VILLAGES), st.sampled_from(["plain", "left", "alone"])),
    st.tuples(st.just("register_near_16"), st.sampled_from(VILLAGES), st.integers(1, 40)),
    st.tuples(st.just("migrate"), st.integers(0, 30)),
    st.tuples(st.just("parents_home"), st.integers(0, 30)),
    st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(VILLAGES)),
    st.tuples(st.just("exit"), st.integers(0, 30)),
    st.tuples(st.just("visit"), st.integers(0, 30)),
    st.tuples(st.just("close_alert"), st.integers(0, 30)),
    st.tuples(st.just("days_pass"), st.integers(1, 60)),
)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(steps, min_size=1, max_size=8))
def test_rollups_equal_a_computation_from_scratch_after_any_changes(personas, sequence):
    with transaction.atomic():  # each example starts from the same state
        _run(sequence)
        transaction.set_rollback(True)


def _run(sequence):
    admin = f._system_admin()
    rollups.reconcile(on=TODAY)
    day = TODAY
    for step in sequence:
        kind, *args = step
        children = list(
            child_services.Child.objects.filter(exited_on__isnull=True).order_by("created_at", "pk")
        )
        pick = children[args[0] % len(children)] if children and isinstance(args[0], int) else None
        if kind == "register":
            village, what = args
            extra = (
                LEFT_BEHIND if what == "left" else {"living_arrangement": "alone"} if what == "alone" else {}
            )
            f.make_child(
                name={"plain": "普通", "left": "留守", "alone": "独居"}[what], village=village, **extra
            )
        elif kind == "register_near_16":
            village, days = args
            birth = selectors.born_after(TODAY + dt.timedelta(days=days), 16)
            f.make_child(name="将满十六", village=village, birth_date=birth, **LEFT_BEHIND)
        elif kind == "migrate" and pick:
            parents = {"father": f.migrant(), "mother": f.migrant()}
            child_services.child_update(
                actor=admin, child=pick, parents=parents, fields={"living_arrangement": "grandparents"}
            )
        elif kind == "parents_home" and pick:
            home = {"situation": "at_home", "situation_since": None, "work_place": ""}
            child_services.child_update(
                actor=admin, child=pick, parents={"father": home}, fields={"living_arrangement": "parents"}
            )
        elif kind == "move" and pick:
            child_services.child_update(actor=admin, child=pick, fields={"village_id": args[1]})
        elif kind == "exit" and pick:
            child_services.child_update(
                actor=admin, child=pick, fields={"exited_on": TODAY, "exit_reason": "moved"}
            )
        elif kind == "visit" and pick:
            visit_services.visit_record(actor=admin, child=pick, data={"visited_on": TODAY})
        elif kind == "close_alert":
            alerts = list(Alert.objects.filter(status=AlertStatus.OPEN).order_by("opened_at", "pk"))
            if alerts:
                case_services.alert_close(actor=admin, alert=alerts[args[0] % len(alerts)], reason="已核实")
        elif kind == "days_pass":
            day += dt.timedelta(days=args[0])
            jobs.nightly(on=day)  # categories for the day (exits at 16), schedules, rules, then rollups
            assert rollups.ages_on() == day
        assert_rollups_exact()
