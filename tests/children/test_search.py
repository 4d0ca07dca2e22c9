"""Finding a child by part of the Chinese name, pinyin, initials or ID number, within one's jurisdiction."""

import datetime as dt

import pytest
from django.db import connection

from shouhu.children.selectors import children_list
from tests import factories as f


@pytest.fixture
def named(personas):
    for name in ["张建国", "李建华", "曾小明", "单丽", "𠮷堃", "阿依古丽·买买提"]:
        f.make_child(actor=personas.dir_a, name=name)
    return personas


def found(user, q):
    return sorted(c.name for c in children_list(user=user, q=q))


def test_two_characters_of_a_given_name_find_the_child(named):
    assert found(named.dir_a, "建国") == ["张建国"]
    assert found(named.dir_a, "建") == ["张建国", "李建华"]


def test_characters_must_be_adjacent(named):
    assert found(named.dir_a, "张国") == []


def test_pinyin_and_initials_with_surname_readings(named):
    assert found(named.dir_a, "zeng") == ["曾小明"]
    assert found(named.dir_a, "zxm") == ["曾小明"]
    assert found(named.dir_a, "shanli") == ["单丽"]
    assert found(named.dir_a, "mengqiao") == ["梦巧"]


def test_rare_characters_and_dotted_names(named):
    assert found(named.dir_a, "𠮷") == ["𠮷堃"]
    assert found(named.dir_a, "古丽·买") == ["阿依古丽·买买提"]


def test_id_number_exact_and_prefix(named):
    number = f.id_number_for(dt.date(2013, 4, 5))
    f.make_child(actor=named.dir_a, name="号码", birth_date=dt.date(2013, 4, 5), id_number=number)
    assert found(named.dir_a, number) == ["号码"]
    assert found(named.dir_a, "'" + number.lower()) == ["号码"]


def test_search_never_reaches_outside_the_jurisdiction(named):
    assert found(named.dir_c, "梦巧") == []
    assert found(named.dir_c, "程建国") == ["程建国"]


@pytest.mark.postgres
def test_the_bigram_index_serves_a_two_character_search_on_postgresql(named):
    from django.db.models.sql.query import Query  # noqa: F401

    qs = children_list(user=named.county, q="建国")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # the test table is tiny; ask what the planner can use
        try:
            plan = qs.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
    assert "name_token_idx" in plan, plan
