"""The field key can be rotated while the system runs: every value stays readable and findable during the
rotation, the command rewrites everything under the new key in resumable batches, logs what it did, and
rewrites nothing when run again."""

import pytest
from django.db import connection

from shouhu.audit.models import AccessLog, Action
from shouhu.children import crypto
from shouhu.children import services as child_services
from shouhu.children.models import Child, Parent
from shouhu.ops import keyrotation
from tests import factories as f

OLD = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # tests/settings.py's key
NEW = "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY="


@pytest.fixture
def family(personas, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SHOUHU_FIELD_KEY, settings.SHOUHU_FIELD_KEYS_OLD = OLD, []
    numbers = {}
    for child in (personas.child_a, personas.child_b, personas.child_c):
        number = f.id_number_for(child.birth_date, child.gender)
        father = f.id_number_for(child.birth_date.replace(year=1985), "male")
        child_services.child_update(
            actor=personas.admin,
            child=child,
            fields={"id_number": number},
            parents={"father": {"phone": "13800000011", "id_number": father}},
        )
        numbers[child.pk] = (number, father)
    return numbers


def family_birth(family):
    return Child.objects.get(pk=next(iter(family))).birth_date


def rotating(settings):
    settings.SHOUHU_FIELD_KEY, settings.SHOUHU_FIELD_KEYS_OLD = NEW, [OLD]


def only_new_key(settings):
    settings.SHOUHU_FIELD_KEY, settings.SHOUHU_FIELD_KEYS_OLD = NEW, []


def tokens(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608 - fixed names
        return [row[0] for row in cursor.fetchall()]


def test_during_a_rotation_every_number_is_read_and_found_under_either_key(family, settings):
    rotating(settings)
    born = family_birth(family)
    newcomer = f.make_child(
        name="新登记", gender="male", birth_date=born, id_number=f.id_number_for(born, "male")
    )

    for pk, (number, father) in family.items():
        assert Child.objects.get(pk=pk).id_number == number
        assert Child.objects.filter(id_number=number).get().pk == pk  # hashed under the old key
        assert Parent.objects.filter(id_number=father).get().child_id == pk
    # Written during the rotation: under the new key only.
    stored = Child.objects.filter(pk=newcomer.pk).values_list("id_number_hash", flat=True).get()
    assert stored == crypto.keyed_hash(newcomer.id_number)
    assert Child.objects.filter(id_number=newcomer.id_number).get() == newcomer


def test_the_rotation_rewrites_every_value_and_hash_under_the_new_key(family, settings):
    rotating(settings)

    counts = keyrotation.rotate_and_log(batch_size=2)

    assert counts.done and counts.rewritten > 0 and counts.changed_meanwhile == 0
    only_new_key(settings)  # the old key is gone: everything must still read and be found
    for pk, (number, father) in family.items():
        assert Child.objects.get(pk=pk).id_number == number
        assert Child.objects.filter(id_number=number).get().pk == pk
        assert Parent.objects.filter(id_number=father).get().phone == "13800000011"
    history = tokens("children_historicalchild", "id_number")
    assert history and all(crypto.decrypt_with_key(t)[1] == 0 for t in history)
    logged = AccessLog.objects.get(action=Action.ROTATE_KEY)
    assert (logged.path, logged.channel) == ("rotate-field-key", "job")
    assert f"rewritten={counts.rewritten}" in logged.query and "finished=yes" in logged.query


def test_a_second_run_rewrites_nothing(family, settings):
    rotating(settings)
    keyrotation.rotate(batch_size=50)

    again = keyrotation.rotate(batch_size=50)

    assert again.done and again.rewritten == 0 and again.rows > 0


def test_an_interrupted_rotation_goes_on_from_where_it_stopped(family, settings):
    rotating(settings)
    whole = keyrotation.tables()

    first = keyrotation.rotate(batch_size=1, max_batches=6)
    assert not first.done and first.rows < keyrotation_rewritten_total(family)
    assert (settings.VAR_DIR / "field-key-rotation.json").exists()

    rest = keyrotation.rotate(batch_size=1)

    assert rest.done and rest.tables == len(whole)
    assert first.rewritten + rest.rewritten == keyrotation_rewritten_total(family)
    assert not (settings.VAR_DIR / "field-key-rotation.json").exists()
    only_new_key(settings)
    assert all(Child.objects.filter(id_number=n).exists() for n, _father in family.values())


def keyrotation_rewritten_total(family) -> int:
    """Rows holding an encrypted value: each child, each father, and their history entries."""
    with connection.cursor() as cursor:
        total = 0
        for table in keyrotation.tables():
            columns = [f.column for f in table.encrypted]
            where = " OR ".join(f"({c} IS NOT NULL AND {c} <> '')" for c in columns)
            cursor.execute(f"SELECT count(*) FROM {table.name} WHERE {where}")  # noqa: S608
            total += cursor.fetchone()[0]
    return total


def test_a_value_under_no_configured_key_stops_the_rotation(family, settings):
    settings.SHOUHU_FIELD_KEY, settings.SHOUHU_FIELD_KEYS_OLD = NEW, []

    with pytest.raises(crypto.FieldKeyError, match="SHOUHU_FIELD_KEYS_OLD"):
        keyrotation.rotate()


def test_an_import_during_the_rotation_matches_children_hashed_under_the_old_key(
    personas, settings, tmp_path
):
    from tests.imports.test_import import BIRTH, child_row, run, xlsx

    settings.VAR_DIR = tmp_path
    settings.SHOUHU_FIELD_KEY, settings.SHOUHU_FIELD_KEYS_OLD = OLD, []
    sheet = xlsx([child_row("王小花", id_number=f.id_number_for(BIRTH))])
    assert run(personas.dir_a, sheet, commit=True).counts["new"] == 1
    rotating(settings)

    again = run(personas.dir_a, sheet, commit=True)

    assert again.counts["new"] == 0 and again.counts["unchanged"] == 1
    assert Child.objects.filter(name="王小花").count() == 1
