"""Dashboards: each user starts at their own level, drills down, sees only their jurisdiction, and every
number that links to a list matches the rows of that list exactly."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from shouhu.insight import selectors
from shouhu.insight.forms import PeriodForm
from tests import clock
from tests import factories as f

TODAY = clock.TODAY


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def counts_on(html: str) -> dict[str, tuple[str, int]]:
    """{data-count key: (the list it links to, the number shown)}."""
    found = re.findall(r'<a href="([^"]+)" data-count="([^"]+)">(\d+)</a>', html)
    return {key: (href.replace("&amp;", "&"), int(n)) for href, key, n in found}


def rows_of(client, href: str) -> int:
    html = client.get(href).content.decode()
    return html.count('<td class="name">')


def test_each_user_starts_at_their_own_level(personas, signed_in):
    for user, code in (
        (personas.county, f.COUNTY),
        (personas.supervisor, f.TOWNSHIP),
        (personas.dir_a, f.VILLAGE_A),
    ):
        response = signed_in(user).get(reverse("insight:home"))
        assert response.status_code == 302 and response.url.endswith(f"/regions/{code}/dashboard/")


def test_a_user_without_jurisdiction_sees_why(personas, signed_in):
    response = signed_in(personas.mentor).get(reverse("insight:home"))
    assert response.status_code == 200 and "没有管辖区域" in response.content.decode()


def test_a_region_outside_the_jurisdiction_is_not_found(personas, signed_in):
    client = signed_in(personas.supervisor)
    assert client.get(reverse("insight:region", kwargs={"code": f.OTHER_TOWNSHIP})).status_code == 404
    assert client.get(reverse("insight:region", kwargs={"code": f.COUNTY})).status_code == 404


def test_the_numbers_match_the_lists_they_link_to(personas, signed_in):
    for i, village in enumerate((f.VILLAGE_A, f.VILLAGE_A, f.VILLAGE_B, f.VILLAGE_C)):
        f.make_child(
            name="看板" + "甲乙丙丁"[i],
            village=village,
            parents={"father": {"situation": "migrant"}, "mother": {"situation": "migrant"}},
            living_arrangement="grandparents",
        )
    client = signed_in(personas.county)
    html = client.get(reverse("insight:region", kwargs={"code": f.COUNTY})).content.decode()
    counts = counts_on(html)
    assert counts["children"][1] >= 7  # the three personas' children and the four above
    assert counts["category-left_behind"][1] >= 4
    sample = ["children", "category-left_behind", f"area-{f.TOWNSHIP}", f"area-{f.OTHER_TOWNSHIP}"]
    for key in sample:
        href, shown = counts[key]
        assert rows_of(client, href) == shown, key


def test_the_township_drills_down_to_its_villages_only(personas, signed_in):
    client = signed_in(personas.supervisor)
    html = client.get(reverse("insight:region", kwargs={"code": f.TOWNSHIP})).content.decode()
    assert f"/regions/{f.VILLAGE_A}/dashboard/" in html
    assert f.VILLAGE_C not in html  # another township's village


def test_overdue_visits_and_urgent_alerts_are_counted(personas):
    f.make_child(actor=personas.dir_a, name="独居看板", living_arrangement="alone")
    region = personas.county.region
    first, last = selectors.quarter_of(TODAY)
    board = selectors.dashboard(user=personas.county, region=region, start=first, end=last)
    urgent = next(a for a in board.alerts if a["severity"] == "urgent")
    assert urgent["n"] == 1 and urgent["late"] == 0
    township = next(a for a in board.areas if a["code"] == f.TOWNSHIP)
    assert township["alerts"] == 1


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 11, 26), dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        (dt.date(2024, 6, 30), dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
    ],
)
def test_quarters(day, first, last):
    assert selectors.quarter_of(day) == (first, last)


def test_age_bands_at_their_birthdays():
    today = dt.date(2026, 11, 26)
    assert selectors.born_after(today, 6) == dt.date(2020, 11, 26)
    assert selectors.born_after(dt.date(2028, 2, 29), 1) == dt.date(2027, 2, 28)


def test_a_period_the_wrong_way_round_or_too_long_is_refused():
    assert not PeriodForm({"start": "2026-05-01", "end": "2026-04-01"}).is_valid()
    assert not PeriodForm({"start": "2020-01-01", "end": "2026-01-01"}).is_valid()
    assert not PeriodForm({"start": "2026-01-01"}).is_valid()
    assert PeriodForm({"quarter": "2026-Q1"}).period() == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
