"""The application's database role cannot erase the audit trail (PostgreSQL, run as that role in CI).

The tests run as the role of DATABASE_URL, which owns no table; the owner (DATABASE_OWNER_URL) made
and migrated the test database and ran ``shouhu db-roles``, exactly as in production. Every way the
tester found to remove access-log rows is refused, and the purge goes only through the owner's function,
which deletes nothing younger than the retention period whatever date it is given.
"""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from shouhu.audit import retention
from shouhu.audit.models import AccessLog
from tests.audit.conftest import log

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def refused(sql: str, params=None) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(caught.value)


@pytest.fixture
def row(personas, app_role):
    return log(personas.dir_a, child=personas.child_a)


def test_the_tests_run_as_a_role_that_owns_nothing(app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, count(*) FROM pg_tables WHERE tableowner = current_user")
        user, owned = cursor.fetchone()
    assert (user, owned) == (app_role, 0)


@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE audit_accesslog",
        "ALTER TABLE audit_accesslog DISABLE TRIGGER audit_accesslog_append_only",
        "ALTER TABLE audit_accesslog DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_accesslog_append_only ON audit_accesslog",
        "DROP FUNCTION audit_accesslog_append_only() CASCADE",
        "DELETE FROM audit_accesslog",
        "UPDATE audit_accesslog SET query = 'rewritten'",
        "ALTER TABLE audit_accesslog RENAME TO audit_gone",
        "DROP TABLE audit_accesslog",
    ],
)
def test_the_application_cannot_erase_or_rewrite_the_log(row, sql):
    assert "must be owner" in refused(sql) or "permission denied" in refused(sql)

    assert AccessLog.objects.filter(pk=row.pk, query="").exists()


def test_the_retention_switch_does_not_open_the_table_to_the_application(row):
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL shouhu.retention = 'on'")
            cursor.execute("DELETE FROM audit_accesslog")

    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_the_application_cannot_replace_the_purge_function(row):
    message = refused(
        "CREATE OR REPLACE FUNCTION audit_accesslog_purge(before timestamptz) RETURNS bigint "
        "LANGUAGE sql AS 'SELECT 0::bigint'"
    )
    assert "must be owner" in message or "permission denied" in message


def test_the_purge_function_refuses_a_date_inside_the_retention_period(row):
    message = refused("SELECT audit_accesslog_purge(now())")

    assert "keeps" in message
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_the_purge_removes_only_rows_past_the_period(personas, app_role):
    now = timezone.now()
    days = retention.retention_days()
    old = log(personas.dir_a, at=now - dt.timedelta(days=days + 1))
    kept = log(personas.dir_a, at=now - dt.timedelta(days=days - 1))

    outcome = retention.purge()

    assert outcome["count"] == 1
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.filter(pk=kept.pk).exists()
    assert AccessLog.objects.filter(path=retention.PURGE_COMMAND).exists()  # the purge is logged


def test_blanking_is_refused_for_a_file_that_is_not_anonymised(row, personas):
    message = refused("SELECT audit_accesslog_blank(%s, ARRAY[]::text[])", [personas.child_a.pk])

    assert "anonymised" in message
    assert AccessLog.objects.filter(pk=row.pk).exclude(path="").exists()


def test_deleting_a_user_account_keeps_their_rows_under_their_name(personas, app_role):
    kept = log(personas.social_worker)

    personas.social_worker.delete()

    kept.refresh_from_db()
    assert (kept.user_id, kept.username) == (None, "social")


def test_the_application_has_no_truncate_anywhere(app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' AND has_table_privilege(c.oid, 'TRUNCATE')"
        )
        assert cursor.fetchone()[0] == 0


def test_the_history_tables_take_new_versions_but_lose_none(personas, app_role):
    message = refused("DELETE FROM children_historicalchild")

    assert "permission denied" in message
