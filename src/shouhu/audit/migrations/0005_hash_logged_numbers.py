"""Rows written before numbers were hashed: each ID or mobile number in a path or query becomes its keyed
hash (``audit/redact.py``), as the log now writes them. Run by the owner, with the append-only trigger's
switch on for this transaction only; the rows keep everything else."""

from django.db import migrations
from django.db.models import Q

DIGITS = r"[0-9][0-9 ]{9,}[0-9Xx]"  # what might hold an ID or mobile number: redact decides


def hash_numbers(apps, schema_editor):
    from shouhu.audit.redact import redact

    AccessLog = apps.get_model("audit", "AccessLog")
    rows = AccessLog.objects.using(schema_editor.connection.alias).filter(
        Q(query__regex=DIGITS) | Q(path__regex=DIGITS)
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL shouhu.retention = 'on'", params=None)
    for row in rows.only("pk", "path", "query").iterator(chunk_size=2000):
        path, query = redact(row.path)[:500], redact(row.query)[:500]
        if (path, query) != (row.path, row.query):
            AccessLog.objects.filter(pk=row.pk).update(path=path, query=query)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL shouhu.retention = 'off'", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_action_rotate_key"),
    ]

    operations = [migrations.RunPython(hash_numbers, migrations.RunPython.noop, elidable=False)]
