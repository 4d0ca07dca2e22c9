"""The demo's referral: a case of 高寨村 referred to the social-work organisation of the
``social-worker`` account, accepted, with two services recorded; that account sees only that child."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from shouhu.accounts import access
from shouhu.accounts.models import GrantReason, User
from shouhu.demo import population as pop
from shouhu.referrals.models import Referral, ReferralStatus


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", children=200, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(seeded, db):
    return seeded


def test_the_ngo_account_sees_only_the_referred_child_with_two_services(demo_db):
    staff = User.objects.get(username="social-worker")
    referral = Referral.objects.get(provider_id=staff.organisation_id)

    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.region_code.startswith(pop.GAOZHAI)
    assert referral.records.count() == 2
    assert list(access.children_visible_to(staff)) == [referral.child]
    assert staff.grants.get().reason == GrantReason.REFERRAL
    assert not access.cases_visible_to(staff).exists()
    assert referral.case.events.filter(text__contains="已接收转介").exists()
