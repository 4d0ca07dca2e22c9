"""The responses a rule asks for as tasks with deadlines, the climb to the civil-affairs bureau, and the
batch path that evaluates many children in a few queries with the same outcome as one at a time."""

import datetime as dt

import pytest

from shouhu.cases import services
from shouhu.cases.models import Alert, AlertStatus
from shouhu.children import services as child_services
from shouhu.children.models import Child
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Notification, Status, Tier
from tests import clock
from tests import factories as f

TODAY = clock.TODAY


def alone(personas, name="独居娃"):
    return f.make_child(actor=personas.dir_a, name=name, living_arrangement="alone")


def test_an_urgent_alert_asks_for_the_police_report_and_the_written_notice_with_deadlines(personas):
    alert = Alert.objects.get(child=alone(personas), rule="alone_under_16")
    tasks = {t.kind: t for t in services.alert_tasks(alert)}
    assert set(tasks) == {"alert_task.police_informed", "alert_task.notice_sent"}
    police = tasks["alert_task.police_informed"]
    assert police.due_at - alert.opened_at == pytest.approx(
        dt.timedelta(hours=24), abs=dt.timedelta(seconds=5)
    )
    assert police.responsible == personas.dir_a and police.status == Status.OPEN

    services.alert_mark(actor=personas.dir_a, alert=alert, police_informed=True)
    police.refresh_from_db()
    assert police.status == Status.DONE and alert.police_informed_at is not None
    assert tasks["alert_task.notice_sent"].__class__.objects.get(
        pk=tasks["alert_task.notice_sent"].pk
    ).status == (Status.OPEN)


def test_closing_the_alert_cancels_its_open_tasks_with_the_reason(personas):
    alert = Alert.objects.get(child=alone(personas), rule="alone_under_16")
    services.alert_mark(actor=personas.dir_a, alert=alert, police_informed=True)
    services.alert_close(actor=personas.supervisor, alert=alert, reason="登记有误，儿童与祖父母同住")
    states = {t.kind: (t.status, t.note) for t in services.alert_tasks(alert)}
    assert states["alert_task.police_informed"][0] == Status.DONE
    status, note = states["alert_task.notice_sent"]
    assert status == Status.CANCELLED and "登记有误" in note


def test_an_out_of_school_alert_asks_to_notify_the_school_and_urge_the_guardian(personas):
    child_services.child_update(
        actor=personas.dir_b, child=personas.child_b, fields={"schooling": "dropped_out"}
    )
    alert = Alert.objects.get(child=personas.child_b, rule="out_of_school")
    assert {t.kind for t in services.alert_tasks(alert)} == {
        "alert_task.school_notified",
        "alert_task.guardian_urged",
    }
    services.alert_mark(actor=personas.dir_b, alert=alert, school_notified=True)
    alert.refresh_from_db()
    assert alert.school_notified_at is not None


def test_an_urgent_alert_nobody_answers_reaches_the_civil_affairs_bureau(personas):
    alert = Alert.objects.get(child=alone(personas), rule="alone_under_16")
    item = alert.work_item
    assert item.tier == Tier.TOWNSHIP  # at once
    escalation.escalate(now=item.bureau_at - dt.timedelta(minutes=1))
    item.refresh_from_db()
    assert item.tier == Tier.COUNTY
    assert not Notification.objects.filter(item=item, user=personas.civil).exists()
    result = escalation.escalate(now=item.bureau_at + dt.timedelta(minutes=1))
    item.refresh_from_db()
    assert item.tier == Tier.BUREAU and result["to_bureau"] >= 1
    assert Notification.objects.filter(item=item, user=personas.civil, tier=Tier.BUREAU).exists()
    # Once there, a re-run moves and sends nothing more.
    again = escalation.escalate(now=item.bureau_at + dt.timedelta(hours=1))
    assert again["to_bureau"] == 0


def test_a_visit_item_never_goes_past_the_county(personas):
    from shouhu.escalation.models import WorkItem

    assert not WorkItem.objects.filter(kind="visit", bureau_at__isnull=False).exists()


# The batch path ------------------------------------------------------------------------------------


def _register(personas, n, **fields):
    return [
        f.make_child(
            actor=personas.dir_a,
            name="批量" + "甲乙丙丁戊己庚辛壬癸子丑寅卯"[i],
            living_arrangement="grandparents",
            **fields,
        )
        for i in range(n)
    ]


def test_the_batch_reads_a_page_of_children_in_the_same_few_queries_whatever_their_number(
    personas, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few, many = _register(personas, 2), _register(personas, 12)
    counts = []
    for group in (few, many):
        with CaptureQueriesContext(connection) as ctx:
            result = services.evaluate_children(children=Child.objects.filter(pk__in=[c.pk for c in group]))
        assert result["children"] == len(group) and result["opened"] == 0
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_batch_opens_and_closes_what_one_at_a_time_would(personas):
    """Time alone changes facts: children out of school whose 16th birthday passed overnight lose the
    (self-closing) out-of-school alert in the nightly batch; newly dropped-out children gain one."""
    birthday = TODAY + dt.timedelta(days=1)
    turning = [
        f.make_child(
            actor=personas.dir_a,
            name="将满十六" + "甲乙丙"[i],
            birth_date=birthday.replace(year=birthday.year - 16),
            schooling="dropped_out",
        )
        for i in range(3)
    ]
    assert Alert.objects.filter(child__in=turning, rule="out_of_school", status=AlertStatus.OPEN).count() == 3
    # A sheet imported without firing rules (bulk), to be evaluated by the batch path.
    dropped = _register(personas, 2)
    Child.objects.filter(pk__in=[c.pk for c in dropped]).update(schooling="dropped_out")

    result = services.evaluate_children(
        children=Child.objects.filter(pk__in=[c.pk for c in turning + dropped]), on=birthday
    )
    assert result == {"children": 5, "opened": 2, "closed": 3}
    closed = Alert.objects.filter(child__in=turning, rule="out_of_school")
    assert all(a.status == AlertStatus.CLOSED and a.close_reason for a in closed)
    assert Alert.objects.filter(child__in=dropped, rule="out_of_school", status=AlertStatus.OPEN).count() == 2
    # Run again, as an import passes them (a list of ids): one alert per open situation, no duplicate.
    again = services.evaluate_children(children=[c.pk for c in turning + dropped], on=birthday)
    assert again == {"children": 5, "opened": 0, "closed": 0}
    assert Alert.objects.filter(child__in=dropped, rule="out_of_school").count() == 2


def test_the_batch_and_one_child_read_the_same_facts(personas):
    child = f.make_child(
        actor=personas.dir_a,
        name="同一事实",
        schooling="dropped_out",
        parents={"father": {"situation": "imprisoned"}, "mother": {"situation": "migrant"}},
    )
    one = services.facts_of(child, on=TODAY)
    many = services.facts_for([child.pk, personas.child_b.pk], on=TODAY)
    assert many[child.pk][0] == one
    assert {p.situation for p in one.parents} == {"imprisoned", "migrant"}
