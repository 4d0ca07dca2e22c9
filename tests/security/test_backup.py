"""Backups restore: ``shouhu backup`` then ``shouhu restore`` into a fresh database finds every record.

The world (children with parents and carers, visits, a case, a report, an alert, the access log) is
committed (a transactional test), backed up, restored into a scratch database — a new PostgreSQL
database made as the shouhu role, or a new SQLite file — and compared table by table: the same number of
rows in every table and the same rows for a sample of each, every child by its id.
"""

from __future__ import annotations

import sqlite3
import uuid
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from shouhu.audit.models import AccessLog, Action
from shouhu.cases import reports
from shouhu.cases import services as case_services
from shouhu.cases.models import Alert, Case
from shouhu.children.models import Child
from shouhu.regions.loader import load_regions
from shouhu.visits import services as visit_services
from shouhu.visits.models import Visit
from tests import factories as f

# Every app is available: the flush after each test then truncates with CASCADE, which PostgreSQL needs
# for a table that only a swapped-out model's table refers to (knox's own token table).
pytestmark = pytest.mark.django_db(
    transaction=True, available_apps=[config.name for config in apps.get_app_configs()]
)
# The reference data the data migrations load, which a transactional test's flush removed.
REFERENCE_DATA = ("children.migrations.0002_national_categories", "cases.migrations.0002_harm_types")

SAMPLE = 25  # rows compared field by field in each table
MUST_HOLD = ("children_child", "children_parent", "visits_visit", "cases_case", "audit_accesslog")


@pytest.fixture
def world():
    """Committed records of every main kind. Transactional tests start from empty tables: the county
    and the reference data are loaded here."""
    load_regions(f.COUNTY)
    for module in REFERENCE_DATA:
        import_module(f"shouhu.{module}").load(apps, None)
    personas = f.Personas.create()
    today = timezone.localdate()
    for child in (personas.child_a, personas.child_b):
        AccessLog.objects.create(
            user=personas.county,
            username="county",
            action=Action.VIEW,
            child_id=child.pk,
            region_code=child.region_code,
            channel="web",
            path=f"/children/{child.pk}/",
        )
    visit_services.visit_record(
        actor=personas.dir_a, child=personas.child_a, data={"visited_on": today, "notes": "奶奶在家"}
    )
    visit_services.visit_record(
        actor=personas.dir_b, child=personas.child_b, data={"visited_on": today, "notes": "父亲返乡"}
    )
    case_services.case_open(actor=personas.county, child=personas.child_a, source="manual", risk_level="high")
    reports.report_file(
        actor=personas.dir_a,
        harm_type="abandoned",
        description="孩子独自在家",
        seen_at=timezone.now(),
        urgency="soon",
        township=f.TOWNSHIP,
        village=f.VILLAGE_A,
    )
    Alert.objects.create(
        child=personas.child_b, region_code=f.VILLAGE_B, rule="out_of_school", severity="medium", facts={}
    )
    assert Visit.objects.count() == 2 and Case.objects.count() == 1
    return personas


def tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def rows(cursor, table: str, limit: int | None = None) -> list[tuple]:
    sql = f'SELECT * FROM "{table}" ORDER BY 1'  # noqa: S608 - names from the database's own catalogue
    cursor.execute(sql + (f" LIMIT {int(limit)}" if limit else ""))
    return [tuple(row) for row in cursor.fetchall()]


def count(cursor, table: str) -> int:
    cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
    return cursor.fetchone()[0]


def assert_same_records(restored_cursor) -> None:
    """Every table of the database in use has the same rows in the restored one."""
    names = tables()
    with connection.cursor() as live:
        counts = {t: count(live, t) for t in names}
        restored_counts = {t: count(restored_cursor, t) for t in names}
        assert restored_counts == counts
        assert all(counts[t] > 0 for t in MUST_HOLD), {t: counts[t] for t in MUST_HOLD}
        for table in names:
            assert rows(restored_cursor, table, SAMPLE) == rows(live, table, SAMPLE), table
        live_children = rows(live, "children_child")
    assert rows(restored_cursor, "children_child") == live_children
    assert {str(r[0]).replace("-", "") for r in live_children} == {
        c.hex for c in Child.objects.values_list("pk", flat=True)
    }


# --- SQLite -----------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup (the default database); the PostgreSQL one is tested below")


def test_a_sqlite_backup_restores_every_record(sqlite_only, world, tmp_path):
    backup = tmp_path / "shouhu.sqlite3"
    call_command("backup", output=backup)
    restored = tmp_path / "restored.sqlite3"

    call_command("restore", str(backup), database_url=f"sqlite:///{restored}")

    # Read with the type conversions Django's connection uses, so that values compare as equal.
    with sqlite3.connect(restored, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES) as db:
        assert_same_records(db.cursor())
    db.close()


def test_restoring_over_the_database_in_use_brings_the_records_back(sqlite_only, world, tmp_path):
    backup = tmp_path / "shouhu.sqlite3"
    call_command("backup", output=backup)
    before = sorted(Child.objects.values_list("pk", "name"))
    Visit.objects.all().delete()

    call_command("restore", str(backup), yes=True)

    assert sorted(Child.objects.values_list("pk", "name")) == before
    assert Visit.objects.count() == 2


# --- PostgreSQL -------------------------------------------------------------------------------------


@pytest.fixture
def scratch_database():
    """An empty database made as the owner role (it has CREATEDB), dropped afterwards."""
    import psycopg

    from shouhu.ops.dbroles import owner_credentials

    settings = {**connection.settings_dict, **owner_credentials()}
    params = connection.get_connection_params()
    params.update(user=settings["USER"], password=settings["PASSWORD"])
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    name = f"shouhu_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = (
        f"postgresql://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/{name}"
    )
    try:
        yield url, {**params, "dbname": name}
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_a_postgresql_backup_restores_every_record_into_a_new_database(scratch_database, world, tmp_path):
    import psycopg
    from psycopg.types.string import TextLoader

    url, params = scratch_database
    backup = tmp_path / "shouhu.dump"
    call_command("backup", output=backup)
    assert backup.read_bytes().startswith(b"PGDMP")

    call_command("restore", str(backup), database_url=url)

    with psycopg.connect(**params) as restored:
        # JSON as text, as Django's connection reads it, so that values compare as equal.
        restored.adapters.register_loader("jsonb", TextLoader)
        restored.adapters.register_loader("json", TextLoader)
        assert_same_records(restored.cursor())
        # The access log stays append-only after a restore.
        trigger = restored.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = 'audit_accesslog_append_only'"
        ).fetchone()
        assert trigger is not None


# --- refusals ---------------------------------------------------------------------------------------


def test_restoring_over_the_database_in_use_needs_yes(tmp_path):
    backup = tmp_path / "backup"
    call_command("backup", output=backup)

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(backup))


@pytest.mark.django_db
def test_a_file_that_is_not_a_backup_is_refused(personas, tmp_path):
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a backup at all")

    with pytest.raises(CommandError, match="not an? .*backup"):
        call_command("restore", str(junk), yes=True)
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing"), yes=True)
    assert Child.objects.count() == 3


def test_the_backup_is_readable_by_its_owner_only(tmp_path):
    backup = tmp_path / "backup"
    call_command("backup", output=backup)

    assert Path(backup).stat().st_mode & 0o077 == 0
