"""Why a work item was cancelled and why a notice could not be delivered are kept as a code and its
parameters and read in the reader's language; a person's words are shown as typed, and rows written
before the codes show their stored words."""

from importlib import import_module

import pytest
from django.urls import reverse
from django.utils import translation

from shouhu.cases import services as case_services
from shouhu.cases.models import Alert, AlertStatus
from shouhu.children import services as child_services
from shouhu.children.names import is_han
from shouhu.escalation import delivery
from shouhu.escalation.models import Channel, Delivery, NoticeKind, Notification, Status, WorkItem
from tests import factories as f

from .senders import RecordingSender


@pytest.fixture(autouse=True)
def registry_language_after():
    """A request in English leaves English active in the test's thread: put the registry's back."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def sender(settings):
    settings.SHOUHU_SMS_SENDER = "tests.escalation.senders.RecordingSender"
    settings.NOTIFY_SEND_TIMEOUT = 0.5
    RecordingSender.reset()
    yield RecordingSender
    RecordingSender.release.set()


def han(text: str) -> str:
    return "".join(c for c in text if is_han(c))


def alone(personas) -> Alert:
    child_services.child_update(
        actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"}
    )
    return Alert.objects.get(child=personas.child_b, rule="alone_under_16", status=AlertStatus.OPEN)


def test_the_tasks_of_an_alert_closed_by_its_rule_say_why_in_english(personas):
    child = personas.child_b
    child_services.child_update(actor=personas.dir_b, child=child, fields={"schooling": "dropped_out"})
    alert = Alert.objects.get(child=child, rule="out_of_school")
    child_services.child_update(actor=personas.dir_b, child=child, fields={"schooling": "primary"})

    tasks = list(case_services.alert_tasks(alert).filter(status=Status.CANCELLED))
    assert tasks
    for task in tasks:
        assert task.note_code == "note.alert_closed" and task.note == "预警已解除：触发条件已不再满足"
        with translation.override("en"):
            assert task.note_text == "Alert closed: The conditions no longer hold"


def test_a_supervisors_reason_for_closing_an_alert_is_shown_as_typed_in_translated_words(personas):
    alert = alone(personas)

    case_services.alert_close(actor=personas.supervisor, alert=alert, reason="登记有误，儿童与祖父母同住")

    task = case_services.alert_tasks(alert).filter(status=Status.CANCELLED).first()
    assert task.note_params == {"reason": "登记有误，儿童与祖父母同住"}
    with translation.override("en"):
        assert task.note_text == "Alert closed: 登记有误，儿童与祖父母同住"


def test_a_work_items_note_written_before_the_codes_shows_its_stored_words(personas):
    alert = alone(personas)
    task = case_services.alert_tasks(alert).first()
    WorkItem.objects.filter(pk=task.pk).update(note="旧的说明", note_code="", note_params={})
    task.refresh_from_db()

    with translation.override("en"):
        assert task.note_text == "旧的说明"


def test_the_work_items_api_gives_the_note_in_the_language_asked_for(personas, api):
    alert = alone(personas)
    case_services.alert_close(actor=personas.supervisor, alert=alert, reason="已核实")
    task = case_services.alert_tasks(alert).first()

    body = api(personas.supervisor).get("/api/v1/work/", {"status": "cancelled"}, HTTP_ACCEPT_LANGUAGE="en")

    (row,) = [row for row in body.json()["results"] if row["id"] == str(task.pk)]
    assert row["note"] == "Alert closed: 已核实"


def test_a_malformed_phone_number_is_kept_as_a_code_and_read_in_english(personas, client):
    personas.supervisor.phone = "1380000"
    personas.supervisor.save()
    alert = alone(personas)

    delivery.deliver()

    (sms,) = Notification.objects.filter(user=personas.supervisor, channel=Channel.SMS)
    assert sms.status == Delivery.FAILED
    assert (sms.error_code, sms.error_params) == ("delivery.phone", {"address": "1380000"})
    assert sms.last_error == "手机号码格式不正确：1380000"
    with translation.override("en"):
        assert sms.error == "Malformed mobile number: 1380000"
    client.force_login(personas.county)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("cases:alert", kwargs={"alert_id": alert.pk})).content.decode()
    assert "Malformed mobile number: 1380000" in page and "手机号码格式不正确" not in page


def test_a_missing_phone_number_is_said_in_the_readers_language(personas):
    personas.supervisor.phone = "1380000"
    personas.supervisor.save()
    alone(personas)
    type(personas.supervisor).objects.filter(pk=personas.supervisor.pk).update(phone="")

    delivery.deliver()

    (sms,) = Notification.objects.filter(user=personas.supervisor, channel=Channel.SMS)
    assert sms.error_code == "delivery.no_phone"
    with translation.override("en"):
        assert sms.error == "No mobile number given"


def test_the_tier_above_reads_why_a_notice_failed_in_english(personas):
    personas.supervisor.phone = "1380000"
    personas.supervisor.save()
    alone(personas)

    delivery.deliver()

    told = Notification.objects.get(user=personas.county, kind=NoticeKind.UNDELIVERED)
    assert told.params["reason"]["code"] == "delivery.phone"
    with translation.override("en"):
        words = told.text
    assert "Malformed mobile number: 1380000" in words
    assert not han(words.replace(personas.supervisor.full_name, "").replace(personas.child_b.name, ""))


def test_a_senders_own_error_is_shown_in_its_words_inside_translated_ones(personas, sender):
    sender.failing = True
    alone(personas)

    delivery.deliver()

    (sms,) = Notification.objects.filter(user=personas.supervisor, channel=Channel.SMS)
    assert sms.status == Delivery.PENDING and sms.error_code == "delivery.sender"
    with translation.override("en"):
        assert sms.error.startswith("The sender answered with an error: ")
        assert sms.error.endswith(sms.error_params["detail"])


def test_a_hanging_sender_is_a_timeout_in_english(personas, sender):
    sender.hanging = True
    alone(personas)

    delivery.deliver()

    (sms,) = Notification.objects.filter(user=personas.supervisor, channel=Channel.SMS)
    assert sms.error_code == "delivery.timeout"
    with translation.override("en"):
        assert sms.error == "Sending timed out (0.5 s)"


def test_a_delivery_error_written_before_the_codes_shows_its_stored_words(personas):
    f.make_child(actor=personas.dir_a, name="独居甲", living_arrangement="alone")
    sms = Notification.objects.filter(channel=Channel.SMS).first()
    Notification.objects.filter(pk=sms.pk).update(last_error="网关返回 500", error_code="", error_params={})
    sms.refresh_from_db()

    with translation.override("en"):
        assert sms.error == "网关返回 500"


# --- the rows written before the codes ------------------------------------------------------------

fill = import_module("shouhu.escalation.migrations.0008_words_fill_note_and_error_codes")


@pytest.mark.parametrize(
    "note, expected",
    [
        ("个案已结案", ("note.case_closed", {})),
        ("儿童已退出登记", ("note.child_exited", {})),
        (
            "预警已解除：触发条件已不再满足",
            (
                "note.alert_closed",
                {"reason": {"code": "alert.closed.not_met", "params": {}, "text": "触发条件已不再满足"}},
            ),
        ),
        ("Alert closed: 已核实", ("note.alert_closed", {"reason": "已核实"})),
        (
            "无人值守：341623110无在岗的儿童督导员，已直接上报上一级",
            ("item.unstaffed", {"place": "341623110"}),
        ),
        ("孩子已送回学校", None),
    ],
)
def test_old_notes_get_their_code_where_the_words_say_it(note, expected):
    assert fill.note_code(note) == expected


@pytest.mark.parametrize(
    "error, expected",
    [
        ("手机号码格式不正确：1380000", ("delivery.phone", {"address": "1380000"})),
        ("手机号码格式不正确：未填写", ("delivery.no_phone", {})),
        ("Invalid e-mail address: not given", ("delivery.no_email", {})),
        ("发送超时（10 秒）", ("delivery.timeout", {"s": "10"})),
        ("网关返回 500", None),
    ],
)
def test_old_delivery_errors_get_their_code_where_the_words_say_it(error, expected):
    assert fill.error_code(error) == expected


def test_the_migration_gives_old_rows_their_codes(personas):
    from django.apps import apps

    alert = alone(personas)
    task = case_services.alert_tasks(alert).first()
    WorkItem.objects.filter(pk=task.pk).update(
        note="预警已解除：已合并为家庭预警", note_code="", note_params={}
    )
    sms = Notification.objects.filter(channel=Channel.SMS).first()
    Notification.objects.filter(pk=sms.pk).update(
        last_error="发送超时（10 秒）", error_code="", error_params={}
    )

    fill.fill(apps, None)

    task.refresh_from_db(), sms.refresh_from_db()
    assert task.note_params["reason"]["code"] == "alert.closed.merged"
    assert (sms.error_code, sms.error_params) == ("delivery.timeout", {"s": "10"})
    with translation.override("en"):
        assert task.note_text == "Alert closed: Merged into the household alert"
        assert sms.error == "Sending timed out (10 s)"


def test_an_item_passed_over_an_unstaffed_township_names_the_township(personas):
    personas.supervisor.is_active = False
    personas.supervisor.save()

    f.make_child(actor=personas.dir_a, name="独居甲", living_arrangement="alone")

    item = WorkItem.objects.get(kind="alert.alone_under_16", child__name="独居甲")
    assert (item.note_code, item.note_params) == ("item.unstaffed", {"place": "王市镇"})
    assert item.note == "无人值守：王市镇无在岗的儿童督导员，已直接上报上一级"
    with translation.override("en"):
        words = item.note_text
    assert words == "Unstaffed: 王市镇 has no active child supervisor; passed to the next tier at once"
