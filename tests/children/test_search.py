"""Finding a child by part of the Chinese name, pinyin, initials or ID number, within one's jurisdiction."""

import datetime as dt

import pytest
from django.db import connection

from shouhu.children.selectors import children_list
from tests import factories as f
from tests.ops.world import COMMITTED, committed_personas_fixture  # noqa: F401


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
@COMMITTED
def test_the_bigram_index_serves_a_two_character_search_on_postgresql(committed_personas):
    """With a registry of realistic size the planner reaches children through the token index
    instead of scanning every name (what a '%建国%' pattern would do, trigram index or not).
    Committed, so that the owner role can gather the statistics (only a table's owner may ANALYZE;
    in production autovacuum does)."""
    import uuid

    from shouhu.children import names
    from shouhu.children.models import Child, NameToken
    from shouhu.ops import dbroles

    named = committed_personas
    for name in ["张建国", "李建华"]:
        f.make_child(actor=named.dir_a, name=name)

    rows, tokens = [], []
    for i in range(5000):
        name = "王李张刘陈"[i % 5] + "明华丽芳强军伟敏静秀"[i % 10] + "英兰梅霞萍"[(i // 10) % 5]
        child = Child(
            id=uuid.uuid4(),
            name=name,
            gender="male",
            birth_date=dt.date(2015, 1, 1),
            village_id=f.VILLAGE_A,
            region_code=f.VILLAGE_A,
            name_pinyin="",
            name_initials="",
        )
        rows.append(child)
        tokens += [NameToken(child_id=child.id, token=t, region_code=f.VILLAGE_A) for t in names.tokens(name)]
    Child.objects.bulk_create(rows)
    NameToken.objects.bulk_create(tokens)
    with dbroles.as_owner(), connection.cursor() as cursor:
        cursor.execute("ANALYZE children_child")
        cursor.execute("ANALYZE children_nametoken")
    plan = children_list(user=named.county, q="建国").explain()
    assert "name_token_idx" in plan, plan
    assert "Seq Scan on children_child" not in plan, plan
    assert found(named.county, "建国") == ["张建国", "程建国"]
