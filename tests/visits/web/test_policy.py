"""走访规则: the county's visit frequencies and escalation days, their change history, county staff only."""

import pytest
from django.urls import reverse

from shouhu.visits.models import VisitPolicy
from tests import factories as f
from tests.web.conftest import error_next_to

POLICY = reverse("visits:policy")
LIXIN_DEFAULTS = {
    "listed_months": "1",
    "others_months": "12",
    "county_months": "12",
    "urgent_hours": "24",
    "township_after_days": "7",
    "county_after_days": "14",
}


def test_the_county_sees_its_policy_with_lixin_s_defaults(personas, signed_in):
    response = signed_in(personas.county).get(POLICY)

    assert response.status_code == 200
    form = response.context["form"]
    assert (form["listed_months"].value(), form["others_months"].value()) == (1, 12)
    assert [h.changes for h in response.context["history"]] == [[]]  # in use since, unchanged


def test_a_change_is_saved_and_shown_in_the_history_with_who_made_it(personas, signed_in):
    client = signed_in(personas.county)

    response = client.post(
        POLICY, {**LIXIN_DEFAULTS, "others_months": "6", "phone_counts": "on"}, follow=True
    )

    policy = VisitPolicy.objects.get(county_id=f.COUNTY)
    assert policy.others_months == 6 and policy.phone_counts
    html = response.content.decode()
    assert "走访规则已保存。" in html
    assert "其他登记儿童：走访间隔（月）：12 → 6" in html
    assert "电话联系可计为走访：否 → 是" in html
    assert "闫林" in html


def test_escalation_days_out_of_order_are_refused_next_to_the_field(personas, signed_in):
    response = signed_in(personas.county).post(POLICY, {**LIXIN_DEFAULTS, "township_after_days": "20"})

    assert error_next_to(response, "id_county_after_days") == "上报县级的天数须大于上报乡镇的天数。"
    assert not VisitPolicy.objects.filter(county_id=f.COUNTY, township_after_days=20).exists()


@pytest.mark.parametrize("persona", ["dir_a", "supervisor", "civil", "mentor"])
def test_only_county_staff_open_the_policy(personas, signed_in, persona):
    client = signed_in(getattr(personas, persona))

    assert client.get(POLICY).status_code == 404
    assert client.post(POLICY, {**LIXIN_DEFAULTS, "others_months": "3"}).status_code == 404
    assert not VisitPolicy.objects.filter(others_months=3).exists()


def test_the_menu_offers_the_policy_to_county_staff_only(personas, signed_in):
    assert POLICY in signed_in(personas.county).get(reverse("home")).content.decode()
    assert POLICY not in signed_in(personas.supervisor).get(reverse("home")).content.decode()
