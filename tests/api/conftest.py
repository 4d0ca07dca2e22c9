"""Helpers for the API tests: a client signed in with a persona's token, and a valid registration."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from shouhu.accounts.models import ApiToken
from shouhu.children.validators import add_years
from tests import factories as f

CHILDREN = "/api/v1/children/"
REGIONS = "/api/v1/regions/"


def child_url(child_or_id) -> str:
    return f"{CHILDREN}{getattr(child_or_id, 'pk', child_or_id)}/"


@pytest.fixture
def api():
    """``api(user)``: a client that sends ``user``'s token; ``api()``: one with no credentials."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, secret = ApiToken.objects.create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return client

    return client_for


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return add_years(today, -years) - dt.timedelta(days=days)


def registration(**overrides) -> dict:
    """A complete, valid registration in village A: two migrant parents, a grandmother, a contact."""
    birth = years_ago(9, days=40)
    body = {
        "name": "李梅",
        "gender": "female",
        "birth_date": birth.isoformat(),
        "village": f.VILLAGE_A,
        "hukou_type": "rural",
        "schooling": "primary",
        "living_arrangement": "grandparents",
        "parents": [
            {
                "role": "father",
                "name": "李建军",
                "situation": "migrant",
                "situation_since": years_ago(2).isoformat(),
                "work_place": "浙江省宁波市",
                "phone": "13800000001",
            },
            {
                "role": "mother",
                "name": "张丽",
                "situation": "migrant",
                "situation_since": years_ago(2).isoformat(),
                "work_place": "江苏省苏州市",
                "phone": "13800000002",
            },
        ],
        "carer": {
            "name": "王秀英",
            "relation": "grandparent",
            "birth_date": years_ago(66).isoformat(),
            "phone": "13800000003",
        },
        "contacts": [{"name": "刘云", "relation": "儿童主任", "phone": "13800000004", "role": "儿童主任"}],
    }
    body.update(overrides)
    return body
