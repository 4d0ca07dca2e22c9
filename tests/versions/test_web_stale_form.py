"""The child's edit form against a file saved by someone else in the meantime: nothing is written, no
alert closes, the page shows what changed since (their value, the value now, who, when), and the user
saves again choosing field by field. The file's history shows old and new values within the tiers
the reader holds."""

import pytest
from django.test import Client
from django.urls import reverse

from shouhu.cases.models import Alert, AlertStatus
from shouhu.children import tiers
from shouhu.children.models import Child
from shouhu.children.services import child_update
from shouhu.web.views import change_history
from tests.web.conftest import form_values, signed_in  # noqa: F401 - the fixture


def edit_url(child) -> str:
    return reverse("children:edit", kwargs={"pk": child.pk})


def opened_form(user, child) -> tuple[Client, dict]:
    """``user``'s browser with the edit form of ``child`` open: what it would send back unchanged."""
    client = Client()
    client.force_login(user)
    page = client.get(edit_url(child)).context
    return client, {**form_values(page["record"]), "version": str(page["version"])}


@pytest.fixture
def dropped_out_meanwhile(personas):
    """The supervisor opens the file of child A (in primary school); meanwhile the village director
    records that the child dropped out, which opens the drop-out alert."""
    client, form = opened_form(personas.supervisor, personas.child_a)
    child_update(actor=personas.dir_a, child=personas.child_a, fields={"schooling": "dropped_out"})
    assert Alert.objects.filter(
        child=personas.child_a, rule="out_of_school", status=AlertStatus.OPEN
    ).exists()
    return client, form


def test_a_stale_form_writes_nothing_and_shows_what_changed_since(personas, dropped_out_meanwhile):
    client, form = dropped_out_meanwhile
    version = Child.objects.get(pk=personas.child_a.pk).version

    response = client.post(edit_url(personas.child_a), {**form, "address": "前潘村东头"})

    assert response.status_code == 200
    row = Child.objects.get(pk=personas.child_a.pk)
    assert (row.schooling, row.address, row.version) == ("dropped_out", "", version)
    conflict = next(c for c in response.context["conflicts"] if c.key == "schooling")
    assert (conflict.label, conflict.mine, conflict.theirs) == ("就学情况", "小学", "辍学")
    assert conflict.who == personas.dir_a and conflict.when is not None
    assert conflict.untouched  # the supervisor did not change it: taking the value now loses nothing
    html = response.content.decode()
    assert "您打开表单后，档案已被他人修改" in html
    assert f'name="version" value="{version}"' in html
    assert 'name="resolve-schooling" value="theirs" checked' in html


def test_a_stale_save_of_a_dropped_out_child_does_not_close_the_drop_out_alert(
    personas, dropped_out_meanwhile
):
    client, form = dropped_out_meanwhile

    client.post(edit_url(personas.child_a), {**form, "address": "前潘村东头"})

    alert = Alert.objects.get(child=personas.child_a, rule="out_of_school")
    assert alert.status == AlertStatus.OPEN
    assert alert.close_reason == ""


def test_choosing_field_by_field_saves_against_the_new_version(personas, dropped_out_meanwhile):
    client, form = dropped_out_meanwhile
    conflict_page = client.post(edit_url(personas.child_a), {**form, "address": "前潘村东头"})
    new_version = conflict_page.context["version"]

    response = client.post(
        edit_url(personas.child_a),
        {**form, "address": "前潘村东头", "version": str(new_version), "resolve-schooling": "theirs"},
    )

    assert response.status_code == 302, response.context and response.context["conflicts"]
    row = Child.objects.get(pk=personas.child_a.pk)
    assert (row.schooling, row.address) == ("dropped_out", "前潘村东头")
    assert Alert.objects.get(child=personas.child_a, rule="out_of_school").status == AlertStatus.OPEN


def test_keeping_one_s_own_value_overwrites_knowingly(personas, dropped_out_meanwhile):
    client, form = dropped_out_meanwhile
    new_version = client.post(edit_url(personas.child_a), form).context["version"]

    client.post(
        edit_url(personas.child_a), {**form, "version": str(new_version), "resolve-schooling": "mine"}
    )

    assert Child.objects.get(pk=personas.child_a.pk).schooling == "primary"


def test_a_form_without_its_version_saves_nothing(personas):
    client, form = opened_form(personas.dir_a, personas.child_a)
    del form["version"]

    response = client.post(edit_url(personas.child_a), {**form, "address": "前潘村东头"})

    assert response.status_code == 302
    assert Child.objects.get(pk=personas.child_a.pk).address == ""


def test_the_history_shows_old_and_new_values(personas, signed_in):  # noqa: F811
    child_update(actor=personas.dir_a, child=personas.child_a, fields={"schooling": "dropped_out"})
    child_update(actor=personas.supervisor, child=personas.child_a, fields={"schooling": "primary"})

    html = signed_in(personas.dir_a).get(reverse("children:detail", kwargs={"pk": personas.child_a.pk}))
    history = html.content.decode().split("修改记录", 1)[1]

    assert "就学情况：辍学 → 小学" in history
    assert "就学情况：小学 → 辍学" in history


def test_the_history_hides_the_values_of_tiers_the_reader_lacks(personas):
    child_update(
        actor=personas.dir_a, child=personas.child_a, fields={"illness": "哮喘", "address": "前潘村东头"}
    )
    personal_only = tiers.Visibility(frozenset({tiers.PERSONAL}), "assignment", need="assignment")

    entries = change_history(Child.objects.get(pk=personas.child_a.pk), seen=personal_only)

    shown = {c.label: (c.old, c.new) for e in entries for c in e.changes}
    assert shown["现居住地址"] == ("（空）", "前潘村东头")
    assert shown["患病类型"] == ("（无权查看）", "（无权查看）")
    assert "哮喘" not in repr(entries)
