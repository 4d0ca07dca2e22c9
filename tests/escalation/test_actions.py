"""Every piece of work leads to the page where it is done and says what clears it: work items of every
kind, the urgent alert's response tasks, notifications — on the pages and in the API alike."""

import uuid

import pytest
from django.urls import resolve, reverse

from shouhu.cases.models import Alert
from shouhu.children import services as child_services
from shouhu.escalation import actions
from shouhu.escalation.models import Notification, Status, WorkItem
from shouhu.visits import services as visit_services
from tests.api.conftest import api  # noqa: F401

WORK = reverse("visits:work")
ID = uuid.UUID("5b74bccf-f187-4e49-aee5-0a58652030ff")  # fixed: test ids are the same in every process

KINDS = [
    ("visit.director", f"visit:{ID}:director:2026-11-01", "visits:visit_new"),
    ("visit.county", f"visit:{ID}:county:2026-01-01", "visits:visit_new"),
    ("visit.urgent", f"visit:{ID}:urgent:2026-11-18", "visits:visit_new"),
    ("home.session", f"home:{ID}:2026-11-16", "visits:homes"),
    ("crosscheck.dropout", f"crosscheck:xc:dropout:{ID}:2026:{ID}", "crosschecks:differences"),
    ("alert_task.police_informed", f"alert-task:{ID}:police_informed", "cases:alert"),
    ("alert_task.notice_sent", f"alert-task:{ID}:notice_sent", "cases:alert"),
    ("case_task", f"case-task:{ID}:{uuid.UUID(int=1)}", "cases:case"),
    ("report.triage", f"report:{ID}", "cases:report"),
    ("referral.respond", f"referral:{ID}", "referrals:detail"),
    ("quarterly.resubmit", f"quarterly:341623110:2026Q3:resubmit:{ID}", "quarterly:report"),
]


@pytest.mark.parametrize(("kind", "key", "page"), KINDS)
def test_every_kind_of_item_leads_to_its_page_and_says_what_clears_it(kind, key, page):
    action = actions.item_action(WorkItem(kind=kind, key=key, child_id=ID))

    assert resolve(action.url.partition("#")[0]).view_name == page
    assert action.label and action.clears


def alone(personas):
    child_services.child_update(
        actor=personas.dir_a, child=personas.child_a, fields={"living_arrangement": "alone"}
    )
    return Alert.objects.get(child=personas.child_a, rule="alone_under_16")


def test_the_urgent_alerts_police_report_is_a_button_to_record_it(personas, client):
    alert = alone(personas)
    client.force_login(personas.dir_a)

    html = client.get(WORK).content.decode()

    task = WorkItem.objects.get(kind="alert_task.police_informed", key__contains=str(alert.pk))
    row = html[html.index(f'id="item-{task.pk}"') :]
    row = row[: row.index("</li>")]
    target = reverse("cases:alert", kwargs={"alert_id": alert.pk}) + "#mark-police_informed"
    assert f'<a role="button" class="go" href="{target}">记录已报告公安机关</a>' in row
    assert "向公安机关报告后，在预警页点“已报告公安机关”即完成。" in row
    # The alert itself leads to its page too.
    own = WorkItem.objects.get(pk=alert.work_item_id)
    assert actions.item_action(own).url == reverse("cases:alert", kwargs={"alert_id": alert.pk})
    # … and the alert page has the button there.
    page = client.get(target.partition("#")[0]).content.decode()
    assert 'id="mark-police_informed"' in page


def test_a_notification_links_to_the_work_it_is_about(personas, client):
    alert = alone(personas)  # urgent: the township hears of it at once
    note = Notification.objects.filter(
        user=personas.supervisor, item_id=alert.work_item_id, channel="in_app"
    ).first()
    assert note is not None
    client.force_login(personas.supervisor)

    html = client.get(WORK).content.decode()

    url = actions.notice_action(note).url
    assert url.startswith(reverse("cases:alert", kwargs={"alert_id": alert.pk}))
    assert f'<a href="{url}">{note.message}</a>' in html
    # The notices come after the supervisor's view of the villages.
    assert html.index('class="notes"') > html.index('class="area"')


def test_a_director_with_an_overdue_visit_sees_its_button_and_what_clears_it(work, client):
    from tests.visits.web.conftest import late_item

    item = late_item(work.child_a, work.dir_a, days=37)
    client.force_login(work.dir_a)

    html = client.get(WORK).content.decode()

    row = html[html.index(f'id="item-{item.pk}"') :]
    row = row[: row.index("</li>")]
    assert "逾期 37 天" in row
    assert reverse("visits:visit_new", kwargs={"pk": work.child_a.pk}) in row
    assert "逾期后补做的走访也算" in row


def test_the_api_gives_each_work_item_and_notification_its_action(personas, api):  # noqa: F811
    alert = alone(personas)

    items = api(personas.dir_a).get("/api/v1/work/").json()["results"]
    notes = api(personas.supervisor).get("/api/v1/notifications/").json()["results"]

    police = next(i for i in items if i["kind"] == "alert_task.police_informed")
    assert police["action"] == {
        "url": reverse("cases:alert", kwargs={"alert_id": alert.pk}) + "#mark-police_informed",
        "label": "记录已报告公安机关",
        "clears": "向公安机关报告后，在预警页点“已报告公安机关”即完成。",
    }
    assert all(n["action"]["url"] for n in notes)


@pytest.fixture
def work(personas):
    visit_services.schedules_refresh()
    return personas


def test_the_work_list_filters_by_kind(personas, client):
    alone(personas)
    visit_services.schedules_refresh()
    client.force_login(personas.dir_a)

    mine = client.get(WORK, {"kind": "alert"}).context["mine"]

    kinds = {i.kind for i in mine.overdue + mine.this_week + mine.later}
    assert kinds and all(k.startswith("alert") for k in kinds)
    assert WorkItem.objects.filter(responsible=personas.dir_a, status=Status.OPEN, kind__startswith="visit.")


def test_all_notifications_are_paged_and_filtered_by_unread(personas, client, monkeypatch):
    from shouhu.escalation import services as escalation
    from shouhu.visits import views
    from tests.visits.web.conftest import late_item

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    alone(personas)
    late_item(personas.child_a, personas.dir_a, days=10)  # past the township's time: she hears of it
    escalation.escalate()
    notes = Notification.objects.filter(user=personas.supervisor, channel="in_app")
    assert notes.count() >= 2
    first = notes.order_by("-created_at", "pk").first()
    Notification.objects.filter(pk=first.pk).update(read_at=first.created_at)
    client.force_login(personas.supervisor)
    url = reverse("visits:notifications")

    everything = client.get(url).context["page"]
    unread = client.get(url, {"unread": "1"}).context["page"]

    assert everything.paginator.count == notes.count() and everything.paginator.num_pages == notes.count()
    assert unread.paginator.count == notes.count() - 1
    html = client.get(url, {"page": 2}).content.decode()
    assert 'rel="prev"' in html and "/alerts/" in html
