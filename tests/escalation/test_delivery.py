"""Record first, notify after: the outbox of notifications, delivered after commit with retries and
back-off, one message per recipient, failures escalated in the app, and no tier left unmanned."""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from shouhu.accounts.models import Role
from shouhu.cases.models import Alert, AlertStatus, Report
from shouhu.children.models import Child
from shouhu.children.services import child_update
from shouhu.escalation import delivery, digest
from shouhu.escalation.models import Channel, Delivery, NoticeKind, Notification, Tier, WorkItem
from shouhu.regions.loader import load_regions
from tests import factories as f

from .senders import RecordingSender


@pytest.fixture(autouse=True)
def sender(settings):
    settings.SHOUHU_SMS_SENDER = "tests.escalation.senders.RecordingSender"
    settings.NOTIFY_SEND_TIMEOUT = 0.5
    RecordingSender.reset()
    yield RecordingSender
    RecordingSender.release.set()


def sms_to(user):
    return Notification.objects.filter(user=user, channel=Channel.SMS)


def alone(personas, capture):
    """Director B records that child B (10) now lives alone: an urgent alert the township hears of."""
    with capture(execute=True):
        child_update(actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"})
    return Alert.objects.get(child=personas.child_b, rule="alone_under_16", status=AlertStatus.OPEN)


def test_a_failing_sender_loses_nothing_and_the_message_waits_for_a_retry(
    personas, sender, django_capture_on_commit_callbacks
):
    sender.failing = True

    alert = alone(personas, django_capture_on_commit_callbacks)

    personas.child_b.refresh_from_db()
    assert personas.child_b.living_arrangement == "alone" and alert.work_item.tier == Tier.TOWNSHIP
    (sms,) = sms_to(personas.supervisor)
    assert sms.status == Delivery.PENDING and sms.attempts == 1 and "短信网关" in sms.last_error
    assert sms.next_attempt_at > timezone.now()
    assert Notification.objects.get(user=personas.supervisor, item=alert.work_item, channel=Channel.IN_APP)


def test_an_hour_of_failures_then_every_message_is_delivered_once(
    personas, sender, django_capture_on_commit_callbacks, time_machine
):
    """The sender fails for an hour of simulated time while the minute job keeps trying; then it
    recovers: every message arrives, none twice, and nothing recorded was lost."""
    sender.failing = True
    alone(personas, django_capture_on_commit_callbacks)
    f.make_child(actor=personas.dir_a, name="独居乙", living_arrangement="alone")
    start = timezone.now()
    for minute in range(0, 61):
        time_machine.move_to(start + dt.timedelta(minutes=minute), tick=False)
        delivery.deliver()
    assert sender.sent == []
    pending = Notification.objects.filter(channel=Channel.SMS)
    assert pending.filter(status=Delivery.PENDING).count() == pending.count() > 0
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() == 2

    sender.failing = False
    for minute in range(61, 61 + 70):
        time_machine.move_to(start + dt.timedelta(minutes=minute), tick=False)
        delivery.deliver()

    assert pending.filter(status=Delivery.SENT).count() == pending.count()
    recipients = {n.user.phone for n in pending}
    assert sorted(phone for phone, _text in sender.sent) == sorted(recipients)  # one message each


def test_several_notices_to_one_person_go_as_one_text_message(
    personas, sender, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("独居甲", "独居乙", "独居丙"):
            f.make_child(actor=personas.dir_a, name=name, living_arrangement="alone")

    to_supervisor = [text for phone, text in sender.sent if phone == personas.supervisor.phone]
    assert len(to_supervisor) <= 3  # at most one per commit, never one per notice of the same run
    delivery.deliver()
    assert (
        sms_to(personas.supervisor).filter(status=Delivery.SENT).count()
        == sms_to(personas.supervisor).count()
    )


def test_notices_pending_together_are_sent_as_one_message(personas, sender):
    for name in ("独居甲", "独居乙", "独居丙"):
        f.make_child(actor=personas.dir_a, name=name, living_arrangement="alone")  # no commit: nothing sent
    assert sender.sent == []

    delivery.deliver()

    (text,) = [text for phone, text in sender.sent if phone == personas.supervisor.phone]
    assert "3" in text and all(name in text for name in ("独居甲", "独居乙", "独居丙"))


def test_after_its_last_attempt_a_notice_fails_and_the_county_is_told_in_the_app(
    personas, sender, settings, django_capture_on_commit_callbacks, time_machine, client
):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    sender.failing = True
    alert = alone(personas, django_capture_on_commit_callbacks)
    for minutes in (2, 5):
        time_machine.move_to(timezone.now() + dt.timedelta(minutes=minutes), tick=False)
        delivery.deliver()

    (sms,) = sms_to(personas.supervisor)
    assert sms.status == Delivery.FAILED and sms.attempts == 3
    told = Notification.objects.get(user=personas.county, kind=NoticeKind.UNDELIVERED, item=alert.work_item)
    assert (
        told.channel == Channel.IN_APP
        and str(personas.supervisor) in told.message
        and personas.supervisor.full_name
    )

    client.force_login(personas.supervisor)
    page = client.get(reverse("cases:alert", kwargs={"alert_id": alert.pk})).content.decode()
    assert "通知送达情况" in page and "发送失败" in page and "已尝试 3 次" in page


def test_a_malformed_phone_number_fails_at_once_with_its_reason(personas, sender):
    personas.supervisor.phone = "1380000"
    personas.supervisor.save()
    f.make_child(actor=personas.dir_a, name="独居甲", living_arrangement="alone")

    delivery.deliver()

    (sms,) = sms_to(personas.supervisor)
    assert sms.status == Delivery.FAILED and "手机号码格式不正确" in sms.last_error and sender.sent == []
    assert Notification.objects.filter(user=personas.county, kind=NoticeKind.UNDELIVERED).exists()


def test_a_sender_that_hangs_is_timed_out_and_retried(personas, sender):
    sender.hanging = True
    f.make_child(actor=personas.dir_a, name="独居甲", living_arrangement="alone")

    done = delivery.deliver()

    (sms,) = sms_to(personas.supervisor)
    assert done["retrying"] >= 1 and sms.status == Delivery.PENDING and "超时" in sms.last_error


def test_a_township_without_a_supervisor_passes_the_alert_to_the_county_at_once(personas, client):
    personas.supervisor.is_active = False
    personas.supervisor.save()

    f.make_child(actor=personas.dir_a, name="独居甲", living_arrangement="alone")

    item = WorkItem.objects.get(kind="alert.alone_under_16", child__name="独居甲")
    assert item.tier == Tier.COUNTY and "无在岗的儿童督导员" in item.note
    assert Notification.objects.filter(user=personas.county, item=item, channel=Channel.IN_APP).exists()
    client.force_login(personas.county)
    assert "王市镇" in client.get("/").content.decode().split('id="unstaffed-townships"')[1]
    board = client.get(reverse("insight:region", kwargs={"code": f.COUNTY})).content.decode()
    assert "王市镇" in board.split('id="unstaffed-townships"')[1]


def test_the_responsible_director_is_told_of_an_urgent_alert(personas):
    f.make_child(actor=personas.dir_a, name="独居甲", living_arrangement="alone")

    item = WorkItem.objects.get(kind="alert.alone_under_16", child__name="独居甲")
    assert Notification.objects.filter(user=personas.dir_a, item=item, channel=Channel.IN_APP).exists()


def test_the_county_and_the_bureau_get_one_digest_a_day(personas):
    f.make_child(actor=personas.dir_a, name="独居甲", living_arrangement="alone")

    assert digest.send_daily() > 0
    assert digest.send_daily() == 0  # a re-run the same day
    (note,) = Notification.objects.filter(
        user=personas.county, kind=NoticeKind.DIGEST, channel=Channel.IN_APP
    )
    assert "在办预警 1 条" in note.message
    assert Notification.objects.filter(user=personas.civil, kind=NoticeKind.DIGEST).exists()
    assert not Notification.objects.filter(user=personas.supervisor, kind=NoticeKind.DIGEST).exists()


# --- committed for real, on PostgreSQL ---------------------------------------------------------------

REFERENCE_DATA = ("children.migrations.0002_national_categories", "cases.migrations.0002_harm_types")


@pytest.fixture
def committed_world():
    load_regions(f.COUNTY)
    for module in REFERENCE_DATA:
        import_module(f"shouhu.{module}").load(apps, None)
    return f.Personas.create()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, available_apps=[c.name for c in apps.get_app_configs()])
def test_with_the_sender_failing_a_teacher_s_report_and_a_child_alone_are_saved(committed_world, sender, api):
    """Requests that commit and deliver for real (the task queue inline): the sender raises, the
    answers are 201 and 200, and the report, the child's new facts and the alert are all stored."""
    personas = committed_world
    sender.failing = True
    teacher = f.make_user("teacher", Role.TEACHER, None)

    report = api(teacher).post(
        "/api/v1/reports/",
        {
            "harm_type": "abandoned",
            "description": "孩子一个人在家，好几天没人做饭",
            "urgency": "immediate",
            "township": f.TOWNSHIP,
            "village": f.VILLAGE_B,
        },
        format="json",
    )
    changed = api(personas.dir_b).patch(
        f"/api/v1/children/{personas.child_b.pk}/", {"living_arrangement": "alone"}, format="json"
    )

    assert report.status_code == 201, report.content
    assert changed.status_code == 200, changed.content
    assert Report.objects.count() == 1
    assert Child.objects.get(pk=personas.child_b.pk).living_arrangement == "alone"
    assert Alert.objects.filter(child=personas.child_b, status=AlertStatus.OPEN).exists()
    failed_once = Notification.objects.filter(channel=Channel.SMS, attempts=1, status=Delivery.PENDING)
    assert failed_once.exists()
