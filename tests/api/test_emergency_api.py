"""Break the glass through the API: the same opening as the web page, for the same people, written to
the access log the same way; a worker lists and ends their own openings."""

import datetime as dt

import pytest
from django.utils import timezone

from shouhu.accounts import access
from shouhu.accounts.models import Grant, GrantReason
from shouhu.audit.models import AccessLog, Action
from shouhu.escalation.models import WorkItem
from tests import factories as f

from .conftest import child_url

OPENINGS = "/api/v1/emergency-openings/"
REASON = "儿童随母亲从王市镇迁入本村，需要核实原监护情况"


@pytest.fixture
def family(personas):
    """Child A of village A with an ID number."""
    child = personas.child_a
    child.id_number = f.id_number_for(child.birth_date)
    child.save()
    return child


def open_file(api, user, child, reason=REASON):
    return api(user).post(OPENINGS, {"id_number": child.id_number, "reason": reason}, format="json")


def test_a_director_of_another_township_opens_a_file_and_reads_it(api, personas, family):
    response = open_file(api, personas.dir_c, family)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["opened"] is True and body["child"] == str(family.pk)
    assert body["opening"]["reason"] == REASON and body["opening"]["child_name"] == family.name
    assert api(personas.dir_c).get(child_url(family)).status_code == 200


def test_the_opening_is_in_the_access_log_and_the_township_is_asked_to_review_it(api, personas, family):
    open_file(api, personas.dir_c, family)

    row = AccessLog.objects.get(action=Action.BREAK_GLASS, user=personas.dir_c)
    assert row.child_id == family.pk and row.channel == "api" and row.query == REASON
    grant = Grant.objects.get(user=personas.dir_c, reason=GrantReason.BREAK_GLASS)
    assert WorkItem.objects.filter(key=f"break_glass:{grant.pk}").exists()


def test_a_child_already_in_ones_jurisdiction_opens_nothing(api, personas, family):
    response = open_file(api, personas.dir_a, family)

    assert response.status_code == 200
    assert response.json() == {"child": str(family.pk), "opened": False, "opening": None}
    assert not Grant.objects.filter(reason=GrantReason.BREAK_GLASS).exists()


@pytest.mark.parametrize("persona", ["mentor", "social_worker"])
def test_a_role_without_a_territory_may_not_break_the_glass(api, personas, family, persona):
    user = getattr(personas, persona)

    assert open_file(api, user, family).status_code == 403
    assert api(user).get(OPENINGS).status_code == 403
    assert not Grant.objects.filter(reason=GrantReason.BREAK_GLASS).exists()


def test_a_short_reason_is_refused_naming_the_field(api, personas, family):
    response = open_file(api, personas.dir_c, family, reason="有事")

    assert response.status_code == 400 and set(response.json()) == {"reason"}


def test_an_unknown_or_malformed_id_number_is_refused_naming_the_field(api, personas, family):
    unknown = f.id_number_for(dt.date(2015, 3, 3))
    for number in (unknown, "12345"):
        response = api(personas.dir_c).post(OPENINGS, {"id_number": number, "reason": REASON}, format="json")
        assert response.status_code == 400 and set(response.json()) == {"id_number"}


def test_without_credentials_nothing_is_answered(api, family):
    assert api().get(OPENINGS).status_code == 401


def test_a_worker_lists_only_their_own_openings_in_force(api, personas, family):
    open_file(api, personas.dir_c, family)
    Grant.objects.create(
        user=personas.dir_c,
        child=personas.child_b,
        reason=GrantReason.BREAK_GLASS,
        note=REASON,
        starts_at=timezone.now() - dt.timedelta(hours=5),
        ends_at=timezone.now() - dt.timedelta(hours=2),
    )

    mine = api(personas.dir_c).get(OPENINGS).json()
    theirs = api(personas.dir_b).get(OPENINGS).json()

    assert [o["child"] for o in mine] == [str(family.pk)]
    assert theirs == []


def test_ending_an_opening_closes_the_file_at_once_and_is_logged(api, personas, family):
    opening = open_file(api, personas.dir_c, family).json()["opening"]
    client = api(personas.dir_c)

    response = client.post(f"{OPENINGS}{opening['id']}/end/")

    assert response.status_code == 200
    assert not access.can_view(personas.dir_c, family)
    assert client.get(child_url(family)).status_code == 404
    assert client.get(OPENINGS).json() == []
    ended = AccessLog.objects.filter(action=Action.BREAK_GLASS, user=personas.dir_c).order_by("at").last()
    assert REASON in ended.query and ended.query != REASON and ended.child_id == family.pk


def test_nobody_ends_another_persons_opening(api, personas, family):
    opening = open_file(api, personas.dir_c, family).json()["opening"]

    assert api(personas.dir_b).post(f"{OPENINGS}{opening['id']}/end/").status_code == 404
    assert api(personas.county).post(f"{OPENINGS}{opening['id']}/end/").status_code == 404
    assert access.can_view(personas.dir_c, family)


def test_an_unknown_opening_is_not_found(api, personas):
    client = api(personas.dir_c)

    assert client.post(f"{OPENINGS}not-an-id/end/").status_code == 404
    assert client.post(f"{OPENINGS}00000000-0000-0000-0000-000000000000/end/").status_code == 404


def test_a_role_without_a_territory_has_no_opening_to_end(api, personas, family):
    opening = open_file(api, personas.dir_c, family).json()["opening"]

    assert api(personas.mentor).post(f"{OPENINGS}{opening['id']}/end/").status_code == 404


def test_signed_out_no_opening_is_ended(api, personas, family):
    opening = open_file(api, personas.dir_c, family).json()["opening"]

    assert api().post(f"{OPENINGS}{opening['id']}/end/").status_code == 401
    assert access.can_view(personas.dir_c, family)
