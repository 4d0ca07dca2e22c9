"""API v1 of the dashboards: the same figures as the page, for a region in the jurisdiction."""

import pytest
from rest_framework.test import APIClient

from tests import factories as f


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def url(code):
    return f"/api/v1/regions/{code}/dashboard/"


def test_the_county_reads_its_figures_with_the_areas_below(personas, api):
    f.make_child(actor=personas.dir_a, name="独居接口", living_arrangement="alone")
    body = api(personas.county).get(url(f.COUNTY), {"quarter": "2026-Q4"}).json()
    assert body["region"] == f.COUNTY and body["start"] == "2026-10-01" and body["end"] == "2026-12-31"
    assert body["children"] >= 4
    assert {a["code"] for a in body["areas"]} >= {f.TOWNSHIP, f.OTHER_TOWNSHIP}
    assert next(a for a in body["alerts"] if a["severity"] == "urgent")["n"] == 1


def test_a_region_outside_the_jurisdiction_is_not_found(personas, api):
    assert api(personas.dir_a).get(url(f.VILLAGE_B)).status_code == 404
    assert api(personas.mentor).get(url(f.COUNTY)).status_code == 404


def test_a_bad_period_is_a_field_error(personas, api):
    response = api(personas.county).get(url(f.COUNTY), {"start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 400 and "end" in response.json()
