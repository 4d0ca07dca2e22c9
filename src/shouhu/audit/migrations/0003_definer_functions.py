"""The purge and the blanking of access-log rows become functions owned by the table owner
(``audit/dbfunctions.py``): the application's role, which owns no table, calls them and nothing else
removes or changes a row. SQLite has no roles: the step is skipped."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from shouhu.audit import dbfunctions

        schema_editor.execute(dbfunctions.create_sql(), params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from shouhu.audit import dbfunctions

        schema_editor.execute(dbfunctions.DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only"),
        ("privacy", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, remove, elidable=False)]
