"""The ID number a reporter gave for a child is encrypted at rest, with a keyed hash beside it
(shouhu.children.crypto), like the registry's own ID numbers. Existing rows are encrypted in batches."""

from django.db import migrations, models

import shouhu.children.crypto

BATCH = 500


def _rewrite(apps, convert, *, with_hash: bool) -> None:
    from shouhu.children import crypto

    Report = apps.get_model("cases", "Report")
    last = None
    while True:
        qs = Report.objects.order_by("id")
        if last is not None:
            qs = qs.filter(id__gt=last)
        rows = list(qs.only("id", "child_id_number")[:BATCH])
        if not rows:
            break
        for row in rows:
            value = row.child_id_number
            if value:
                plain = crypto.decrypt(value) if value.startswith(crypto.TOKEN_PREFIX) else value
                row.child_id_number = convert(value)
                if with_hash:
                    row.child_id_number_hash = crypto.keyed_hash(plain)
        Report.objects.bulk_update(
            rows, ["child_id_number", *(["child_id_number_hash"] if with_hash else [])]
        )
        last = rows[-1].id


def encrypt_rows(apps, schema_editor):
    from shouhu.children import crypto

    _rewrite(apps, lambda v: v if v.startswith(crypto.TOKEN_PREFIX) else crypto.encrypt(v), with_hash=True)


def decrypt_rows(apps, schema_editor):
    from shouhu.children import crypto

    _rewrite(apps, lambda v: crypto.decrypt(v) if v.startswith(crypto.TOKEN_PREFIX) else v, with_hash=False)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_harm_types")]

    operations = [
        migrations.AlterField(
            model_name="report", name="child_id_number", field=models.TextField(blank=True)
        ),
        migrations.AddField(
            model_name="report",
            name="child_id_number_hash",
            field=models.CharField(max_length=64, null=True, blank=True, editable=False),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.AlterField(
            model_name="report",
            name="child_id_number_hash",
            field=shouhu.children.crypto.KeyedHashField(
                blank=True, db_index=True, editable=False, max_length=64, null=True, source="child_id_number"
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="child_id_number",
            field=shouhu.children.crypto.EncryptedCharField(
                blank=True, hash_field="child_id_number_hash", max_length=18, verbose_name="儿童身份证号码"
            ),
        ),
    ]
