"""The keyed-hash columns are searched by exact value only (``crypto.KeyedHashField``), never with
LIKE: the second, pattern-ops ("_like") index PostgreSQL gets for every indexed varchar column serves
nothing there and slows every insert (an import of 100,000 children writes six of them). Dropped on
PostgreSQL; other databases have none."""

from django.db import migrations

MODELS = ("Child", "Parent", "Carer", "HistoricalChild", "HistoricalParent", "HistoricalCarer")


def drop_pattern_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in MODELS:
        model = apps.get_model("children", name)
        column = model._meta.get_field("id_number_hash").column
        index = schema_editor._create_index_name(model._meta.db_table, [column], suffix="_like")
        schema_editor.execute(schema_editor._delete_index_sql(model, index))


class Migration(migrations.Migration):
    dependencies = [("children", "0003_encrypt_id_and_phone_numbers")]

    operations = [migrations.RunPython(drop_pattern_indexes, migrations.RunPython.noop)]
