"""Eligibility from the registry's facts: each check at its boundary, and the failed rule in words."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shouhu.assistance import eligibility
from shouhu.assistance.eligibility import Subject, check_subject
from shouhu.assistance.models import AssistanceType
from shouhu.children.validators import add_years

from .conftest import unsupported_child

ON = dt.date(2026, 6, 15)
RULE = {"max_age": 18, "categories": ["de_facto_unsupported"], "excluded_assistance": ["orphan"]}


def subject(age=10, categories=None, **kw):
    return Subject(
        age=age,
        categories={"de_facto_unsupported": "父亲服刑在押"} if categories is None else categories,
        **kw,
    )


def test_a_child_of_17_qualifies():
    result = check_subject(subject(age=17), RULE, ON)

    assert result.eligible
    assert result.reason == ""


def test_a_child_of_18_does_not_and_the_rule_says_why():
    result = check_subject(subject(age=18), RULE, ON)

    assert not result.eligible
    assert [o.code for o in result.failed] == ["max_age"]
    assert "已满18周岁" in result.reason


def test_a_child_without_the_category_fails_the_category_rule_with_both_lists():
    result = check_subject(subject(categories={"left_behind": "父母双方外出务工"}), RULE, ON)

    assert [o.code for o in result.failed] == ["categories"]
    assert "事实无人抚养儿童" in result.reason and "农村留守儿童" in result.reason


def test_an_orphan_allowance_excludes_the_subsidy():
    result = check_subject(subject(assistance=("orphan",)), RULE, ON)

    assert [o.code for o in result.failed] == ["excluded_assistance"]
    assert "孤儿津贴" in result.reason


def test_an_exited_child_qualifies_for_nothing():
    result = check_subject(subject(exited_on=ON), RULE, ON)

    assert [o.code for o in result.failed] == ["not_exited"]


def test_min_age_boundary():
    rule = {"min_age": 6, "max_age": 18, "categories": ["de_facto_unsupported"]}

    assert not check_subject(subject(age=5), rule, ON).eligible
    assert check_subject(subject(age=6), rule, ON).eligible


@pytest.mark.parametrize(
    "rule",
    [
        {"max_age": 19},
        {"categories": ["de_facto_unsupported"]},
        {"max_age": 18, "shell": "rm"},
        {"max_age": 18, "categories": ["rich"]},
    ],
)
def test_a_rule_outside_the_fixed_checks_is_refused(rule):
    with pytest.raises(ValidationError):
        eligibility.validate_rule(rule)


def test_the_seeded_types_have_valid_rules(db):
    types = AssistanceType.objects.all()

    assert {t.code for t in types} >= {"de_facto_living", "medical", "education", "temporary"}
    for t in types:
        eligibility.validate_rule(t.rule)
        assert t.rule["max_age"] <= 18


def test_from_the_registry_17_the_day_before_the_birthday_and_18_on_it(personas):
    living = AssistanceType.objects.get(code="de_facto_living")
    today = dt.date.today()
    birth = add_years(today, -17) + dt.timedelta(days=20)
    child = unsupported_child(birth_date=birth)
    birthday = add_years(birth, 18)

    assert eligibility.check(child, living, birthday - dt.timedelta(days=1)).eligible
    result = eligibility.check(child, living, birthday)
    assert not result.eligible
    assert "max_age" in {o.code for o in result.failed}


def test_the_admin_form_refuses_a_rule_outside_the_checks(db):
    from shouhu.assistance.admin import AssistanceTypeForm

    form = AssistanceTypeForm(
        data={
            "code": "x",
            "name": "某救助",
            "monthly": True,
            "rule": '{"max_age": 20}',
            "order": 0,
            "active": True,
        }
    )

    assert not form.is_valid()
    assert "rule" in form.errors
