import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shouhu.audit.models import AccessLog, Action
from tests import factories as f

LIST = reverse("children:list")


def names_found(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [child.name for child in response.context["page"]]


@pytest.mark.parametrize("query", ["梦巧", "mengqiao", "mq", "MengQiao"])
def test_the_search_finds_a_child_by_name_pinyin_or_initials(signed_in, personas, query):
    assert names_found(signed_in(personas.county), q=query) == ["梦巧"]


def test_the_search_reads_a_surname_as_a_surname(signed_in, personas):
    f.make_child(name="曾小明", village=f.VILLAGE_A)
    assert names_found(signed_in(personas.dir_a), q="zeng") == ["曾小明"]


def test_two_characters_of_a_three_character_given_name_find_the_child(signed_in, personas):
    f.make_child(name="李思梦琪", village=f.VILLAGE_A)
    client = signed_in(personas.dir_a)
    assert names_found(client, q="梦琪") == ["李思梦琪"]
    assert names_found(client, q="思梦") == ["李思梦琪"]


def test_the_search_finds_a_child_by_id_number(signed_in, personas):
    child = f.make_child(name="王小花", village=f.VILLAGE_A)
    number = f.id_number_for(child.birth_date)
    from shouhu.children.services import child_update

    child_update(actor=personas.admin, child=child, fields={"id_number": number})
    assert names_found(signed_in(personas.dir_a), q=number) == ["王小花"]


def test_rare_characters_and_transcribed_names_are_found(signed_in, personas):
    f.make_child(name="𠮷堃", village=f.VILLAGE_A)
    f.make_child(name="阿依古丽·买买提", village=f.VILLAGE_A)
    client = signed_in(personas.dir_a)
    assert names_found(client, q="𠮷堃") == ["𠮷堃"]
    assert names_found(client, q="古丽") == ["阿依古丽·买买提"]


def test_the_list_shows_only_children_in_my_jurisdiction(signed_in, personas):
    assert names_found(signed_in(personas.dir_a)) == ["梦巧"]
    assert names_found(signed_in(personas.dir_a), q="程建国") == []


def test_each_row_shows_name_gender_age_village_and_categories(signed_in, personas):
    html = signed_in(personas.dir_a).get(LIST).content.decode()
    row = html[html.index("梦巧") :]
    row = row[: row.index("</tr>")]
    assert "女" in row
    assert f"{personas.child_a.age}岁" in row
    assert "王市镇 / 前潘村" in row
    assert "农村留守儿童" in row


def test_the_region_filter_includes_the_villages_below_a_township(signed_in, personas):
    client = signed_in(personas.county)
    assert sorted(names_found(client, region=f.TOWNSHIP)) == ["梦巧", "高小明"]
    assert names_found(client, region=f.VILLAGE_B) == ["高小明"]


def test_the_region_filter_offers_only_regions_in_my_jurisdiction(signed_in, personas):
    response = signed_in(personas.supervisor).get(LIST, {"region": f.VILLAGE_C})
    codes = [code for code, _ in response.context["form"].fields["region"].choices]
    assert f.VILLAGE_A in codes and f.TOWNSHIP in codes
    assert f.VILLAGE_C not in codes
    assert response.context["form"].errors["region"]


def test_the_category_filter_narrows_the_list(signed_in, personas):
    client = signed_in(personas.county)
    assert names_found(client, category="left_behind") == ["梦巧"]


def test_the_schooling_filter_narrows_the_list(signed_in, personas):
    f.make_child(name="王辍学", village=f.VILLAGE_A, schooling="dropped_out")
    assert names_found(signed_in(personas.dir_a), schooling="dropped_out") == ["王辍学"]


def test_the_list_is_paginated_by_fifty(signed_in, personas):
    for i in range(51):
        f.make_child(name="王" + chr(0x4E00 + i) + "花", village=f.VILLAGE_A)
    client = signed_in(personas.dir_a)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 50
    assert "?page=2" in first.content.decode()
    assert len(client.get(LIST, {"page": 2}).context["page"].object_list) == 2


def test_browsing_the_list_is_logged_once(signed_in, personas):
    signed_in(personas.dir_a).get(LIST)
    log = AccessLog.objects.get()
    assert (log.action, log.username, log.child_id) == (Action.LIST, "dir_a", None)


def test_a_search_is_logged_with_what_was_searched(signed_in, personas):
    signed_in(personas.dir_a).get(LIST, {"q": "梦巧"})
    log = AccessLog.objects.get()
    assert log.action == Action.SEARCH
    assert "q=" in log.query


def test_the_number_of_queries_does_not_grow_with_the_rows(
    signed_in, personas, django_assert_max_num_queries
):
    client = signed_in(personas.dir_a)
    given = [chr(0x4E00 + i) + chr(0x4E80 + i) for i in range(30)]
    for name in given[:4]:
        f.make_child(
            name="王" + name, village=f.VILLAGE_A, parents={"father": f.migrant(), "mother": f.migrant()}
        )
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(LIST).context["page"].object_list) == 5
    for name in given[4:29]:
        f.make_child(
            name="王" + name, village=f.VILLAGE_A, parents={"father": f.migrant(), "mother": f.migrant()}
        )
    with django_assert_max_num_queries(len(five)):
        assert len(client.get(LIST).context["page"].object_list) == 30
