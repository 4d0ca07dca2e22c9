"""Clients signed in as a persona, without tokens or passwords (the sign-in itself is tested elsewhere)."""

import pytest
from rest_framework.test import APIClient

from shouhu.accounts.models import Grant, GrantReason
from tests import factories as f


@pytest.fixture
def web(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def api():
    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def family(personas):
    """Child A with an ID number, a father with a phone and ID number, a carer and a rescue contact."""
    from shouhu.children import services

    child = personas.child_a
    services.child_update(
        actor=personas.county,
        child=child,
        fields={"id_number": f.id_number_for(child.birth_date), "illness": "哮喘"},
        parents={
            "father": {
                "phone": "13800000011",
                "id_number": f.id_number_for(child.birth_date.replace(year=1985), "male"),
            }
        },
        carer={"name": "梦奶奶", "relation": "grandparent", "phone": "13800000022", "address": "前潘村12号"},
        contacts=[{"name": "刘云", "relation": "儿童主任", "phone": "13800000033"}],
    )
    child.refresh_from_db()
    return child


@pytest.fixture
def referred(personas, family):
    """The social worker's organisation holds an accepted referral of child A (a referral grant)."""
    Grant.objects.create(
        user=personas.social_worker, child=family, reason=GrantReason.REFERRAL, granted_by=personas.county
    )
    return personas.social_worker
