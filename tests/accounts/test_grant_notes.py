"""Why a person may see a child, when the system gave the reason, is kept as a code and its parameters
and read in the reader's language; a reason a person typed (breaking the glass) is kept as typed."""

from importlib import import_module

from django.utils import translation

from shouhu.accounts import services
from shouhu.accounts.models import Grant, GrantReason
from shouhu.children.names import is_han
from shouhu.escalation import services as escalation
from shouhu.escalation.models import WorkItem


def han(text: str) -> str:
    return "".join(c for c in text if is_han(c))


def test_a_grant_to_do_a_reassigned_visit_names_the_visit_in_english(personas):
    item = WorkItem.objects.get(child=personas.child_a, kind="visit.director")

    escalation.item_reassign(actor=personas.supervisor, item=item, to=personas.dir_b)

    grant = Grant.objects.get(user=personas.dir_b, child=personas.child_a, reason=GrantReason.ASSIGNMENT)
    assert grant.note_code == "grant.assignment" and grant.note == f"督办事项：走访 {personas.child_a.name}"
    with translation.override("en"):
        assert grant.text == f"Work item: Visit {personas.child_a.name}"


def test_a_handed_over_grant_says_from_whom_and_why_in_english(personas):
    Grant.objects.filter(user=personas.mentor).update(**_pairing())

    services.account_deactivate(
        actor=personas.county, user=personas.mentor, successor=personas.social_worker, reason="志愿服务期满"
    )

    new = Grant.objects.active().get(user=personas.social_worker)
    assert new.note_code == "grant.handed_over_note"
    with translation.override("en"):
        words = new.text
    assert words == f"Handed over from {personas.mentor.full_name}: One-to-one pairing"
    assert not han(words.replace(personas.mentor.full_name, ""))


def test_a_grant_written_before_the_codes_shows_its_stored_words(personas):
    grant = Grant.objects.get(user=personas.mentor)
    Grant.objects.filter(pk=grant.pk).update(note="老的说明", note_code="", note_params={})
    grant.refresh_from_db()

    with translation.override("en"):
        assert grant.text == "老的说明"


def _pairing() -> dict:
    from shouhu.escalation import texts

    return texts.note_fields(texts.stored("grant.pairing"))


fill = import_module("shouhu.accounts.migrations.0008_words_fill_grant_note_codes")


def test_old_hand_over_notes_are_read_with_the_name_and_the_earlier_note():
    found = fill.HANDED_OVER.match("交接自 王丽：转介：心理辅导")
    assert (found["name"], found["note"]) == ("王丽", "转介：心理辅导")
    assert fill.HANDED_OVER.match("交接自 王丽")["note"] is None


def test_the_migration_gives_old_grants_their_codes_and_leaves_a_typed_reason_alone(personas):
    from django.apps import apps

    item = WorkItem.objects.get(child=personas.child_a, kind="visit.director")
    assigned = Grant.objects.create(
        user=personas.dir_b, child=personas.child_a, reason=GrantReason.ASSIGNMENT, note=item.title
    )
    paired = Grant.objects.get(user=personas.mentor)
    Grant.objects.filter(pk=paired.pk).update(note="交接自 王丽：一对一结对帮扶")
    typed = Grant.objects.create(
        user=personas.dir_c, child=personas.child_a, reason=GrantReason.BREAK_GLASS, note="交接自 家长报警"
    )

    fill.fill(apps, None)

    assigned.refresh_from_db(), paired.refresh_from_db(), typed.refresh_from_db()
    assert assigned.note_code == "grant.assignment"
    assert assigned.note_params["title"]["code"] == "visit.director"
    assert (paired.note_code, paired.note_params) == (
        "grant.handed_over_note",
        {"name": "王丽", "note": "一对一结对帮扶"},
    )
    assert typed.note_code == ""
    with translation.override("en"):
        assert assigned.text == f"Work item: Visit {personas.child_a.name}"
        assert typed.text == "交接自 家长报警"
