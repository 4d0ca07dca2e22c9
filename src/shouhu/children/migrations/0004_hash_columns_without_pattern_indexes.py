"""PostgreSQL adds a second, pattern-ops ("_like") index to every indexed varchar column, for LIKE.
On the registry's tables some serve nothing and slow every insert (an import of 100,000 children
writes each of them 100,000 times or more):

- the keyed-hash columns (``crypto.KeyedHashField``), searched by exact value only;
- the village and found-region foreign keys of a child, whose prefix searches go through
  ``region_code`` and its own pattern index (``child_region_prefix``), never through the key.

Dropped on PostgreSQL; other databases have none."""

from django.db import migrations

COLUMNS = {
    "Child": ("id_number_hash", "village", "found_region"),
    "HistoricalChild": ("id_number_hash", "village", "found_region"),
    "Parent": ("id_number_hash",),
    "HistoricalParent": ("id_number_hash",),
    "Carer": ("id_number_hash",),
    "HistoricalCarer": ("id_number_hash",),
}


def drop_pattern_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, fields in COLUMNS.items():
        model = apps.get_model("children", name)
        for field in fields:
            column = model._meta.get_field(field).column
            index = schema_editor._create_index_name(model._meta.db_table, [column], suffix="_like")
            schema_editor.execute(schema_editor._delete_index_sql(model, index))


class Migration(migrations.Migration):
    dependencies = [("children", "0003_encrypt_id_and_phone_numbers")]

    operations = [migrations.RunPython(drop_pattern_indexes, migrations.RunPython.noop)]
