"""Case tasks: the plan's measures with a responsible person and a deadline that climbs the tiers,
done or cancelled only with a trace on the case's timeline."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shouhu.cases import services
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Notification, Status, Tier
from tests import clock

TODAY = clock.TODAY


@pytest.fixture
def case(personas):
    return services.case_open(
        actor=personas.dir_a, child=personas.child_a, source="manual", risk_level="high"
    )


def test_a_task_missed_climbs_to_the_county_and_the_bureau(personas, case):
    task = services.case_task_add(
        actor=personas.supervisor,
        case=case,
        title="联系学校安排返校",
        due_on=TODAY,
        responsible=personas.dir_a,
    )
    assert task.responsible == personas.dir_a and task.tier == Tier.VILLAGE
    escalation.escalate(now=task.due_at + dt.timedelta(minutes=1))
    task.refresh_from_db()
    assert task.tier == Tier.TOWNSHIP
    assert Notification.objects.filter(item=task, user=personas.supervisor).exists()
    escalation.escalate(now=task.bureau_at + dt.timedelta(minutes=1))
    task.refresh_from_db()
    assert task.tier == Tier.BUREAU
    assert Notification.objects.filter(item=task, user=personas.civil).exists()
    assert "新增任务" in case.events.order_by("-at").first().text


def test_done_and_closing_the_case_leave_a_trace(personas, case):
    first = services.case_task_add(actor=personas.dir_a, case=case, title="申请临时救助", due_on=TODAY)
    second = services.case_task_add(actor=personas.dir_a, case=case, title="每周走访", due_on=TODAY)
    services.case_task_done(actor=personas.dir_a, case=case, item=first, note="已提交乡镇")
    first.refresh_from_db()
    assert first.status == Status.DONE and first.note == "已提交乡镇"
    assert "完成任务" in case.events.order_by("-at").first().text
    with pytest.raises(ValidationError):
        services.case_task_done(actor=personas.dir_a, case=case, item=first)
    from tests.cases.test_reports_and_cases import walk_to_close_request

    walk_to_close_request(case, personas.dir_a)
    services.case_approve_closure(actor=personas.supervisor, case=case)
    second.refresh_from_db()
    assert second.status == Status.CANCELLED and second.note


@pytest.mark.parametrize(
    ("title", "days", "field"),
    [("", 3, "title"), ("走访", -1, "due_on"), ("走访", 400, "due_on")],
)
def test_a_task_without_what_or_with_an_impossible_deadline_is_refused(personas, case, title, days, field):
    with pytest.raises(ValidationError) as exc:
        services.case_task_add(
            actor=personas.dir_a, case=case, title=title, due_on=TODAY + dt.timedelta(days=days)
        )
    assert field in exc.value.message_dict
    assert not services.case_tasks(case).exists()


def test_only_those_who_work_the_child_add_or_take_tasks(personas, case):
    with pytest.raises(PermissionDenied):
        services.case_task_add(actor=personas.dir_b, case=case, title="走访", due_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.case_task_add(
            actor=personas.dir_a, case=case, title="走访", due_on=TODAY, responsible=personas.dir_b
        )
    assert "responsible" in exc.value.message_dict


def test_the_case_page_adds_a_task_and_shows_it_red_when_late(personas, case, client):
    client.force_login(personas.dir_a)
    url = reverse("cases:case_task_add", kwargs={"case_id": case.pk})
    response = client.post(
        url, {"title": "", "due_on": TODAY.isoformat(), "responsible": str(personas.dir_a.pk)}
    )
    assert response.status_code == 200 and "请写明要做什么" in response.content.decode()
    response = client.post(
        url,
        {"title": "联系学校", "due_on": TODAY.isoformat(), "responsible": str(personas.dir_a.pk)},
        follow=True,
    )
    assert "联系学校" in response.content.decode()
    task = services.case_tasks(case).get()
    task.due_at = timezone.now() - dt.timedelta(days=1)
    task.save()
    page = client.get(reverse("cases:case", kwargs={"case_id": case.pk})).content.decode()
    assert 'class="late"' in page and "已逾期" in page
    done = reverse("cases:case_task_done", kwargs={"case_id": case.pk, "task_id": task.pk})
    client.post(done)
    task.refresh_from_db()
    assert task.status == Status.DONE
