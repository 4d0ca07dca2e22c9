"""Who answers for a village (``accounts.responsible``): the director in office with an active account,
the longest in office first; and every kind of work a village receives names that same person."""

import datetime as dt

import pytest

from shouhu.accounts import responsible
from shouhu.accounts.models import Role, User, WelfareWorker, WorkerKind
from shouhu.escalation.models import WorkItem
from shouhu.visits import investigations
from shouhu.visits.models import InvestigationItem
from shouhu.visits.services import schedules_refresh
from tests import clock
from tests import factories as f


def second_director(started_on=None, ended_on=None, username="dir_a2") -> User:
    user = f.make_user(username, Role.VILLAGE_DIRECTOR, f.VILLAGE_A, full_name="周敏")
    WelfareWorker.objects.create(
        kind=WorkerKind.DIRECTOR,
        user=user,
        name=user.full_name,
        region_id=f.VILLAGE_A,
        started_on=started_on,
        ended_on=ended_on,
    )
    return user


def post(user) -> WelfareWorker:
    return WelfareWorker.objects.get(user=user)


def test_the_director_longest_in_office_answers_whatever_order_the_posts_were_made_in(personas):
    newer = second_director(started_on=dt.date(2026, 3, 1))
    WelfareWorker.objects.filter(pk=post(personas.dir_a).pk).update(started_on=dt.date(2024, 9, 1))

    assert responsible.directors_of([f.VILLAGE_A])[f.VILLAGE_A] == personas.dir_a.pk

    WelfareWorker.objects.filter(pk=post(newer).pk).update(started_on=dt.date(2023, 1, 1))
    assert responsible.director_of(f.VILLAGE_A) == newer


def test_a_post_without_a_start_date_counts_as_the_longest_standing(personas):
    second_director(started_on=dt.date(2026, 3, 1))

    assert responsible.director_of(f.VILLAGE_A) == personas.dir_a


def test_an_inactive_account_does_not_answer(personas):
    newer = second_director(started_on=dt.date(2026, 3, 1))
    User.objects.filter(pk=personas.dir_a.pk).update(is_active=False)

    assert responsible.director_of(f.VILLAGE_A) == newer


def test_a_post_answers_from_its_start_until_it_ends(personas):
    handover = clock.TODAY + dt.timedelta(days=3)
    WelfareWorker.objects.filter(pk=post(personas.dir_a).pk).update(ended_on=handover)
    successor = second_director(started_on=handover)

    assert responsible.director_of(f.VILLAGE_A) == personas.dir_a
    assert responsible.director_of(f.VILLAGE_A, on=handover) == successor
    assert responsible.director_of(f.VILLAGE_A, on=clock.TODAY + dt.timedelta(days=30)) == successor


def test_a_village_without_a_director_in_office_has_none(personas):
    User.objects.filter(pk=personas.dir_a.pk).update(is_active=False)

    assert responsible.director_of(f.VILLAGE_A) is None
    assert f.VILLAGE_A not in responsible.directors_of([f.VILLAGE_A, f.VILLAGE_B])
    assert responsible.directors_of([f.VILLAGE_B]) == {f.VILLAGE_B: personas.dir_b.pk}


@pytest.mark.django_db(transaction=False)
def test_visits_and_the_quarterly_investigation_go_to_the_same_director(personas):
    """Two directors in office, the newer one made first and with the lower key: the visit schedule
    and the investigation (its one-statement PostgreSQL path) both name the one longest in office."""
    WelfareWorker.objects.filter(pk=post(personas.dir_a).pk).update(started_on=dt.date(2020, 1, 1))
    newer = second_director(started_on=dt.date(2026, 1, 1))

    schedules_refresh()
    investigation = investigations.investigation_open(
        actor=personas.county, county_code=f.COUNTY, year=2026, quarter=4
    )

    visit_owners = set(
        WorkItem.objects.filter(kind__startswith="visit.", region_code=f.VILLAGE_A).values_list(
            "responsible_id", flat=True
        )
    )
    check_owners = set(
        InvestigationItem.objects.filter(investigation=investigation, region_code=f.VILLAGE_A).values_list(
            "assignee_id", flat=True
        )
    )
    assert visit_owners == {personas.dir_a.pk} != {newer.pk}
    assert check_owners == {personas.dir_a.pk}
