"""Reading the registry through the API: lists and searches scoped to the user, files with the
sensitive fields only for territorial staff, and every read in the access log."""

import uuid

import pytest
from django.utils import timezone

from shouhu.audit.models import AccessLog, Action
from tests import factories as f

from .conftest import CHILDREN, child_url

FILE_FIELDS = {
    "id",
    "version",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "ethnicity",
    "household_registered",
    "hukou_type",
    "village",
    "village_name",
    "address",
    "is_homeless",
    "found_region",
    "found_place",
    "placement",
    "school",
    "grade",
    "schooling",
    "boarding",
    "health",
    "disability_type",
    "disability_grade",
    "illness",
    "living_arrangement",
    "guardianship_quality",
    "guardianship_concern",
    "income_sources",
    "assistance",
    "exited_on",
    "exit_reason",
    "categories",
    "parents",
    "carer",
    "contacts",
}


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


# --- the list -------------------------------------------------------------------------------------


def test_a_director_lists_the_children_of_their_village(personas, api):
    assert names(api(personas.dir_a).get(CHILDREN)) == {"梦巧"}


def test_a_supervisor_lists_the_children_of_their_township(personas, api):
    assert names(api(personas.supervisor).get(CHILDREN)) == {"梦巧", "高小明"}


def test_the_county_lists_every_child_of_the_county(personas, api):
    assert names(api(personas.county).get(CHILDREN)) == {"梦巧", "高小明", "程建国"}


def test_a_mentor_lists_only_the_paired_child(personas, api):
    assert names(api(personas.mentor).get(CHILDREN)) == {"梦巧"}


def test_a_social_worker_without_grants_lists_nobody(personas, api):
    assert names(api(personas.social_worker).get(CHILDREN)) == set()


def test_the_list_is_paginated(personas, api):
    body = api(personas.county).get(CHILDREN).json()

    assert body["count"] == 3
    assert body["next"] is None


def test_a_list_row_is_a_summary_not_the_file(personas, api):
    row = api(personas.dir_a).get(CHILDREN).json()["results"][0]

    assert row["village"] == f.VILLAGE_A
    assert row["village_name"] == "前潘村村民委员会"
    assert not {"id_number", "parents", "carer", "contacts"} & set(row)


def test_a_list_row_carries_the_categories(personas, api):
    row = api(personas.dir_a).get(CHILDREN).json()["results"][0]

    assert [c["code"] for c in row["categories"]] == ["left_behind"]


def test_a_list_is_logged(personas, api):
    api(personas.dir_a).get(CHILDREN)

    log = AccessLog.objects.get(user=personas.dir_a)
    assert (log.action, log.channel) == (Action.LIST, "api")


def test_a_search_is_logged_as_a_search_with_its_terms(personas, api):
    api(personas.dir_a).get(CHILDREN, {"search": "梦"})

    log = AccessLog.objects.get(user=personas.dir_a)
    assert log.action == Action.SEARCH
    assert "search=" in log.query


# --- filters --------------------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["巧", "梦巧", "mengqiao", "mq", "MQ"])
def test_search_finds_a_child_by_part_of_the_name_pinyin_or_initials(personas, api, term):
    assert names(api(personas.county).get(CHILDREN, {"search": term})) == {"梦巧"}


def test_search_finds_a_child_by_id_number(personas, api):
    birth = personas.child_b.birth_date
    number = f.id_number_for(birth, "male")
    f.make_child(name="有证号", village=f.VILLAGE_B, gender="male", birth_date=birth, id_number=number)

    assert names(api(personas.county).get(CHILDREN, {"search": number})) == {"有证号"}


def test_search_by_part_of_an_id_number_finds_nobody(personas, api):
    """ID numbers are encrypted at rest and found only whole, through their keyed hash."""
    birth = personas.child_b.birth_date
    number = f.id_number_for(birth, "male")
    f.make_child(name="有证号", village=f.VILLAGE_B, gender="male", birth_date=birth, id_number=number)

    assert names(api(personas.county).get(CHILDREN, {"search": number[:14]})) == set()


def test_search_finds_nobody_outside_my_jurisdiction(personas, api):
    assert names(api(personas.dir_a).get(CHILDREN, {"search": "程建国"})) == set()


def test_the_region_filter_includes_the_whole_subtree(personas, api):
    assert names(api(personas.county).get(CHILDREN, {"region": f.TOWNSHIP})) == {"梦巧", "高小明"}


def test_the_region_filter_takes_a_village(personas, api):
    assert names(api(personas.county).get(CHILDREN, {"region": f.VILLAGE_C})) == {"程建国"}


def test_the_region_filter_cannot_widen_a_jurisdiction(personas, api):
    assert names(api(personas.dir_a).get(CHILDREN, {"region": f.COUNTY})) == {"梦巧"}


def test_a_malformed_region_code_is_a_field_error(personas, api):
    response = api(personas.county).get(CHILDREN, {"region": "34162"})

    assert response.status_code == 400
    assert "region" in response.json()


def test_the_category_filter_takes_a_category_code(personas, api):
    assert names(api(personas.county).get(CHILDREN, {"category": "left_behind"})) == {"梦巧"}


def test_the_schooling_filter(personas, api):
    f.make_child(name="初中生", village=f.VILLAGE_B, schooling="junior")

    assert names(api(personas.county).get(CHILDREN, {"schooling": "junior"})) == {"初中生"}


def test_an_unknown_schooling_value_is_a_field_error(personas, api):
    response = api(personas.county).get(CHILDREN, {"schooling": "university"})

    assert response.status_code == 400
    assert "schooling" in response.json()


def test_exited_children_are_left_out_unless_asked_for(personas, api):
    f.make_child(name="已退出", village=f.VILLAGE_A, exited_on=timezone.localdate(), exit_reason="moved")

    assert names(api(personas.dir_a).get(CHILDREN)) == {"梦巧"}
    assert names(api(personas.dir_a).get(CHILDREN, {"include_exited": "true"})) == {"梦巧", "已退出"}


# --- query count ----------------------------------------------------------------------------------


def _make_children(n: int) -> None:
    for i in range(n):
        f.make_child(
            name="儿童" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "子丑寅卯辰巳午未申酉"[i // 10],
            village=f.VILLAGE_A,
            parents={"father": f.migrant(), "mother": f.migrant()},
        )


LIST_QUERIES = 6  # token and user, granted children, count, page, categories, access log


@pytest.mark.parametrize("extra", [5, 40])
def test_the_list_costs_the_same_queries_for_5_or_40_children(
    personas, api, django_assert_max_num_queries, extra
):
    _make_children(extra)
    client = api(personas.county)

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(CHILDREN)

    assert response.json()["count"] == 3 + extra


# --- a child's file -------------------------------------------------------------------------------


def test_a_file_has_every_field_of_the_registry(personas, api):
    response = api(personas.dir_a).get(child_url(personas.child_a))

    assert set(response.json()) == FILE_FIELDS


def test_a_file_shows_the_parents_with_their_roles(personas, api):
    body = api(personas.dir_a).get(child_url(personas.child_a)).json()

    assert sorted(p["role"] for p in body["parents"]) == ["father", "mother"]
    assert {p["situation"] for p in body["parents"]} == {"migrant"}


def test_a_file_shows_each_category_with_since_and_reason(personas, api):
    body = api(personas.dir_a).get(child_url(personas.child_a)).json()

    assert body["categories"] == [
        {
            "code": "left_behind",
            "name": "农村留守儿童",
            "since": timezone.localdate().isoformat(),
            "reason": "父母双方外出务工",
        }
    ]


def test_opening_a_file_is_logged_with_the_child(personas, api):
    api(personas.dir_a).get(child_url(personas.child_a))

    log = AccessLog.objects.get(user=personas.dir_a)
    assert (log.action, log.child_id, log.region_code) == (Action.VIEW, personas.child_a.pk, f.VILLAGE_A)


def test_a_file_outside_my_jurisdiction_is_404(personas, api):
    assert api(personas.dir_c).get(child_url(personas.child_a)).status_code == 404


def test_a_file_that_does_not_exist_is_404(personas, api):
    assert api(personas.county).get(child_url(uuid.uuid4())).status_code == 404


def test_a_malformed_id_is_404(personas, api):
    assert api(personas.county).get(child_url("not-a-uuid")).status_code == 404


def test_a_404_is_not_logged_as_an_opening(personas, api):
    api(personas.dir_c).get(child_url(personas.child_a))

    assert not AccessLog.objects.filter(user=personas.dir_c).exists()


def test_territorial_staff_see_the_id_number(personas, api):
    body = api(personas.dir_a).get(child_url(personas.child_a)).json()

    assert body["id_number"] == personas.child_a.id_number


def test_a_mentor_sees_the_file_without_the_id_number(personas, api):
    body = api(personas.mentor).get(child_url(personas.child_a)).json()

    assert body["name"] == "梦巧"
    assert "id_number" not in body  # left out, not blanked (children.tiers)


def test_a_mentor_sees_no_health_details(personas, api):
    body = api(personas.mentor).get(child_url(personas.child_a)).json()

    assert not {"health", "disability_type", "disability_grade", "illness"} & set(body)


def test_a_mentor_sees_no_phone_or_id_number_of_the_parents(personas, api):
    f.child_services.child_update(
        actor=personas.county, child=personas.child_a, parents={"father": {"phone": "13800000001"}}
    )

    body = api(personas.mentor).get(child_url(personas.child_a)).json()

    assert "parents" not in body  # a mentor's pairing does not need the family's contacts


def test_territorial_staff_see_the_phones_of_the_parents(personas, api):
    f.child_services.child_update(
        actor=personas.county, child=personas.child_a, parents={"father": {"phone": "13800000001"}}
    )

    body = api(personas.dir_a).get(child_url(personas.child_a)).json()

    assert "13800000001" in {p["phone"] for p in body["parents"]}


def test_a_mentor_sees_no_phone_of_the_carer(personas, api):
    f.child_services.child_update(
        actor=personas.county,
        child=personas.child_a,
        carer={"name": "王秀英", "relation": "grandparent", "phone": "13800000003"},
    )

    body = api(personas.mentor).get(child_url(personas.child_a)).json()

    assert "carer" not in body


def test_a_child_without_a_carer_has_carer_null(personas, api):
    assert api(personas.dir_b).get(child_url(personas.child_b)).json()["carer"] is None


@pytest.mark.parametrize("method", ["put", "delete"])
def test_a_file_cannot_be_replaced_or_deleted(personas, api, method):
    response = getattr(api(personas.county), method)(child_url(personas.child_a), {}, format="json")

    assert response.status_code == 405
