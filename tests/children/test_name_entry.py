"""The name rule on every path a name comes in by — the form, the API, the import — and in search,
and the migration that brings the names already stored to it."""

import importlib
import io

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from shouhu.accounts.models import User
from shouhu.audit.models import AccessLog
from shouhu.children.management.commands.names_to_fix import names_to_fix
from shouhu.children.models import Carer, Child, NameToken, Parent
from shouhu.children.selectors import children_list
from tests import factories as f
from tests.api.conftest import CHILDREN, api, registration  # noqa: F401  (the api fixture)
from tests.imports.test_import import child_row, run, xlsx
from tests.web.conftest import error_next_to, signed_in  # noqa: F401  (the signed_in fixture)
from tests.web.test_child_form import form_data

HIDDEN = "张\u200b明"
SAID = "不可见字符（U+200B 零宽空格）"


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_refuses_a_hidden_character_in_the_childs_name_on_the_name(personas, api):  # noqa: F811
    before = Child.objects.count()

    response = api(personas.dir_a).post(CHILDREN, registration(name=HIDDEN), format="json")

    assert response.status_code == 400
    assert SAID in response.json()["name"][0]
    assert Child.objects.count() == before


def test_the_api_refuses_a_hidden_character_in_a_parents_name_on_that_parent(personas, api):  # noqa: F811
    body = registration()
    body["parents"][0]["name"] = "李\u202e建军"

    response = api(personas.dir_a).post(CHILDREN, body, format="json")

    assert response.status_code == 400
    assert "U+202E" in response.json()["parents"][0]["name"][0]


def test_the_api_refuses_a_hidden_character_in_a_carer_and_a_contact(personas, api):  # noqa: F811
    body = registration(
        carer={**registration()["carer"], "name": "王\ufeff秀英"},
        contacts=[{"name": "刘\u200d云", "phone": "13800000004"}],
    )

    errors = api(personas.dir_a).post(CHILDREN, body, format="json").json()

    assert "U+FEFF" in errors["carer"]["name"][0]
    assert "U+200D" in errors["contacts"][0]["name"][0]


def test_the_api_stores_a_kangxi_radical_as_the_ordinary_character(personas, api):  # noqa: F811
    body = registration(name="⾼明")
    body["parents"][0]["name"] = "⾼建军"

    response = api(personas.dir_a).post(CHILDREN, body, format="json")

    assert response.status_code == 201, response.content
    child = Child.objects.get(pk=response.json()["id"])
    assert child.name == "高明" and child.name_pinyin == "gaoming"
    assert Parent.objects.get(child=child, role="father").name == "高建军"


# --- the form --------------------------------------------------------------------------------------


def test_the_form_refuses_a_hidden_character_next_to_the_name(signed_in, personas):  # noqa: F811
    client = signed_in(personas.dir_a)
    before = Child.objects.count()

    response = client.post(reverse("children:create"), form_data(name=HIDDEN))

    assert Child.objects.count() == before
    assert SAID in error_next_to(response, "id_name")


def test_the_form_refuses_a_hidden_character_next_to_the_carers_name(signed_in, personas):  # noqa: F811
    client = signed_in(personas.dir_a)
    data = form_data(**{"carer-name": "王\u200b秀英", "carer-relation": "grandparent"})

    response = client.post(reverse("children:create"), data)

    assert SAID.replace("张明", "") in error_next_to(response, "id_carer-name")


# --- the import ------------------------------------------------------------------------------------


def test_the_import_refuses_a_hidden_character_in_the_name_column(personas):
    result = run(personas.dir_a, xlsx([child_row(HIDDEN)]), commit=True)

    assert not result.committed
    problem = next(p for p in result.problems if p.column == "姓名")
    assert SAID in problem.message


def test_the_import_refuses_a_hidden_character_in_a_parents_name_column(personas):
    result = run(personas.dir_a, xlsx([child_row(父亲姓名="王\u200b大山")]), commit=True)

    assert not result.committed
    assert any(SAID in p.message and "父亲" in p.column for p in result.problems)


def test_the_import_stores_kangxi_radicals_as_ordinary_characters(personas):
    result = run(personas.dir_a, xlsx([child_row("⾼小花", 父亲姓名="⾼大山")]), commit=True)

    assert result.committed, result.problems
    child = Child.objects.get(name="高小花")
    assert Parent.objects.get(child=child, role="father").name == "高大山"


# --- search ----------------------------------------------------------------------------------------


def test_a_name_entered_with_a_kangxi_radical_is_found_by_the_ordinary_characters(personas):
    f.make_child(actor=personas.dir_a, name="⾼明")

    assert [c.name for c in children_list(user=personas.dir_a, q="高明")] == ["高明"]
    assert [c.name for c in children_list(user=personas.dir_a, q="⾼明")] == ["高明"]
    assert [c.name for c in children_list(user=personas.dir_a, q="gaoming")] == ["高明"]


def test_a_query_with_a_hidden_character_finds_the_name(personas):
    f.make_child(actor=personas.dir_a, name="高明")

    assert [c.name for c in children_list(user=personas.dir_a, q="高\u200b明")] == ["高明"]


def test_a_foreign_nationals_name_is_found_by_its_letters(personas):
    f.make_child(actor=personas.dir_a, name="Anna  Müller")

    assert [c.name for c in children_list(user=personas.dir_a, q="anna")] == ["Anna Müller"]


# --- names already stored --------------------------------------------------------------------------


def migrate(module: str):
    migration = importlib.import_module(module)
    out = io.StringIO()
    return migration.normalise_names(apps, None, out=out), out.getvalue()


def stored_as(obj, name: str, field: str = "name") -> None:
    """Put ``name`` in the table as an older version stored it: in SQL, since every write through
    the models normalises it."""
    meta = type(obj)._meta
    key = meta.pk.get_db_prep_value(obj.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {meta.db_table} SET {field} = %s WHERE id = %s", [name, key])  # noqa: S608


def test_the_migration_normalises_stored_names_and_reindexes_the_child(personas):
    kangxi = f.make_child(actor=personas.dir_a, name="甲")
    hidden = f.make_child(actor=personas.dir_a, name="乙")
    mixed = f.make_child(actor=personas.dir_a, name="丙")
    fine = f.make_child(actor=personas.dir_a, name="丁")
    carer = Carer.objects.create(child=fine, name="王秀英", relation="grandparent")
    stored_as(kangxi, "⾼明")
    stored_as(hidden, "张\u200b明")
    stored_as(mixed, "张明а")
    stored_as(carer, "王\ufeff秀英")

    result, printed = migrate("shouhu.children.migrations.0007_normalise_names")

    assert result["changed"] == 3
    assert "3 names normalised" in printed
    kangxi.refresh_from_db()
    hidden.refresh_from_db()
    assert (kangxi.name, kangxi.name_pinyin, kangxi.name_initials) == ("高明", "gaoming", "gm")
    assert hidden.name == "张明"
    assert set(NameToken.objects.filter(child=kangxi).values_list("token", flat=True)) == {"高", "明", "高明"}
    assert Carer.objects.get(pk=carer.pk).name == "王秀英"
    assert [c.name for c in children_list(user=personas.dir_a, q="高明")] == ["高明"]


def test_the_migration_writes_each_change_to_the_records_history(personas):
    child = f.make_child(actor=personas.dir_a, name="甲")
    stored_as(child, "⾼明")

    migrate("shouhu.children.migrations.0007_normalise_names")

    last = child.history.order_by("-history_date", "-history_id").first()
    assert (last.name, last.history_type, last.history_user_id) == ("高明", "~", None)
    assert "规范化" in last.history_change_reason


def test_a_name_it_cannot_fix_is_left_and_listed_by_id_never_by_name(personas):
    child = f.make_child(actor=personas.dir_a, name="甲")
    stored_as(child, "张明а")

    result, printed = migrate("shouhu.children.migrations.0007_normalise_names")

    assert ("Child", child.pk) in result["to_fix"]
    assert str(child.pk) in printed and "张明" not in printed
    child.refresh_from_db()
    assert child.name == "张明а"
    assert ("Child", child.pk) in names_to_fix()


def test_users_names_are_normalised_and_the_change_is_in_the_access_log(personas):
    user = User.objects.create_user(username="wang", password="x" * 12)
    stored_as(user, "王\u200b丽", field="full_name")

    result, printed = migrate("shouhu.accounts.migrations.0005_normalise_names")

    user.refresh_from_db()
    assert user.full_name == "王丽" and result["changed"] == 1
    entry = AccessLog.objects.get(path="migrate accounts.0005_normalise_names")
    assert str(user.pk) in entry.query and "王" not in entry.query


def test_a_users_and_a_workers_name_follow_the_same_rule(personas):
    from django.core.exceptions import ValidationError

    from shouhu.accounts.models import WelfareWorker

    user = User(username="li", full_name="李\u200b丽", role="village_director")
    user.set_password("x" * 12)
    with pytest.raises(ValidationError) as refused:
        user.full_clean()
    assert SAID.replace("张明", "") in refused.value.message_dict["full_name"][0]
    worker = WelfareWorker(kind="director", name="⾼芳", region_id=f.VILLAGE_A)
    worker.full_clean(exclude=["user"])
    assert worker.name == "高芳"
