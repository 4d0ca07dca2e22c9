"""Every model change has its migration: a fresh machine's database matches the code."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits with 1 when a migration would be made
        if exc.code:
            pytest.fail(f"models changed without a migration:\n{out.getvalue()}")


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_registry_keeps_no_pattern_index_where_nothing_searches_with_like():
    """Each index is written on every insert; an import of a county writes 100,000 children at once."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes "
            "WHERE tablename LIKE 'children\\_%%' AND indexname LIKE '%%\\_like'"
        )
        kept = sorted(row[0] for row in cursor.fetchall())

    assert [i for i in kept if "id_number_hash" in i or "village_id" in i or "found_region_id" in i] == []
    assert any("name_pinyin" in i for i in kept)  # pinyin is searched by prefix: its pattern index stays
