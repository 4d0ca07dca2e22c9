"""A list's query count does not grow with its page: for territorial users and for those who see
children through grants alike (the grants are read once per request, not once per row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shouhu.accounts.models import Grant, GrantReason
from tests import factories as f

LISTS = ["/api/v1/children/", "/children/"]


def grow(personas, extra: int) -> None:
    """``extra`` more children, in two villages, each granted to the mentor and the social worker."""
    for i in range(extra):
        child = f.make_child(
            name=f"王{'明华丽芳强军伟敏静秀英兰'[i % 12]}{'一二三四五六七八九十'[i % 10]}",
            village=f.VILLAGE_A if i % 2 else f.VILLAGE_C,
        )
        Grant.objects.create(user=personas.mentor, child=child, reason=GrantReason.PAIRING)
        Grant.objects.create(user=personas.social_worker, child=child, reason=GrantReason.REFERRAL)


def queries(user, url: str, api) -> int:
    client = api(user) if url.startswith("/api/") else Client()
    if not url.startswith("/api/"):
        client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("who", ["dir_a", "supervisor", "county", "mentor", "social_worker"])
def test_a_list_asks_the_same_number_of_queries_for_2_and_for_12_rows(personas, api, url, who):
    user = getattr(personas, who)
    grow(personas, 2)
    small = queries(user, url, api)
    grow(personas, 10)
    large = queries(user, url, api)

    assert large == small, f"{url} as {who}: {small} queries for the smaller page, {large} for the larger"
