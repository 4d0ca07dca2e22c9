"""Registering and changing children through the API: every rule of the registry answered as a
field error, all errors at once, nothing half-saved, and writes only where the user may write."""

import datetime as dt

import pytest
from django.utils import timezone

from shouhu.audit.models import AccessLog, Action
from shouhu.children.models import Carer, Child
from tests import factories as f

from .conftest import CHILDREN, child_url, registration, years_ago


@pytest.fixture
def director(personas, api):
    return api(personas.dir_a)


def register(client, **overrides):
    return client.post(CHILDREN, registration(**overrides), format="json")


def assert_nothing_saved():
    assert not Child.objects.filter(name__in=["李梅", "<script>"]).exists()
    assert Child.objects.count() == 3


# --- registering ----------------------------------------------------------------------------------


def test_a_director_registers_a_child_with_parents_carer_and_contacts(director):
    response = register(director)

    assert response.status_code == 201, response.content
    child = Child.objects.get(pk=response.json()["id"])
    assert (child.name, child.village_id) == ("李梅", f.VILLAGE_A)
    assert child.parents.count() == 2
    assert child.carer.name == "王秀英"
    assert child.contacts.get().phone == "13800000004"


def test_a_registered_child_is_classified_at_once(director):
    response = register(director)

    assert [c["code"] for c in response.json()["categories"]] == ["left_behind"]


def test_registering_answers_with_the_file(director):
    body = register(director).json()

    assert body["village_name"] == "前潘村村民委员会"
    assert body["carer"]["relation"] == "grandparent"


def test_registering_is_logged(personas, director):
    child_id = register(director).json()["id"]

    log = AccessLog.objects.get(user=personas.dir_a)
    assert (log.action, str(log.child_id)) == (Action.CREATE, child_id)


def test_a_homeless_minor_is_registered_where_found(director):
    response = register(
        director,
        village=None,
        is_homeless=True,
        found_region=f.VILLAGE_A,
        found_place="王市镇汽车站",
        parents=[],
        carer=None,
        contacts=[],
    )

    assert response.status_code == 201, response.content
    assert Child.objects.get(pk=response.json()["id"]).region_code == f.VILLAGE_A


@pytest.mark.parametrize("persona", ["mentor", "social_worker", "civil"])
def test_who_has_no_territory_to_edit_cannot_register(personas, api, persona):
    response = register(api(getattr(personas, persona)))

    assert response.status_code == 403
    assert_nothing_saved()


# --- bad input: a 400 naming the field, nothing saved ---------------------------------------------


def test_an_id_number_with_a_wrong_check_digit_is_refused(director):
    birth = years_ago(9, days=40)
    good = f.id_number_for(birth, "female")
    bad = good[:17] + ("0" if good[17] != "0" else "1")

    response = register(director, birth_date=birth.isoformat(), id_number=bad)

    assert response.status_code == 400
    assert "校验位" in response.json()["id_number"][0]
    assert_nothing_saved()


def test_an_id_number_that_fits_the_birth_date_is_accepted(director):
    birth = years_ago(9, days=40)

    response = register(director, birth_date=birth.isoformat(), id_number=f.id_number_for(birth, "female"))

    assert response.status_code == 201, response.content


def test_a_birth_date_in_the_future_is_refused(director):
    response = register(director, birth_date=(timezone.localdate() + dt.timedelta(days=1)).isoformat())

    assert response.status_code == 400
    assert "birth_date" in response.json()
    assert_nothing_saved()


def test_a_person_of_18_is_not_registered_as_a_child(director):
    response = register(director, birth_date=years_ago(18).isoformat())

    assert response.status_code == 400
    assert "18" in response.json()["birth_date"][0]
    assert_nothing_saved()


def test_a_village_code_that_does_not_exist_is_refused(director):
    response = register(director, village="341623110999")

    assert response.status_code == 400
    assert response.json()["village"] == ["没有代码为 341623110999 的区划，请检查代码。"]
    assert_nothing_saved()


def test_a_village_outside_my_jurisdiction_is_refused(director):
    response = register(director, village=f.VILLAGE_C)

    assert response.status_code == 400
    assert "管辖范围" in response.json()["village"][0]
    assert_nothing_saved()


def test_a_township_is_not_a_village(personas, api):
    response = register(api(personas.county), village=f.TOWNSHIP)

    assert response.status_code == 400
    assert "village" in response.json()


def test_an_entrusted_carer_under_18_is_refused(director):
    carer = {"name": "李强", "relation": "sibling", "birth_date": years_ago(16).isoformat()}

    response = register(director, carer=carer)

    assert response.status_code == 400
    assert "年满18周岁" in response.json()["carer"]["birth_date"][0]
    assert_nothing_saved()


def test_minor_siblings_living_together_without_a_carer_are_accepted(director):
    response = register(director, living_arrangement="minor_siblings", carer=None)

    assert response.status_code == 201, response.content
    assert not Carer.objects.filter(child_id=response.json()["id"]).exists()


def test_markup_in_a_name_is_refused(director):
    response = register(director, name="<script>")

    assert response.status_code == 400
    assert "name" in response.json()
    assert_nothing_saved()


def test_a_2000_character_name_is_refused(director):
    response = register(director, name="梅" * 2000)

    assert response.status_code == 400
    assert "name" in response.json()
    assert Child.objects.count() == 3


def test_an_unknown_choice_is_refused(director):
    response = register(director, gender="unknown")

    assert response.status_code == 400
    assert "gender" in response.json()


def test_an_unknown_assistance_is_refused(director):
    response = register(director, assistance=["dibao", "lottery"])

    assert response.status_code == 400
    assert "assistance" in response.json()


def test_every_error_of_a_registration_comes_back_at_once(director):
    birth = years_ago(9, days=40)
    bad_id = f.id_number_for(birth)[:17] + "Y"
    carer = {"name": "李强", "relation": "sibling", "birth_date": years_ago(16).isoformat()}

    response = register(
        director, name="<b>", birth_date=birth.isoformat(), id_number=bad_id, village=f.VILLAGE_C, carer=carer
    )

    errors = response.json()
    assert {"name", "id_number", "village", "carer"} <= set(errors)


def test_a_parent_error_is_reported_at_that_parent_s_place_in_the_list(director):
    body = registration()
    body["parents"][1]["situation"] = "out_of_contact"
    body["parents"][1].pop("situation_since", None)  # no date of last contact

    response = director.post(CHILDREN, body, format="json")

    assert response.status_code == 400
    errors = response.json()["parents"]
    assert errors[0] == {}
    assert "最后一次联系" in errors[1]["situation_since"][0]
    assert_nothing_saved()


def test_a_contact_error_is_reported_at_that_contact_s_place_in_the_list(director):
    contacts = [{"name": "刘云", "phone": "13800000004"}, {"name": "王<村长>", "phone": "13800000005"}]

    response = register(director, contacts=contacts)

    assert response.status_code == 400
    errors = response.json()["contacts"]
    assert errors[0] == {}
    assert "name" in errors[1]


def test_a_parent_given_twice_is_refused(director):
    father = {"role": "father", "name": "李建军"}

    response = register(director, parents=[father, father])

    assert response.status_code == 400
    assert "parents" in response.json()


# --- rare characters and minority names -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "term"),
    [("𠮷星宇", "𠮷"), ("王堃", "堃"), ("阿依古丽·买买提", "古丽"), ("阿依古丽·买买提", "阿依古丽·买买提")],
)
def test_rare_characters_and_minority_names_are_stored_and_found(director, name, term):
    created = register(director, name=name)
    assert created.status_code == 201, created.content

    found = director.get(CHILDREN, {"search": term}).json()["results"]

    assert [row["name"] for row in found] == [name]
    assert Child.objects.get(pk=created.json()["id"]).name == name


# --- changing a file ------------------------------------------------------------------------------


def patch(client, child, body):
    return client.patch(child_url(child), body, format="json")


def test_a_director_changes_a_field(personas, director):
    response = patch(director, personas.child_a, {"schooling": "junior", "grade": "初一"})

    assert response.status_code == 200, response.content
    personas.child_a.refresh_from_db()
    assert (personas.child_a.schooling, personas.child_a.grade) == ("junior", "初一")


def test_a_change_is_logged(personas, director):
    patch(director, personas.child_a, {"grade": "三年级"})

    assert AccessLog.objects.get(user=personas.dir_a).action == Action.UPDATE


def test_a_change_reclassifies_the_child(personas, director):
    response = patch(director, personas.child_a, {"parents": [{"role": "father", "situation": "at_home"}]})

    assert response.json()["categories"] == []


def test_a_parent_is_changed_by_role_and_the_other_is_left_alone(personas, director):
    patch(director, personas.child_a, {"parents": [{"role": "mother", "work_place": "上海市"}]})

    parents = {p.role: p for p in personas.child_a.parents.all()}
    assert parents["mother"].work_place == "上海市"
    assert parents["father"].work_place == "浙江省宁波市"


def test_carer_null_removes_the_carer(personas, director):
    patch(director, personas.child_a, {"carer": {"name": "王秀英", "relation": "grandparent"}})

    response = patch(director, personas.child_a, {"carer": None})

    assert response.status_code == 200
    assert not Carer.objects.filter(child=personas.child_a).exists()


def test_a_bad_change_saves_nothing_at_all(personas, director):
    carer = {"name": "李强", "relation": "sibling", "birth_date": years_ago(16).isoformat()}

    response = patch(director, personas.child_a, {"grade": "五年级", "carer": carer})

    assert response.status_code == 400
    personas.child_a.refresh_from_db()
    assert personas.child_a.grade == ""
    assert Carer.objects.get(child=personas.child_a).name == "梦奶奶"  # the carer on file is untouched


def test_a_child_cannot_be_moved_outside_my_jurisdiction(personas, director):
    response = patch(director, personas.child_a, {"village": f.VILLAGE_C})

    assert response.status_code == 400
    assert "village" in response.json()
    personas.child_a.refresh_from_db()
    assert personas.child_a.village_id == f.VILLAGE_A


def test_a_mentor_may_see_the_paired_child_but_not_change_it(personas, api):
    response = patch(api(personas.mentor), personas.child_a, {"grade": "五年级"})

    assert response.status_code == 403
    personas.child_a.refresh_from_db()
    assert personas.child_a.grade == ""


def test_a_civil_affairs_official_may_see_but_not_change(personas, api):
    response = patch(api(personas.civil), personas.child_a, {"grade": "五年级"})

    assert response.status_code == 403


def test_a_refused_change_does_not_say_what_was_wrong_with_the_data(personas, api):
    response = patch(api(personas.mentor), personas.child_a, {"name": "<script>"})

    assert response.status_code == 403
    assert "name" not in response.json()


def test_changing_a_child_outside_my_jurisdiction_is_404(personas, api):
    response = patch(api(personas.dir_c), personas.child_a, {"grade": "五年级"})

    assert response.status_code == 404
    personas.child_a.refresh_from_db()
    assert personas.child_a.grade == ""


def test_an_id_number_already_registered_is_refused(director):
    birth = years_ago(9, days=40)
    number = f.id_number_for(birth, "female")
    f.make_child(name="先登记", birth_date=birth, id_number=number)

    response = register(director, birth_date=birth.isoformat(), id_number=number)

    assert response.status_code == 400
    assert "id_number" in response.json()
    assert not Child.objects.filter(name="李梅").exists()
