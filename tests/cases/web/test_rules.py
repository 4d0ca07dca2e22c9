"""风险规则: the county's settings of each rule — parameters within their bounds, severity, deadline,
on or off — and who changed what; county staff only."""

import pytest
from django.urls import reverse

from shouhu.cases import services
from tests import factories as f
from tests.web.conftest import error_next_to

RULES = reverse("cases:rules")


def rule_url(code: str) -> str:
    return reverse("cases:rule", kwargs={"rule_code": code})


def alone_rule(**overrides) -> dict:
    data = {
        "alone_under_16-enabled": "on",
        "alone_under_16-severity": "urgent",
        "alone_under_16-deadline_hours": "24",
        "alone_under_16-param_max_age": "16",
        "alone_under_16-notify": ["township_supervisor"],
    }
    data.update({f"alone_under_16-{k}": v for k, v in overrides.items()})
    return data


def test_the_county_sees_each_rule_with_what_it_reads_and_its_bounds(personas, signed_in):
    html = signed_in(personas.county).get(RULES).content.decode()

    assert "16周岁以下儿童独居或无人照料" in html
    assert "年龄、实际监护、受委托照料人、父母状况" in html  # what it reads
    assert 'name="alone_under_16-param_max_age"' in html and 'min="8"' in html and 'max="18"' in html
    assert "8 到 18" in html


def test_the_county_changes_a_parameter_and_the_history_says_who(personas, signed_in):
    client = signed_in(personas.county)

    response = client.post(rule_url("alone_under_16"), alone_rule(param_max_age="17"), follow=True)

    assert services.settings_of(f.COUNTY)["alone_under_16"].params["max_age"] == 17
    html = response.content.decode()
    assert "已保存“16周岁以下儿童独居或无人照料”的设置。" in html
    assert "年龄上限（周岁）：16 → 17" in html
    assert "闫林" in html


def test_a_parameter_out_of_range_is_refused_next_to_the_field(personas, signed_in):
    response = signed_in(personas.county).post(rule_url("alone_under_16"), alone_rule(param_max_age="40"))

    assert response.status_code == 200
    assert (
        error_next_to(response, "id_alone_under_16-param_max_age")
        == "年龄上限（周岁）须为 8 到 18 之间的整数。"
    )
    assert services.settings_of(f.COUNTY)["alone_under_16"].params["max_age"] == 16


def test_a_deadline_out_of_range_is_refused_next_to_the_field(personas, signed_in):
    response = signed_in(personas.county).post(rule_url("alone_under_16"), alone_rule(deadline_hours="0"))

    assert error_next_to(response, "id_alone_under_16-deadline_hours") == "处置时限须在 1 小时到 90 天之间。"


def test_a_rule_is_turned_off(personas, signed_in):
    data = alone_rule()
    del data["alone_under_16-enabled"]

    signed_in(personas.county).post(rule_url("alone_under_16"), data)

    assert services.settings_of(f.COUNTY)["alone_under_16"].enabled is False


@pytest.mark.parametrize("persona", ["dir_a", "supervisor", "civil", "mentor"])
def test_only_county_staff_open_the_rules(personas, signed_in, persona):
    client = signed_in(getattr(personas, persona))

    assert client.get(RULES).status_code == 404
    assert client.post(rule_url("alone_under_16"), alone_rule(param_max_age="17")).status_code == 404
    assert services.settings_of(f.COUNTY)["alone_under_16"].params["max_age"] == 16


def test_an_unknown_rule_is_404(personas, signed_in):
    assert signed_in(personas.county).post(rule_url("nonsense"), {}).status_code == 404


def test_the_menu_offers_the_rules_to_county_staff_only(personas, signed_in):
    assert RULES in signed_in(personas.county).get(reverse("home")).content.decode()
    assert RULES not in signed_in(personas.supervisor).get(reverse("home")).content.decode()
