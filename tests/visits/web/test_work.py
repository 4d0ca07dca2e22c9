"""我的工作: a director's due, overdue and done visits; overdue work per village and director for the
township, per township for the county; reassigning; notifications."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shouhu.audit.models import AccessLog, Action
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Notification, Status, WorkItem
from shouhu.visits import services
from tests import factories as f

from .conftest import late_item

WORK = reverse("visits:work")


def due_item(child):
    return WorkItem.objects.get(child=child, kind=services.DIRECTOR_VISIT, status=Status.OPEN)


def open_titles(response) -> list[str]:
    mine = response.context["mine"]
    return [i.title for i in mine.overdue + mine.this_week + mine.later]


def test_a_director_sees_her_due_visit_and_not_those_of_another_township(work, signed_in):
    response = signed_in(work.dir_a).get(WORK)

    assert response.status_code == 200
    assert "走访 梦巧" in open_titles(response)
    html = response.content.decode()
    assert reverse("visits:visit_new", kwargs={"pk": work.child_a.pk}) in html
    assert "程建国" not in html


def test_an_overdue_visit_is_marked_with_the_days_it_is_late(work, signed_in):
    late_item(work.child_a, work.dir_a, days=3)

    response = signed_in(work.dir_a).get(WORK)

    (item,) = response.context["mine"].overdue
    assert item.days_overdue == 3
    assert 'class="item overdue"' in response.content.decode()
    assert "逾期 3 天" in response.content.decode()


def test_a_visit_made_this_month_is_listed_as_done(work, signed_in):
    services.visit_record(actor=work.dir_a, child=work.child_a, data={"visited_on": timezone.localdate()})

    response = signed_in(work.dir_a).get(WORK)

    assert "走访 梦巧" not in open_titles(response)
    assert [i.title for i in response.context["mine"].done] == ["走访 梦巧"]


def test_the_work_page_logs_that_children_were_listed(work, signed_in):
    signed_in(work.dir_a).get(WORK)

    assert AccessLog.objects.filter(user=work.dir_a, action=Action.LIST, path=WORK).exists()


def test_the_supervisor_sees_overdue_work_counted_per_village_and_director(work, signed_in):
    oldest = late_item(work.child_a, work.dir_a, days=10)
    late_item(work.child_a, work.dir_a, days=3)
    late_item(work.child_b, work.dir_b, days=5)
    late_item(work.child_c, work.dir_c, days=5)  # another township

    response = signed_in(work.supervisor).get(WORK)

    rows = {(r.code, r.responsible, r.count) for r in response.context["rows"]}
    assert rows == {(f.VILLAGE_A, work.dir_a, 2), (f.VILLAGE_B, work.dir_b, 1)}
    first = response.context["rows"][0]
    assert first.oldest == oldest.due_at and first.days == 10
    html = response.content.decode()
    assert "前潘村" in html and "高寨村" in html and "程杨村" not in html


def test_the_county_sees_overdue_work_per_township(work, signed_in):
    late_item(work.child_a, work.dir_a, days=3)
    late_item(work.child_b, work.dir_b, days=3)
    late_item(work.child_c, work.dir_c, days=3)

    response = signed_in(work.county).get(WORK)

    assert {(r.code, r.count) for r in response.context["rows"]} == {(f.TOWNSHIP, 2), (f.OTHER_TOWNSHIP, 1)}


def test_the_county_drills_into_a_township_and_sees_its_villages(work, signed_in):
    late_item(work.child_a, work.dir_a, days=3)
    late_item(work.child_c, work.dir_c, days=3)

    response = signed_in(work.county).get(WORK, {"region": f.TOWNSHIP})

    assert [(r.code, r.responsible) for r in response.context["rows"]] == [(f.VILLAGE_A, work.dir_a)]


def test_the_supervisor_opens_one_village_s_list_of_items(work, signed_in):
    late = late_item(work.child_a, work.dir_a, days=3)

    response = signed_in(work.supervisor).get(WORK, {"region": f.VILLAGE_A})

    items = list(response.context["page"])
    assert items[0] == late and items[0].overdue
    assert {i.child for i in items} == {work.child_a}
    assert work.dir_b in response.context["candidates"]  # another director of the township
    assert work.dir_c not in response.context["candidates"]


def test_civil_affairs_follows_overdue_work_but_has_no_means_to_reassign_it(work, signed_in):
    late_item(work.child_a, work.dir_a, days=3)
    client = signed_in(work.civil)

    assert [(r.code, r.count) for r in client.get(WORK).context["rows"]] == [(f.TOWNSHIP, 1)]
    response = client.get(WORK, {"region": f.VILLAGE_A})
    assert len(response.context["page"].object_list) == 2  # the late visit and this month's
    assert response.context["candidates"] == []
    assert "/reassign/" not in response.content.decode()


def test_a_supervisor_reassigns_an_overdue_visit_to_another_director(work, signed_in):
    item = late_item(work.child_a, work.dir_a, days=3)
    client = signed_in(work.supervisor)

    response = client.post(
        reverse("visits:item_reassign", kwargs={"item_id": item.pk}), {"to": work.dir_b.pk}, follow=True
    )

    item.refresh_from_db()
    assert item.responsible == work.dir_b
    assert "已将“走访 梦巧”改派给 高芳" in response.content.decode()
    listed = {i.pk: i for i in response.context["page"]}
    assert listed[item.pk].responsible == work.dir_b


def test_a_director_cannot_reassign_her_visit(work, signed_in):
    item = due_item(work.child_a)

    response = signed_in(work.dir_a).post(
        reverse("visits:item_reassign", kwargs={"item_id": item.pk}), {"to": work.dir_b.pk}, follow=True
    )

    item.refresh_from_db()
    assert item.responsible == work.dir_a
    assert "您无权改派该事项。" in response.content.decode()


def test_an_item_cannot_go_to_a_worker_of_another_township(work, signed_in):
    item = due_item(work.child_a)

    response = signed_in(work.supervisor).post(
        reverse("visits:item_reassign", kwargs={"item_id": item.pk}), {"to": work.dir_c.pk}, follow=True
    )

    item.refresh_from_db()
    assert item.responsible == work.dir_a
    assert "请从列表中选择本乡镇的儿童主任或督导员。" in response.content.decode()


def test_an_item_of_another_township_is_not_found(work, signed_in):
    item = due_item(work.child_a)

    response = signed_in(work.dir_c).post(
        reverse("visits:item_reassign", kwargs={"item_id": item.pk}), {"to": work.dir_c.pk}
    )

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.responsible == work.dir_a


def test_a_director_cannot_open_the_overview_of_her_township(work, signed_in):
    assert signed_in(work.dir_a).get(WORK, {"region": f.TOWNSHIP}).status_code == 404


def test_a_supervisor_cannot_open_another_township(work, signed_in):
    assert signed_in(work.supervisor).get(WORK, {"region": f.VILLAGE_C}).status_code == 404


def test_escalation_notices_are_listed_with_the_unread_ones_marked(work, signed_in):
    item = late_item(work.child_a, work.dir_a, days=8)
    escalation.escalate(now=item.due_at + dt.timedelta(days=7, minutes=1))
    client = signed_in(work.supervisor)

    html = client.get(WORK).content.decode()

    assert "【逾期督办·乡镇级】走访 梦巧" in html
    assert html.count('<span class="badge new">未读</span>') == 1  # each notice listed once
    assert '<span class="count" title="未读通知">1</span>' in html  # in the menu


def test_marking_a_notice_read(work, signed_in):
    item = late_item(work.child_a, work.dir_a, days=8)
    escalation.escalate(now=item.due_at + dt.timedelta(days=7, minutes=1))
    note = Notification.objects.get(user=work.supervisor, channel="in_app")
    client = signed_in(work.supervisor)

    response = client.post(reverse("visits:notifications_read"), {"notification": note.pk})

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    assert '<span class="badge new">' not in client.get(WORK).content.decode()


def test_a_notice_marked_read_from_the_page_in_place_answers_with_the_notice_read(work, signed_in):
    item = late_item(work.child_a, work.dir_a, days=8)
    escalation.escalate(now=item.due_at + dt.timedelta(days=7, minutes=1))
    note = Notification.objects.get(user=work.supervisor, channel="in_app")
    client = signed_in(work.supervisor)

    response = client.post(
        reverse("visits:notifications_read"), {"notification": note.pk}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<li") and "走访 梦巧" in html
    assert "未读" not in html and "标为已读" not in html
    note.refresh_from_db()
    assert note.read_at is not None


def test_in_place_someone_else_s_notice_answers_nothing_and_stays_unread(work, signed_in):
    item = late_item(work.child_a, work.dir_a, days=8)
    escalation.escalate(now=item.due_at + dt.timedelta(days=7, minutes=1))
    note = Notification.objects.get(user=work.supervisor, channel="in_app")

    response = signed_in(work.dir_a).post(
        reverse("visits:notifications_read"), {"notification": note.pk}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 204
    note.refresh_from_db()
    assert note.read_at is None


def test_one_cannot_mark_someone_else_s_notice_read(work, signed_in):
    item = late_item(work.child_a, work.dir_a, days=8)
    escalation.escalate(now=item.due_at + dt.timedelta(days=7, minutes=1))
    note = Notification.objects.get(user=work.supervisor, channel="in_app")

    signed_in(work.dir_a).post(reverse("visits:notifications_read"), {"notification": note.pk})

    note.refresh_from_db()
    assert note.read_at is None


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_the_director_s_page_costs_the_same_queries_for_many_items(
    work, signed_in, django_assert_max_num_queries
):
    client = signed_in(work.dir_a)
    late_item(work.child_a, work.dir_a, days=3)
    few = _queries(client, WORK)
    for days in range(4, 34):
        late_item(work.child_a, work.dir_a, days=days)
    for name in ("李一", "李二", "李三", "李四", "李五"):
        f.make_child(name=name, village=f.VILLAGE_A)
    services.schedules_refresh()  # each of them is due a visit
    assert WorkItem.objects.filter(responsible=work.dir_a, status=Status.OPEN).count() == 37

    with django_assert_max_num_queries(few):
        client.get(WORK)


def test_the_supervisor_s_pages_cost_the_same_queries_for_many_items(
    work, signed_in, django_assert_max_num_queries
):
    client = signed_in(work.supervisor)
    late_item(work.child_a, work.dir_a, days=3)
    few_summary = _queries(client, WORK)
    few_list = _queries(client, WORK, {"region": f.VILLAGE_A})
    for days in range(4, 34):
        late_item(work.child_a, work.dir_a, days=days)
        late_item(work.child_b, work.dir_b, days=days)

    with django_assert_max_num_queries(few_summary):
        client.get(WORK)
    with django_assert_max_num_queries(few_list):
        client.get(WORK, {"region": f.VILLAGE_A})
