"""The system's words about work, in the reader's language: work items and notices are kept as a code
and its parameters, shown on a page in the page's language and sent by text message in the
recipient's; rows written before the codes show their stored words."""

import pytest
from django.utils import translation

from shouhu.escalation import texts
from shouhu.escalation.models import Channel, Notification, WorkItem

from .senders import RecordingSender


@pytest.fixture(autouse=True)
def sender(settings):
    settings.SHOUHU_SMS_SENDER = "tests.escalation.senders.RecordingSender"
    RecordingSender.reset()
    return RecordingSender


def test_a_due_visit_is_stored_as_a_code_and_shown_in_either_language(personas):
    item = WorkItem.objects.get(child=personas.child_a, kind="visit.director")

    assert (item.code, item.params) == ("visit.director", {"name": personas.child_a.name})
    assert item.title == f"走访 {personas.child_a.name}"
    with translation.override("en"):
        assert item.text == f"Visit {personas.child_a.name}"
    with translation.override("zh-hans"):
        assert item.text == f"走访 {personas.child_a.name}"


def test_a_household_alerts_work_names_its_children_with_their_ages_in_words(personas):
    from tests import factories as f

    child = f.make_child(actor=personas.dir_a, name="独居娃", living_arrangement="alone")
    item = WorkItem.objects.get(child=child, kind="alert.alone_under_16")

    assert item.params["rule"] == "alone_under_16"
    with translation.override("en"):
        assert item.text == f"Child under 16 living alone or without care: {child.name}"
        task = WorkItem.objects.get(child=child, kind="alert_task.police_informed")
        assert task.text.startswith("Report to the police") and "：" not in task.text


def test_a_row_written_before_the_codes_shows_its_stored_words(personas):
    item = WorkItem.objects.get(child=personas.child_a, kind="visit.director")
    WorkItem.objects.filter(pk=item.pk).update(code="", params={})
    item.refresh_from_db()

    with translation.override("en"):
        assert item.text == item.title


def test_parameters_that_do_not_fit_fall_back_to_the_stored_words():
    assert texts.render("visit.director", {}, "走访 某某") == "走访 某某"
    assert texts.render("no.such.code", {"name": "某某"}, "旧的文字") == "旧的文字"


def test_a_text_message_is_sent_in_the_recipients_language(personas, django_capture_on_commit_callbacks):
    from shouhu.children.services import child_update

    personas.supervisor.language = "en"
    personas.supervisor.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        child_update(actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"})

    (text,) = [text for phone, text in RecordingSender.sent if phone == personas.supervisor.phone]
    assert "Child under 16 living alone or without care" in text and "督办" not in text
    stored = Notification.objects.filter(user=personas.supervisor, channel=Channel.SMS).first()
    assert stored.message.startswith("【督办") and stored.code == "notice.due"


def test_a_notice_in_the_app_is_shown_in_the_pages_language(personas, django_capture_on_commit_callbacks):
    from shouhu.children.services import child_update

    with django_capture_on_commit_callbacks(execute=True):
        child_update(actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"})
    note = Notification.objects.filter(user=personas.supervisor, channel=Channel.IN_APP).first()

    with translation.override("en"):
        assert note.text.startswith("[Action · Township level] Child under 16 living alone")
    with translation.override("zh-hans"):
        assert note.text == note.message
