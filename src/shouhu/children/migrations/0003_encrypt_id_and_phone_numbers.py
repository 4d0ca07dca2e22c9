"""ID numbers and phone numbers encrypted at rest, with a keyed hash for exact search and uniqueness.

In three steps: the columns become plain text wide enough for a token (and the hash columns appear,
without constraints); every existing row — live and history — is encrypted in batches; then the
columns take their encrypted field type and the hash columns their unique constraint / index.
Reversible: going back decrypts in the same batches.
"""

from django.db import migrations, models

import shouhu.children.crypto
import shouhu.children.validators

BATCH = 500

# model name → (primary key, encrypted fields, {hash field: source field})
PLAN = {
    "child": ("id", ["id_number"], {"id_number_hash": "id_number"}),
    "historicalchild": ("history_id", ["id_number"], {"id_number_hash": "id_number"}),
    "parent": ("id", ["id_number", "phone"], {"id_number_hash": "id_number"}),
    "historicalparent": ("history_id", ["id_number", "phone"], {"id_number_hash": "id_number"}),
    "carer": ("id", ["id_number", "phone"], {"id_number_hash": "id_number"}),
    "historicalcarer": ("history_id", ["id_number", "phone"], {"id_number_hash": "id_number"}),
    "rescuecontact": ("id", ["phone"], {}),
    "historicalrescuecontact": ("history_id", ["phone"], {}),
}


def _rewrite(apps, convert, with_hashes: bool) -> None:
    from shouhu.children import crypto

    for model_name, (pk, fields, hashes) in PLAN.items():
        model = apps.get_model("children", model_name)
        written = [*fields, *(hashes if with_hashes else {})]
        last = None
        while True:
            qs = model.objects.order_by(pk)
            if last is not None:
                qs = qs.filter(**{f"{pk}__gt": last})
            rows = list(qs.only(pk, *fields)[:BATCH])
            if not rows:
                break
            for row in rows:
                plain = {}
                for name in fields:
                    value = getattr(row, name)
                    plain[name] = value
                    if value:
                        setattr(row, name, convert(value))
                        plain[name] = (
                            crypto.decrypt(value) if value.startswith(crypto.TOKEN_PREFIX) else value
                        )
                if with_hashes:
                    for hash_name, source in hashes.items():
                        setattr(row, hash_name, crypto.keyed_hash(plain[source]))
            model.objects.bulk_update(rows, written)
            last = getattr(rows[-1], pk)


def encrypt_rows(apps, schema_editor):
    from shouhu.children import crypto

    def convert(value: str) -> str:
        if value.startswith(crypto.TOKEN_PREFIX):  # already a token (a re-run after an interruption)
            crypto.decrypt(value)
            return value
        return crypto.encrypt(value)

    _rewrite(apps, convert, with_hashes=True)


def decrypt_rows(apps, schema_editor):
    from shouhu.children import crypto

    def convert(value: str) -> str:
        return crypto.decrypt(value) if value.startswith(crypto.TOKEN_PREFIX) else value

    _rewrite(apps, convert, with_hashes=False)


def _plain(model_name: str, name: str, **kwargs):
    return migrations.AlterField(model_name=model_name, name=name, field=models.TextField(**kwargs))


def _hash(model_name: str):
    return migrations.AddField(
        model_name=model_name,
        name="id_number_hash",
        field=models.CharField(max_length=64, null=True, blank=True, editable=False),
    )


class Migration(migrations.Migration):
    dependencies = [("children", "0002_national_categories")]

    operations = [
        # 1. Plain text columns wide enough for a token; hash columns without constraints.
        _plain("child", "id_number", null=True, blank=True),
        _plain("historicalchild", "id_number", null=True, blank=True),
        _plain("parent", "id_number", blank=True),
        _plain("parent", "phone", blank=True),
        _plain("historicalparent", "id_number", blank=True),
        _plain("historicalparent", "phone", blank=True),
        _plain("carer", "id_number", blank=True),
        _plain("carer", "phone", blank=True),
        _plain("historicalcarer", "id_number", blank=True),
        _plain("historicalcarer", "phone", blank=True),
        _plain("rescuecontact", "phone"),
        _plain("historicalrescuecontact", "phone"),
        _hash("child"),
        _hash("historicalchild"),
        _hash("parent"),
        _hash("historicalparent"),
        _hash("carer"),
        _hash("historicalcarer"),
        # 2. Encrypt what is there, in batches.
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        # 3. The field types the models declare, the uniqueness on the hash.
        migrations.AlterField(
            model_name="child",
            name="id_number",
            field=shouhu.children.crypto.EncryptedCharField(
                blank=True,
                hash_field="id_number_hash",
                help_text="尚未办理身份证的儿童可以留空。",
                max_length=18,
                null=True,
                validators=[shouhu.children.validators.validate_id_number],
                verbose_name="公民身份号码",
            ),
        ),
        migrations.AlterField(
            model_name="child",
            name="id_number_hash",
            field=shouhu.children.crypto.KeyedHashField(
                blank=True, editable=False, max_length=64, null=True, source="id_number", unique=True
            ),
        ),
        migrations.AlterField(
            model_name="historicalchild",
            name="id_number",
            field=shouhu.children.crypto.EncryptedCharField(
                blank=True,
                hash_field="id_number_hash",
                help_text="尚未办理身份证的儿童可以留空。",
                max_length=18,
                null=True,
                validators=[shouhu.children.validators.validate_id_number],
                verbose_name="公民身份号码",
            ),
        ),
        migrations.AlterField(
            model_name="historicalchild",
            name="id_number_hash",
            field=shouhu.children.crypto.KeyedHashField(
                blank=True, db_index=True, editable=False, max_length=64, null=True, source="id_number"
            ),
        ),
        *[
            op
            for model_name in ("parent", "historicalparent", "carer", "historicalcarer")
            for op in (
                migrations.AlterField(
                    model_name=model_name,
                    name="id_number",
                    field=shouhu.children.crypto.EncryptedCharField(
                        blank=True,
                        hash_field="id_number_hash",
                        max_length=18,
                        validators=[shouhu.children.validators.validate_id_number],
                        verbose_name="公民身份号码",
                    ),
                ),
                migrations.AlterField(
                    model_name=model_name,
                    name="id_number_hash",
                    field=shouhu.children.crypto.KeyedHashField(
                        blank=True,
                        db_index=True,
                        editable=False,
                        max_length=64,
                        null=True,
                        source="id_number",
                    ),
                ),
                migrations.AlterField(
                    model_name=model_name,
                    name="phone",
                    field=shouhu.children.crypto.EncryptedCharField(
                        blank=True, max_length=30, verbose_name="联系电话"
                    ),
                ),
            )
        ],
        *[
            migrations.AlterField(
                model_name=model_name,
                name="phone",
                field=shouhu.children.crypto.EncryptedCharField(max_length=30, verbose_name="电话"),
            )
            for model_name in ("rescuecontact", "historicalrescuecontact")
        ],
    ]
