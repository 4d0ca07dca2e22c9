"""``__within``: a region and everything under it, as a range the column's index serves."""

from __future__ import annotations

import pytest
from django.db import connection

from shouhu.accounts import access
from shouhu.children.models import Child
from shouhu.regions.lookups import upper_bound
from shouhu.regions.models import Region
from tests import factories as f


@pytest.mark.parametrize(
    ("code", "upper"),
    [("341623", "341624"), ("341629", "341630"), ("341623110", "341623111"), ("3416231102", "3416231103")],
)
def test_the_range_ends_at_the_next_code_of_the_same_length(code, upper):
    assert upper_bound(code) == upper


@pytest.mark.parametrize("code", ["999", "", "34x"])
def test_a_code_without_a_next_one_is_matched_as_a_prefix(db, code):
    assert upper_bound(code) is None
    assert list(Region.objects.filter(code__within=code)) == list(
        Region.objects.filter(code__startswith=code)
    )


@pytest.mark.parametrize("code", ["34", "3416", "341623", "341623110", "341623110202", "341623199", "341629"])
def test_within_selects_what_a_prefix_selects(db, code):
    assert set(Region.objects.filter(code__within=code).values_list("code", flat=True)) == set(
        Region.objects.filter(code__startswith=code).values_list("code", flat=True)
    )


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_a_director_s_list_is_read_through_the_index_under_the_database_s_collation(personas):
    """A prefix LIKE is served by an index only in the C collation; the range is served in any, so a
    director's list costs her village, not the province. (With sequential scans discouraged, the
    plan shows whether an index can serve the filter at all.)"""
    f.make_child(name="王小花")
    f.make_child(name="李小草", village=f.VILLAGE_C)
    mentor_child = f.make_child(name="张小树", village=f.VILLAGE_C)
    f.Grant.objects.create(user=personas.mentor, child=mentor_child, reason=f.GrantReason.PAIRING)

    for user in (personas.dir_a, personas.supervisor, personas.mentor):
        listed = access.children_visible_to(user).order_by("name")
        text = plan(listed)

        assert "Seq Scan on children_child" not in text, (user.username, text)
        assert "SubPlan" not in text and "hashed" not in text, text  # granted ids read first


def test_a_user_with_a_grant_still_sees_the_child_and_their_territory(personas):
    f.make_child(name="王小花")
    elsewhere = f.make_child(name="李小草", village=f.VILLAGE_C)
    f.Grant.objects.create(user=personas.dir_a, child=elsewhere, reason=f.GrantReason.ASSIGNMENT)
    village = set(Child.objects.filter(region_code__startswith=f.VILLAGE_A))

    assert len(village) >= 2
    assert set(access.children_visible_to(personas.dir_a)) == {*village, elsewhere}


def test_a_search_reads_the_name_tokens_of_the_searcher_s_area_only(personas):
    from shouhu.children.selectors import children_list

    f.make_child(name="王小花")
    f.make_child(name="王大树", village=f.VILLAGE_C)

    listed = children_list(user=personas.supervisor, q="王")
    sql = str(listed.query)

    assert [c.name for c in listed] == ["王小花"]
    assert sql.count('"region_code" >=') == 2, sql  # the children's and the name tokens' ranges
    # A mentor sees children through grants only, wherever they live: no area to narrow the tokens.
    assert '"region_code" >=' not in str(children_list(user=personas.mentor, q="王").query)
