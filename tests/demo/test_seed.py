"""The demo promises a population in which every category shows, valid synthetic ID numbers, and one
account per role; seeding twice never duplicates it."""

import functools
import io
import json
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from shouhu.accounts import access
from shouhu.accounts.models import Organisation, Role, User, WelfareWorker, WorkerKind
from shouhu.children import idnumber
from shouhu.children.models import Carer, Child, ChildCategory, Parent
from shouhu.demo import population as pop
from shouhu.demo import seed as demo
from shouhu.regions import loader
from shouhu.regions.models import Region

CHILDREN = 200


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One demo population of 200 children for the whole module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", children=CHILDREN, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(seeded, db):
    return seeded


def category_count(code: str) -> int:
    return ChildCategory.objects.filter(child__in=demo.demo_children(), category_id=code).count()


@functools.cache
def lixin_divisions() -> dict[str, str]:
    return loader.select(loader.read_rows(), pop.COUNTY)


def lixin_plan(children: int, seed: int = 2026):
    rows = lixin_divisions()
    return pop.plan(
        townships=[pop.Township(c, n) for c, n in rows.items() if len(c) == 9],
        villages=[pop.Village(c, n, "居民委员会" in n) for c, n in rows.items() if len(c) == 12],
        children=children,
        seed=seed,
        today=timezone.localdate(),
    )


def test_it_seeds_the_number_of_children_asked_for_and_the_featured_household(demo_db):
    from shouhu.demo.activity import HOUSEHOLD

    assert demo.demo_children().count() == CHILDREN + len(HOUSEHOLD)


def test_about_one_child_in_ten_is_left_behind(demo_db):
    assert 0.08 <= category_count("left_behind") / CHILDREN <= 0.12


@pytest.mark.parametrize(
    "category",
    [
        "de_facto_unsupported",
        "orphan",
        "living_alone",
        "dropout",
        "difficulty_poverty",
        "difficulty_disability",
        "difficulty_guardianship",
    ],
)
def test_every_category_the_demo_promises_has_children(demo_db, category):
    assert category_count(category) >= 1


def test_a_child_lives_alone(demo_db):
    assert demo.demo_children().filter(living_arrangement="alone").exists()


def test_every_id_number_is_valid_and_uses_a_demo_sequence(demo_db):
    numbers = list(demo.demo_children().values_list("id_number", "birth_date", "gender"))
    numbers += [
        (n, None, None)
        for n in Parent.objects.filter(child__in=demo.demo_children()).values_list("id_number", flat=True)
    ]
    numbers += [
        (n, None, None)
        for n in Carer.objects.filter(child__in=demo.demo_children()).values_list("id_number", flat=True)
    ]
    assert len(numbers) > CHILDREN * 3
    for number, birth_date, gender in numbers:
        assert idnumber.validate(number) == number
        assert number.startswith(pop.COUNTY) and int(number[14:17]) in pop.DEMO_SEQUENCES
        if birth_date:
            assert idnumber.birth_date_of(number) == birth_date
            assert idnumber.gender_of(number) == gender


def test_no_child_outside_the_demo_sequences_is_created(demo_db):
    assert Child.objects.count() == demo.demo_children().count()


def test_schooling_is_consistent_with_age(demo_db):
    ages = {
        "not_in_kindergarten": range(0, 7),
        "kindergarten": range(2, 7),
        "primary": range(5, 13),
        "junior": range(11, 16),
        "senior": range(14, 18),
        "vocational": range(14, 18),
        "not_in_school": range(14, 18),
        "dropped_out": range(12, 16),
    }
    for child in demo.demo_children():
        assert child.age in ages[child.schooling], (child.age, child.schooling)


def test_the_directors_villages_have_left_behind_children(demo_db):
    for village in pop.FEATURED:
        children = demo.demo_children().filter(village_id=village)
        assert children.count() >= 5
        assert children.filter(categories__category_id="left_behind").count() >= 2


def test_no_household_is_placed_in_the_industrial_parks(demo_db):
    for park in pop.PARKS:
        assert not demo.demo_children().filter(region_code__startswith=park).exists()


def test_a_few_villages_have_no_child_director(demo_db):
    villages = Region.objects.filter(level=5, code__startswith=pop.COUNTY).exclude(code__startswith="3416234")
    staffed = WelfareWorker.objects.filter(kind=WorkerKind.DIRECTOR).values("region_id")
    without = villages.exclude(code__in=staffed).count()
    assert 1 <= without <= 0.06 * villages.count()


def test_every_township_has_a_supervisor(demo_db):
    townships = Region.objects.filter(level=4, code__startswith=pop.COUNTY).exclude(
        code__startswith="3416234"
    )
    staffed = set(
        WelfareWorker.objects.filter(kind=WorkerKind.SUPERVISOR).values_list("region_id", flat=True)
    )
    assert set(townships.values_list("code", flat=True)) <= staffed


def test_demo_accounts_json_lists_every_role_with_a_region_that_exists(demo_db):
    out = io.StringIO()
    call_command("demo_accounts", as_json=True, stdout=out)
    accounts = json.loads(out.getvalue())
    assert {a["role"] for a in accounts} == set(Role.values)
    assert all(a["password"] == demo.PASSWORD for a in accounts)
    codes = [a["region_code"] for a in accounts]
    assert Region.objects.filter(code__in=codes).count() == len(set(codes))


@pytest.mark.parametrize("username", demo.USERNAMES)
def test_each_demo_account_signs_in_with_the_demo_password(demo_db, username):
    assert authenticate(username=username, password=demo.PASSWORD) is not None


def test_directors_are_linked_to_the_registry_of_their_village(demo_db):
    for user in User.objects.filter(username__in=demo.USERNAMES, role=Role.VILLAGE_DIRECTOR):
        assert user.worker.kind == WorkerKind.DIRECTOR
        assert user.worker.region_id == user.region_id


def test_the_mentor_sees_one_left_behind_child_of_qianpan(demo_db):
    mentor = User.objects.get(username="mentor")
    (child,) = access.children_visible_to(mentor)
    assert child.village_id == pop.QIANPAN
    assert child.categories.filter(category_id="left_behind").exists()


def test_only_the_admin_is_staff(demo_db):
    assert list(
        User.objects.filter(username__in=demo.USERNAMES, is_staff=True).values_list(
            "username", "is_superuser", "role"
        )
    ) == [("admin", True, Role.ADMIN)]


def test_a_second_seed_without_reset_refuses_and_changes_nothing(demo_db):
    before = (
        Child.objects.count(),
        WelfareWorker.objects.count(),
        Organisation.objects.count(),
        User.objects.count(),
    )
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_demo", children=CHILDREN, stdout=io.StringIO())
    assert (
        Child.objects.count(),
        WelfareWorker.objects.count(),
        Organisation.objects.count(),
        User.objects.count(),
    ) == before


def test_if_missing_leaves_a_seeded_demo_alone(demo_db):
    out = io.StringIO()
    call_command("seed_demo", if_missing=True, stdout=out)
    assert "already seeded" in out.getvalue()
    from shouhu.demo.activity import HOUSEHOLD

    assert demo.demo_children().count() == CHILDREN + len(HOUSEHOLD)


def test_reset_replaces_the_population_without_duplicating_the_network(demo_db):
    from tests.conftest import APP_ROLE

    before = (WelfareWorker.objects.count(), Organisation.objects.count(), User.objects.count())
    if APP_ROLE:  # the application's role may not erase history: the reset refuses and changes nothing
        kept = demo.demo_children().count()
        with pytest.raises(CommandError, match="owner role"):
            call_command("seed_demo", children=60, seed=9, reset=True, stdout=io.StringIO())
        assert demo.demo_children().count() == kept
        return
    call_command("seed_demo", children=60, seed=9, reset=True, stdout=io.StringIO())
    from shouhu.demo.activity import HOUSEHOLD

    assert demo.demo_children().count() == 60 + len(HOUSEHOLD)
    assert (WelfareWorker.objects.count(), Organisation.objects.count(), User.objects.count()) == before


def test_it_refuses_a_population_too_small_to_show_every_category(db):
    with pytest.raises(CommandError, match="at least"):
        call_command("seed_demo", children=10, stdout=io.StringIO())


def test_the_plan_is_the_same_for_the_same_seed_and_differs_for_another():
    def names(plan):
        return [(c.fields["name"], c.fields["id_number"]) for c in plan.children]

    assert names(lixin_plan(100)) == names(lixin_plan(100))
    assert names(lixin_plan(100)) != names(lixin_plan(100, seed=1))


def test_grandparents_care_for_about_96_percent_of_left_behind_children_with_a_carer():
    carers = [
        c.carer["relation"]
        for c in lixin_plan(3000).children
        if c.profile in pop.LEFT_BEHIND_PROFILES and c.carer
    ]
    share = sum(r in ("grandparent", "maternal_grandparent") for r in carers) / len(carers)
    assert 0.92 <= share <= 0.99


def test_migrant_parents_name_where_they_work():
    places = Counter(
        p["work_place"]
        for c in lixin_plan(500).children
        for p in c.parents.values()
        if p["situation"] == "migrant"
    )
    assert places and all(place.endswith("市") for place in places)


def test_the_access_log_shows_a_break_the_glass_opening_and_its_end(demo_db):
    from shouhu.audit.models import AccessLog, Action

    opened, ended = AccessLog.objects.filter(action=Action.BREAK_GLASS).order_by("at")
    child = Child.objects.get(pk=opened.child_id)
    assert child.village_id == pop.CHENGYANG and opened.user.region_id == pop.QIANPAN and opened.query
    assert ended.child_id == opened.child_id and ended.user_id == opened.user_id
    assert opened.at < ended.at < timezone.now()


def test_the_demo_emergency_opening_is_over(demo_db):
    from shouhu.accounts.models import Grant, GrantReason

    grant = Grant.objects.get(reason=GrantReason.BREAK_GLASS)
    assert grant.starts_at < grant.ends_at < timezone.now()


def test_right_after_seeding_each_director_sees_only_her_own_village(demo_db):
    directors = User.objects.filter(role=Role.VILLAGE_DIRECTOR, region__isnull=False)
    assert directors.count() >= 2
    for director in directors:
        villages = set(access.children_visible_to(director).values_list("village_id", flat=True))
        assert villages <= {director.region_id}, director.username


def test_wangshi_has_submitted_its_report_for_the_last_quarter(demo_db):
    from shouhu.quarterly import selectors as quarterly
    from shouhu.quarterly.models import QuarterlyReport

    year, quarter = quarterly.previous_quarter()
    report = QuarterlyReport.objects.get(region_id="341623110", year=year, quarter=quarter)
    assert (report.job_status, report.status) == ("done", "submitted")
    assert report.submitted_by.username == "supervisor-wangshi"
    assert report.pdf.storage.exists(report.pdf.name) and report.xlsx_public
    assert report.figures["children"] > 0


def test_the_gaozhai_siblings_are_one_household_with_one_urgent_alert(demo_db):
    """The featured household replays Bijie: four siblings, one home, the signals combined into one
    urgent alert for the home that lists the four children."""
    from shouhu.cases.models import Alert, AlertStatus, ChildRisk
    from shouhu.children.households import household_of
    from shouhu.demo.activity import HOUSEHOLD

    siblings = list(Child.objects.filter(name__in=[h[0] for h in HOUSEHOLD], village_id=pop.GAOZHAI))
    assert len(siblings) == len(HOUSEHOLD) == 4
    homes = {household_of(c) for c in siblings}
    assert len(homes) == 1 and None not in homes
    (home,) = homes
    urgent = Alert.objects.filter(
        status=AlertStatus.OPEN, severity="urgent", child__village_id=pop.GAOZHAI, child__in=siblings
    )
    assert urgent.count() == 1
    alert = urgent.get()
    assert alert.household_id == home.pk and alert.facts["儿童人数"] == 4
    assert all(name in alert.facts["儿童"] for name, *_rest in HOUSEHOLD)
    # Every alert of the home is the home's: none per child.
    assert not Alert.objects.filter(
        child__in=siblings, household__isnull=True, status=AlertStatus.OPEN
    ).exists()
    assert set(ChildRisk.objects.filter(child__in=siblings).values_list("level", flat=True)) == {"urgent"}


def test_seeding_says_what_it_did_in_one_line(demo_db):
    """No text message, WeasyPrint progress or task line: the start, one line of outcome, the warning."""
    lines = demo_db.strip().splitlines()
    assert len(lines) == 3, lines
    assert lines[1].startswith(f"{CHILDREN} demo children seeded in ")
    assert "DEMO ONLY" in lines[2]


def test_quiet_logs_hold_back_information_but_not_warnings(caplog):
    import logging

    from shouhu.demo.quiet import quiet_logs

    caplog.set_level(logging.INFO)
    with quiet_logs():
        logging.getLogger("shouhu.notifications").info("SMS to 13800000000: …")
        logging.getLogger("weasyprint.progress").info("Step 5 - Creating layout - Page 1")
        logging.getLogger("kombu.connection").warning("No hostname was supplied.")
        logging.getLogger("shouhu.notifications").warning("notification delivery not started now")
    logging.getLogger("shouhu.notifications").info("after")
    assert [r.getMessage() for r in caplog.records] == ["notification delivery not started now", "after"]


def test_demo_ready_on_a_seeded_demo_only_lists_the_accounts(demo_db):
    from shouhu.demo.management.commands.demo_ready import pending_migrations

    assert pending_migrations() == 0
    out = io.StringIO()
    call_command("demo_ready", stdout=out)
    text = out.getvalue()
    assert "already seeded" in text and "Applying" not in text
    assert all(username in text for username in demo.USERNAMES)


def test_the_reviewers_screenshots_find_their_pages_in_the_demo(demo_db):
    from tests.e2e import screenshots

    assert {key: find() is not None for key, find in screenshots.FINDERS.items()} == {
        key: True for key in screenshots.FINDERS
    }
