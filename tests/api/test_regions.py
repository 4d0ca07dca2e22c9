"""Browsing the division tree: each user starts at the top of their jurisdiction and goes down."""

from tests import factories as f

from .conftest import REGIONS


def codes(response) -> list[str]:
    return [r["code"] for r in response.json()]


def test_without_a_parent_a_director_starts_at_their_village(personas, api):
    response = api(personas.dir_a).get(REGIONS)

    assert codes(response) == [f.VILLAGE_A]


def test_without_a_parent_a_supervisor_starts_at_their_township(personas, api):
    response = api(personas.supervisor).get(REGIONS)

    assert codes(response) == [f.TOWNSHIP]


def test_a_region_is_described_by_code_name_level_parent_and_kind(personas, api):
    response = api(personas.dir_a).get(REGIONS)

    assert response.json() == [
        {
            "code": f.VILLAGE_A,
            "name": "前潘村村民委员会",
            "level": 5,
            "parent": f.TOWNSHIP,
            "is_community": False,
        }
    ]


def test_a_parent_lists_its_direct_subdivisions(personas, api):
    response = api(personas.supervisor).get(REGIONS, {"parent": f.TOWNSHIP})

    assert {f.VILLAGE_A, f.VILLAGE_B} <= set(codes(response))
    assert all(r["parent"] == f.TOWNSHIP and r["level"] == 5 for r in response.json())


def test_the_county_lists_its_townships(personas, api):
    response = api(personas.county).get(REGIONS, {"parent": f.COUNTY})

    assert len(codes(response)) == 25
    assert f.OTHER_TOWNSHIP in codes(response)


def test_a_parent_outside_my_jurisdiction_is_404(personas, api):
    response = api(personas.supervisor).get(REGIONS, {"parent": f.OTHER_TOWNSHIP})

    assert response.status_code == 404


def test_a_parent_above_my_jurisdiction_is_404(personas, api):
    response = api(personas.dir_a).get(REGIONS, {"parent": f.TOWNSHIP})

    assert response.status_code == 404


def test_a_parent_that_does_not_exist_is_404(personas, api):
    response = api(personas.county).get(REGIONS, {"parent": "341623999"})

    assert response.status_code == 404


def test_a_user_with_grants_only_has_no_regions_to_browse(personas, api):
    assert api(personas.mentor).get(REGIONS).json() == []


def test_one_region_in_my_jurisdiction_can_be_read(personas, api):
    response = api(personas.supervisor).get(f"{REGIONS}{f.VILLAGE_B}/")

    assert response.json()["code"] == f.VILLAGE_B


def test_one_region_outside_my_jurisdiction_is_404(personas, api):
    response = api(personas.supervisor).get(f"{REGIONS}{f.VILLAGE_C}/")

    assert response.status_code == 404
