"""No code path writes an ID number without its keyed hash: save, create, bulk_create, update,
bulk_update and the import's bulk path all leave the hash the one derivation gives
(``crypto.keyed_hash``), and what cannot derive it is refused."""

import pytest
from django.db.models import F, Value

from shouhu.children import crypto
from shouhu.children import services as child_services
from shouhu.children.models import Child, Parent
from tests import factories as f

pytestmark = pytest.mark.django_db


def stored_hash(model, pk) -> str | None:
    return model.objects.filter(pk=pk).values_list("id_number_hash", flat=True).get()


@pytest.fixture
def child(personas):
    return personas.child_a


def a_number(child, gender="female"):
    return f.id_number_for(child.birth_date, gender)


def test_save_writes_the_hash(child):
    child.id_number = a_number(child)
    child.save()

    assert stored_hash(Child, child.pk) == crypto.keyed_hash(child.id_number)


def test_update_writes_the_hash_with_the_number(child):
    number = a_number(child)

    Child.objects.filter(pk=child.pk).update(id_number=number)

    assert stored_hash(Child, child.pk) == crypto.keyed_hash(number)
    assert Child.objects.filter(id_number=number).get() == child


def test_update_through_a_related_manager_writes_the_hash(child):
    if not child.parents.exists():
        Parent.objects.create(child=child, role="father", name="父亲")
    number = a_number(child, "male")

    child.parents.update(id_number=number)

    assert {stored_hash(Parent, p.pk) for p in child.parents.all()} == {crypto.keyed_hash(number)}


def test_update_clearing_the_number_clears_the_hash(child):
    child.id_number = a_number(child)
    child.save()

    Child.objects.filter(pk=child.pk).update(id_number="")

    assert stored_hash(Child, child.pk) is None


def test_update_of_the_hash_alone_is_refused(child):
    with pytest.raises(ValueError, match="derived"):
        Child.objects.filter(pk=child.pk).update(id_number_hash="0" * 64)


def test_update_of_the_number_by_an_expression_is_refused(child):
    with pytest.raises(ValueError, match="cannot be derived"):
        Child.objects.filter(pk=child.pk).update(id_number=F("name"))
    with pytest.raises(ValueError, match="cannot be derived"):
        Child.objects.filter(pk=child.pk).update(id_number=Value("x"))


def test_bulk_update_writes_the_hash(personas):
    children = [personas.child_a, personas.child_b]
    for c in children:
        c.id_number = a_number(c)
        c.id_number_hash = None  # what a careless caller would leave

    Child.objects.bulk_update(children, ["id_number"])

    for c in children:
        assert stored_hash(Child, c.pk) == crypto.keyed_hash(c.id_number)


def test_bulk_create_writes_the_hash(child):
    number = a_number(child, "male")
    child.parents.all().delete()

    [father] = Parent.objects.bulk_create([Parent(child=child, role="father", name="父亲", id_number=number)])

    assert stored_hash(Parent, father.pk) == crypto.keyed_hash(number)


def test_the_import_bulk_path_writes_the_hash(personas):
    born = personas.child_a.birth_date
    number, father = f.id_number_for(born, "male"), f.id_number_for(born.replace(year=1985), "male")
    fields = f.child_fields(name="导入儿童", gender="male", birth_date=born, id_number=number)
    new, nested, errors = child_services.child_prepare(
        actor=personas.admin, fields=fields, parents={"father": {"name": "导入父亲", "id_number": father}}
    )
    assert errors == {}

    child_services.children_write(actor=personas.admin, created=[(new, nested)], updated=[])

    assert stored_hash(Child, new.pk) == crypto.keyed_hash(number)
    dad = Parent.objects.get(child_id=new.pk, role="father")
    assert stored_hash(Parent, dad.pk) == crypto.keyed_hash(father)
    assert Child.objects.filter(id_number=number).get().pk == new.pk


def test_every_model_with_a_hashed_number_guards_its_updates():
    assert crypto.check_hashed_models() == []
