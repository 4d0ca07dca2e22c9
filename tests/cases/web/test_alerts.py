"""预警: the open alerts of my jurisdiction, most severe and oldest first, with the facts that fired
them and their deadline; recording the responses the law asks for; closing by a supervisor."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shouhu.audit.models import AccessLog, Action
from shouhu.cases.models import Alert, AlertStatus
from shouhu.children import services as child_services
from tests import factories as f

from .conftest import record_alone

ALERTS = reverse("cases:alerts")


def listed(response) -> list:
    """The alerts the list shows, home by home."""
    return [alert for group in response.context["groups"] for alert in group.rows]


def alert_url(alert) -> str:
    return reverse("cases:alert", kwargs={"alert_id": alert.pk})


def test_a_child_recorded_alone_shows_on_the_supervisors_alerts_with_its_deadline(personas, signed_in):
    alert = record_alone(personas.dir_b, personas.child_b)

    response = signed_in(personas.supervisor).get(ALERTS)

    assert response.status_code == 200
    html = response.content.decode()
    at = html.index(f'id="alert-{alert.pk}"')
    home = html[html.rindex('<li class="alert-group', 0, at) : at]
    assert "高小明" in home  # the child heads the group of the home's alerts
    row = html[at:]
    row = row[: row.index("</li>")]
    assert "16周岁以下儿童独居或无人照料" in row
    assert "情形：独自居住" in row
    due = timezone.localtime(alert.work_item.due_at).strftime("%Y-%m-%d %H:%M")
    assert f"须在 {due} 前处置" in row
    assert "紧急" in row and "当前督办：乡镇级" in row


def test_the_menu_counts_the_open_urgent_alerts(personas, signed_in):
    record_alone(personas.dir_b, personas.child_b)

    html = signed_in(personas.supervisor).get(reverse("home")).content.decode()

    assert f'href="{ALERTS}">预警 <span class="count"' in html


def test_the_most_severe_come_first_then_the_oldest(personas, signed_in):
    child_services.child_update(
        actor=personas.dir_a, child=personas.child_a, fields={"schooling": "dropped_out"}
    )
    older = record_alone(personas.dir_b, personas.child_b)
    Alert.objects.filter(pk=older.pk).update(opened_at=timezone.now() - dt.timedelta(hours=5))
    newer = record_alone(personas.dir_a, personas.child_a)

    page = listed(signed_in(personas.supervisor).get(ALERTS))

    assert [(a.child.name, a.rule) for a in page] == [
        ("高小明", "alone_under_16"),
        ("梦巧", "alone_under_16"),
        ("梦巧", "out_of_school"),
    ]
    assert newer.severity == "urgent"


def test_the_severity_filter_narrows_the_list(personas, signed_in):
    child_services.child_update(
        actor=personas.dir_a, child=personas.child_a, fields={"schooling": "dropped_out"}
    )
    record_alone(personas.dir_b, personas.child_b)

    page = listed(signed_in(personas.supervisor).get(ALERTS, {"severity": "medium"}))

    assert [a.rule for a in page] == ["out_of_school"]


def test_a_passed_deadline_is_shown_in_red(personas, signed_in):
    alert = record_alone(personas.dir_b, personas.child_b)
    alert.work_item.due_at = timezone.now() - dt.timedelta(hours=1)
    alert.work_item.save()

    html = signed_in(personas.supervisor).get(ALERTS).content.decode()

    assert 'class="due late">已超时：' in html


def test_a_director_of_another_township_sees_neither_the_list_entry_nor_the_alert(personas, signed_in):
    alert = record_alone(personas.dir_b, personas.child_b)
    client = signed_in(personas.dir_c)

    assert "高小明" not in client.get(ALERTS).content.decode()
    assert client.get(alert_url(alert)).status_code == 404
    assert (
        client.post(
            reverse("cases:alert_mark", kwargs={"alert_id": alert.pk}), {"mark": "police_informed"}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("cases:alert_close", kwargs={"alert_id": alert.pk}), {"reason": "x"}).status_code
        == 404
    )
    alert.refresh_from_db()
    assert alert.police_informed_at is None and alert.status == AlertStatus.OPEN


def test_the_alert_says_what_the_rule_asks_for_and_leads_to_a_visit(personas, signed_in):
    alert = record_alone(personas.dir_b, personas.child_b)

    html = signed_in(personas.dir_b).get(alert_url(alert)).content.decode()

    assert "24小时内入户走访；通知乡镇督导员；记录已向公安机关报告；向父母发出督促监护告知书" in html
    assert reverse("visits:visit_new", kwargs={"pk": personas.child_b.pk}) in html
    assert "紧急和高风险预警不会因修改档案而自动解除" in html


def test_opening_an_alert_is_logged_against_the_child(personas, signed_in):
    alert = record_alone(personas.dir_b, personas.child_b)

    signed_in(personas.dir_b).get(alert_url(alert))

    assert AccessLog.objects.filter(
        user=personas.dir_b, action=Action.VIEW, child_id=personas.child_b.pk
    ).exists()


def test_the_director_records_that_the_police_were_told(personas, signed_in):
    alert = record_alone(personas.dir_b, personas.child_b)

    response = signed_in(personas.dir_b).post(
        reverse("cases:alert_mark", kwargs={"alert_id": alert.pk}), {"mark": "police_informed"}, follow=True
    )

    alert.refresh_from_db()
    assert alert.police_informed_at is not None and alert.notice_sent_at is None
    assert "已记录：已报告公安机关。" in response.content.decode()


def test_a_director_cannot_close_an_urgent_alert(personas, signed_in):
    alert = record_alone(personas.dir_b, personas.child_b)
    client = signed_in(personas.dir_b)

    assert 'name="reason"' not in client.get(alert_url(alert)).content.decode()
    response = client.post(
        reverse("cases:alert_close", kwargs={"alert_id": alert.pk}), {"reason": "已好转"}, follow=True
    )

    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert "紧急和高风险预警须经走访确认或由督导员解除。" in response.content.decode()


def test_the_supervisor_closes_an_urgent_alert_with_a_reason(personas, signed_in):
    alert = record_alone(personas.dir_b, personas.child_b)
    client = signed_in(personas.supervisor)
    close = reverse("cases:alert_close", kwargs={"alert_id": alert.pk})

    refused = client.post(close, {"reason": " "}, follow=True)
    assert "解除预警须说明原因。" in refused.content.decode()
    client.post(close, {"reason": "已安置到亲属家"})

    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.close_reason == "已安置到亲属家"
    assert alert.closed_by == personas.supervisor


@pytest.mark.parametrize("persona", ["dir_a", "dir_c"])
def test_an_empty_alerts_page_says_so(personas, signed_in, persona):
    record_alone(personas.dir_b, personas.child_b)

    html = signed_in(getattr(personas, persona)).get(ALERTS).content.decode()

    assert "辖区内没有未解除的预警。" in html


def test_listing_alerts_is_logged(personas, signed_in):
    record_alone(personas.dir_b, personas.child_b)

    signed_in(personas.supervisor).get(ALERTS)

    assert AccessLog.objects.filter(user=personas.supervisor, action=Action.LIST, path=ALERTS).exists()


def test_the_county_filters_by_township(personas, signed_in):
    record_alone(personas.dir_b, personas.child_b)
    record_alone(personas.dir_c, personas.child_c)

    page = listed(signed_in(personas.county).get(ALERTS, {"region": f.OTHER_TOWNSHIP}))

    assert [a.child.name for a in page] == ["程建国"]


def test_the_menu_badge_equals_the_number_the_list_shows(personas, signed_in):
    child_services.child_update(
        actor=personas.dir_a, child=personas.child_a, fields={"schooling": "dropped_out"}
    )
    record_alone(personas.dir_a, personas.child_a)
    record_alone(personas.dir_b, personas.child_b)
    client = signed_in(personas.supervisor)

    response = client.get(ALERTS)

    shown = len(listed(response))
    assert shown == response.context["total"] == 3
    html = response.content.decode()
    menu = html[html.index(f'href="{ALERTS}"') :]
    assert menu[: menu.index("</a>")].endswith(
        f'预警 <span class="count" title="未解除的预警">{shown}</span>'
    )


def test_a_childs_alerts_are_one_group_with_their_count(personas, signed_in):
    child_services.child_update(
        actor=personas.dir_a, child=personas.child_a, fields={"schooling": "dropped_out"}
    )
    record_alone(personas.dir_a, personas.child_a)
    record_alone(personas.dir_b, personas.child_b)

    response = signed_in(personas.supervisor).get(ALERTS)

    groups = response.context["groups"]
    assert [(g.children[0].name, g.count) for g in groups] == [("梦巧", 2), ("高小明", 1)] or [
        (g.children[0].name, g.count) for g in groups
    ] == [("高小明", 1), ("梦巧", 2)]
    assert "2 条预警" in response.content.decode()
    assert response.context["page"].paginator.count == 2  # homes, paged


def test_each_alert_says_what_clears_it(personas, signed_in):
    alert = record_alone(personas.dir_b, personas.child_b)

    html = signed_in(personas.supervisor).get(ALERTS).content.decode()

    row = html[html.index(f'id="alert-{alert.pk}"') :]
    row = row[: row.index("</li>")]
    assert "入户走访见到儿童并确认安全、有人照料即解除" in row
    assert f'href="{alert_url(alert)}" role="button"' in row


def test_the_alert_list_pages_by_home(personas, signed_in, monkeypatch):
    from shouhu.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    record_alone(personas.dir_a, personas.child_a)
    record_alone(personas.dir_b, personas.child_b)
    client = signed_in(personas.supervisor)

    first, second = listed(client.get(ALERTS)), listed(client.get(ALERTS, {"page": 2}))

    assert len(first) == len(second) == 1 and first[0].pk != second[0].pk
