"""A referral's grant says why in the reader's language, and the API's service records carry what the
service achieved (the outcome), as the pages do."""

# ruff: noqa: F811 (the fixtures are the referral tests')
import pytest
from django.utils import timezone, translation

from shouhu.accounts.models import Grant, GrantReason
from shouhu.referrals import services
from shouhu.referrals.models import ServiceRecord

from .test_referrals import api, case, child, provider, refer  # noqa: F401


@pytest.fixture(autouse=True)
def registry_language_after():
    """A request in English leaves English active in the test's thread: put the registry's back."""
    yield
    translation.deactivate()


def test_the_organisations_grant_says_referral_and_the_service_in_english(personas, case, provider):
    referral = refer(personas.dir_a, case, provider)

    services.referral_accept(actor=personas.social_worker, referral=referral)

    grant = Grant.objects.get(user=personas.social_worker, reason=GrantReason.REFERRAL)
    assert (grant.note_code, grant.note_params, grant.note) == (
        "grant.referral",
        {"service": "counselling"},
        "转介：心理辅导",
    )
    with translation.override("en"):
        assert grant.text == "Referral: Psychological counselling"


def test_a_service_record_keeps_its_outcome_through_the_api(personas, case, provider):
    referral = refer(personas.dir_a, case, provider)
    services.referral_accept(actor=personas.social_worker, referral=referral)
    body = {
        "delivered_on": timezone.localdate().isoformat(),
        "description": "家庭教育指导",
        "hours": "2",
        "outcome": "孩子愿意每周和妈妈通话",
    }

    made = api(personas.social_worker).post(f"/api/v1/referrals/{referral.pk}/services/", body, format="json")

    assert made.status_code == 201 and made.json()["outcome"] == "孩子愿意每周和妈妈通话"
    assert ServiceRecord.objects.get(referral=referral).outcome == "孩子愿意每周和妈妈通话"
    (listed,) = api(personas.dir_a).get(f"/api/v1/referrals/{referral.pk}/services/").json()
    assert listed["outcome"] == "孩子愿意每周和妈妈通话"
    (in_referral,) = api(personas.dir_a).get(f"/api/v1/referrals/{referral.pk}/").json()["records"]
    assert in_referral["outcome"] == "孩子愿意每周和妈妈通话"


def test_a_service_record_without_an_outcome_is_still_recorded(personas, case, provider):
    referral = refer(personas.dir_a, case, provider)
    services.referral_accept(actor=personas.social_worker, referral=referral)
    body = {"delivered_on": timezone.localdate().isoformat(), "description": "心理辅导", "hours": "1"}

    made = api(personas.social_worker).post(f"/api/v1/referrals/{referral.pk}/services/", body, format="json")

    assert made.status_code == 201 and made.json()["outcome"] == ""
