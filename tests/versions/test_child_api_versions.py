"""A child's file in the API carries its version: ETag on reading, If-Match on changing, 412 when
someone saved in between, and never a lost change when two people change one file at once."""

import pytest

from shouhu.children.models import Child
from tests.api.conftest import api, child_url  # noqa: F401 - the fixture
from tests.concurrency import patch_pairs

from .conftest import concurrent, world  # noqa: F401 - the fixture


def test_a_file_answers_with_its_version_as_etag(personas, api):  # noqa: F811
    response = api(personas.dir_a).get(child_url(personas.child_a))

    version = Child.objects.get(pk=personas.child_a.pk).version
    assert response.json()["version"] == version
    assert response["ETag"] == f'W/"{version}"'


def test_a_change_with_the_current_version_is_saved_and_answers_the_next(personas, api):  # noqa: F811
    client = api(personas.dir_a)
    etag = client.get(child_url(personas.child_a))["ETag"]

    response = client.patch(
        child_url(personas.child_a), {"address": "前潘村3号"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    assert response["ETag"] == f'W/"{response.json()["version"]}"'


def test_a_stale_if_match_is_refused_with_412_and_the_current_file(personas, api):  # noqa: F811
    client = api(personas.dir_a)
    etag = client.get(child_url(personas.child_a))["ETag"]
    client.patch(child_url(personas.child_a), {"address": "前潘村3号"}, format="json", HTTP_IF_MATCH=etag)

    response = client.patch(
        child_url(personas.child_a), {"grade": "三年级"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 412
    body = response.json()
    assert body["current"]["address"] == "前潘村3号"
    assert body["version"] == body["current"]["version"]
    assert Child.objects.get(pk=personas.child_a.pk).grade != "三年级"


def test_the_version_may_be_sent_in_the_body_instead(personas, api):  # noqa: F811
    client = api(personas.dir_a)
    version = client.get(child_url(personas.child_a)).json()["version"]
    client.patch(child_url(personas.child_a), {"address": "前潘村3号", "version": version}, format="json")

    response = client.patch(
        child_url(personas.child_a), {"grade": "三年级", "version": version}, format="json"
    )

    assert response.status_code == 412


@pytest.mark.parametrize("header", ["abc", '"abc"', "W/3", '"1", "2"', '"-1"'])
def test_a_malformed_if_match_answers_400_naming_the_header(personas, api, header):  # noqa: F811
    response = api(personas.dir_a).patch(
        child_url(personas.child_a), {"grade": "三年级"}, format="json", HTTP_IF_MATCH=header
    )

    assert response.status_code == 400
    assert "If-Match" in response.json()


def test_a_change_without_if_match_keeps_what_others_saved_in_other_fields(personas, api):  # noqa: F811
    """Older clients send no version: their change is applied to the file as saved."""
    stale = Child.objects.get(pk=personas.child_a.pk)
    api(personas.supervisor).patch(child_url(stale), {"address": "前潘村3号"}, format="json")

    response = api(personas.dir_a).patch(child_url(stale), {"grade": "三年级"}, format="json")

    assert response.status_code == 200
    row = Child.objects.get(pk=stale.pk)
    assert (row.address, row.grade) == ("前潘村3号", "三年级")


@pytest.mark.postgres
@concurrent
def test_no_change_is_lost_when_pairs_of_people_change_one_file_at_once(world, api):  # noqa: F811
    clients = [api(world.dir_a), api(world.supervisor)]

    result = patch_pairs(clients=clients, child=world.child_a, pairs=100)

    assert result.other == []
    assert result.lost == 0
    assert result.saved + result.refused == 200
    assert result.saved >= 100  # of each pair, at least one is saved
