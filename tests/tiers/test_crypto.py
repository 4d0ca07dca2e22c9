"""ID numbers and phone numbers are encrypted at rest, found whole through a keyed hash, and unique."""

import datetime as dt

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from shouhu.children import crypto, selectors
from shouhu.children.models import Carer, Child, Parent, RescueContact
from tests import factories as f

OTHER_KEY = "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY="  # 32 bytes, not the test key


def raw_rows(table: str, columns: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table}")  # noqa: S608 - fixed names in tests
        return cursor.fetchall()


def stored_text(table: str, columns: str) -> str:
    return " ".join(str(v) for row in raw_rows(table, columns) for v in row)


def test_the_database_holds_no_plain_id_or_phone_number(personas, family):
    father = family.parents.get(role="father")
    numbers = [family.id_number, father.id_number, "13800000011", "13800000022", "13800000033"]

    stored = " ".join(
        [
            stored_text("children_child", "id_number, id_number_hash"),
            stored_text("children_parent", "id_number, phone, id_number_hash"),
            stored_text("children_carer", "id_number, phone"),
            stored_text("children_rescuecontact", "phone"),
            stored_text("children_historicalchild", "id_number"),
            stored_text("children_historicalparent", "id_number, phone"),
            stored_text("children_historicalcarer", "phone"),
            stored_text("children_historicalrescuecontact", "phone"),
        ]
    )

    assert [n for n in numbers if n in stored] == []
    assert stored.count(crypto.TOKEN_PREFIX) >= len(numbers)
    # Python code sees the plain values.
    assert Child.objects.get(pk=family.pk).id_number == family.id_number
    assert Parent.objects.get(pk=father.pk).phone == "13800000011"
    assert Carer.objects.get(child=family).phone == "13800000022"
    assert RescueContact.objects.get(child=family).phone == "13800000033"


def test_two_equal_numbers_do_not_look_alike_but_their_hashes_do(personas, family):
    father = family.parents.get(role="father")
    mother = family.parents.get(role="mother")
    mother.phone = father.phone
    mother.save()

    stored = [row[0] for row in raw_rows("children_parent", "phone")]
    assert len(stored) == 2 and stored[0] != stored[1]
    assert all(value.startswith(crypto.TOKEN_PREFIX) for value in stored)
    assert Child.objects.values_list("id_number_hash", flat=True).get(pk=family.pk) == crypto.keyed_hash(
        family.id_number
    )


def test_an_exact_id_number_finds_the_child_and_a_part_finds_nobody(personas, family):
    found = selectors.children_list(user=personas.county, q=family.id_number)
    assert list(found) == [family]
    assert list(selectors.children_list(user=personas.county, q="'" + family.id_number.lower())) == [family]
    assert list(selectors.children_list(user=personas.county, q=family.id_number[:14])) == []
    # Jurisdiction still applies to the hash search.
    assert list(selectors.children_list(user=personas.dir_c, q=family.id_number)) == []


def test_the_orm_lookups_go_through_the_hash(personas, family):
    assert Child.objects.get(id_number=family.id_number) == family
    assert Child.objects.get(id_number=" " + family.id_number.lower() + " ") == family
    assert list(Child.objects.filter(id_number__in=[family.id_number, "nothing"])) == [family]
    assert Child.objects.filter(id_number=f.id_number_for(dt.date(2012, 1, 1))).count() == 0
    assert Child.objects.filter(id_number__isnull=False).count() == 1
    assert Parent.objects.filter(id_number=family.parents.get(role="father").id_number).count() == 1


@pytest.mark.parametrize("lookup", ["startswith", "contains", "icontains", "regex", "gt"])
def test_a_lookup_that_cannot_work_on_ciphertext_is_refused_loudly(personas, lookup):
    with pytest.raises(FieldError):
        list(Child.objects.filter(**{f"id_number__{lookup}": "3416"}))


def test_a_phone_has_no_lookup_but_null(personas, family):
    with pytest.raises(FieldError):
        list(Parent.objects.filter(phone="13800000011"))


def test_a_duplicate_id_number_is_refused_with_a_clear_message(personas, family):
    with pytest.raises(ValidationError) as exc:
        f.make_child(name="另一个", birth_date=family.birth_date, id_number=family.id_number)

    assert "已登记" in exc.value.message_dict["id_number"][0]


def test_the_database_keeps_id_numbers_unique_through_the_hash(personas, family):
    twin = Child(**f.child_fields(name="双胞胎", birth_date=family.birth_date), id_number=family.id_number)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_bulk_create_fills_the_hash(personas):
    birth = dt.date(2014, 2, 3)
    numbers = [f.id_number_for(birth) for _ in range(3)]
    Child.objects.bulk_create(
        [
            Child(**f.child_fields(name=f"批量{i}", birth_date=birth), id_number=n)
            for i, n in enumerate(numbers)
        ]
    )

    assert {c.name for c in Child.objects.filter(id_number__in=numbers)} == {"批量0", "批量1", "批量2"}
    assert numbers[0] not in stored_text("children_child", "id_number")


def test_a_wrong_key_fails_loudly_on_reading(personas, family):
    with override_settings(SHOUHU_FIELD_KEY=OTHER_KEY), pytest.raises(crypto.FieldKeyError) as exc:
        Child.objects.get(pk=family.pk)

    assert "SHOUHU_FIELD_KEY" in str(exc.value)


@pytest.mark.parametrize("key", ["", "not base64!", "c2hvcnQ="])
def test_a_missing_or_malformed_key_fails_loudly(key):
    with override_settings(SHOUHU_FIELD_KEY=key), pytest.raises(crypto.FieldKeyError):
        crypto.encrypt("13800000000")


def test_the_hash_key_is_not_the_encryption_key_and_depends_on_the_key(settings):
    digest = crypto.keyed_hash("341623201401010011")
    with override_settings(SHOUHU_FIELD_KEY=OTHER_KEY):
        assert crypto.keyed_hash("341623201401010011") != digest
    assert len(digest) == 64
    assert crypto.keyed_hash("") is None
    assert crypto.keyed_hash(None) is None


def _before_encryption():
    """The models as they are inside the migration, just before its data step (plain text columns)."""
    from django.db.migrations import RunPython
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    migration = loader.get_migration("children", "0003_encrypt_id_and_phone_numbers")
    state = loader.project_state(("children", "0002_national_categories"))
    for operation in migration.operations:
        if isinstance(operation, RunPython):
            return state.apps, operation
        operation.state_forwards("children", state)
    raise AssertionError("the migration has no data step")


def test_the_migration_encrypts_existing_rows_and_can_decrypt_them_again(personas):
    apps, step = _before_encryption()
    OldChild = apps.get_model("children", "Child")
    OldParent = apps.get_model("children", "Parent")
    birth = dt.date(2013, 6, 7)
    numbers = [f.id_number_for(birth) for _ in range(3)]
    for i, number in enumerate(numbers):
        old = OldChild.objects.create(
            name=f"旧档{i}",
            gender="female",
            birth_date=birth,
            id_number=number,
            village_id=f.VILLAGE_A,
            region_code=f.VILLAGE_A,
            name_pinyin="jiudang",
            name_initials="jd",
        )
        OldParent.objects.create(child=old, role="father", phone=f"1380000010{i}", id_number="")
    assert numbers[0] in stored_text("children_child", "id_number")  # plain, as before the migration

    step.code(apps, connection.schema_editor())

    assert [n for n in numbers if n in stored_text("children_child", "id_number")] == []
    assert "13800000100" not in stored_text("children_parent", "phone")
    assert {c.name for c in Child.objects.filter(id_number__in=numbers)} == {"旧档0", "旧档1", "旧档2"}
    assert Parent.objects.get(child__name="旧档1").phone == "13800000101"
    # Re-running after an interruption leaves tokens as they are.
    step.code(apps, connection.schema_editor())
    assert Child.objects.get(id_number=numbers[2]).name == "旧档2"

    step.reverse_code(apps, connection.schema_editor())
    assert numbers[0] in stored_text("children_child", "id_number")
