"""The visits module through the API: visits with idempotent submission, work items and their
reassignment, notifications, quarterly investigations, children's homes and their sessions, and the
county's visit policy — each object scoped to the user (404 outside), refusals of what is seen but not
allowed (403), the services' errors as field errors (400), lists logged and costing the same queries
whatever their length."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from shouhu.audit.models import AccessLog, Action
from shouhu.escalation import services as escalation
from shouhu.escalation.models import Notification, Status, WorkItem
from shouhu.visits import investigations, selectors, services
from shouhu.visits.models import ActivitySession, ChildrensHome, Investigation, Visit, VisitPolicy
from tests import clock
from tests import factories as f

VISITS = "/api/v1/visits/"
WORK = "/api/v1/work/"
NOTIFICATIONS = "/api/v1/notifications/"
INVESTIGATIONS = "/api/v1/investigations/"
HOMES = "/api/v1/homes/"
SESSIONS = "/api/v1/sessions/"
TODAY = clock.TODAY
YEAR, QUARTER = TODAY.year, (TODAY.month - 1) // 3 + 1


def url(base: str, obj_or_id, action: str = "") -> str:
    return f"{base}{getattr(obj_or_id, 'pk', obj_or_id)}/{action + '/' if action else ''}"


def policy_url(code: str = f.COUNTY) -> str:
    return f"/api/v1/visit-policies/{code}/"


@pytest.fixture
def work(personas):
    """The personas with every visit schedule derived for today."""
    services.schedules_refresh()
    return personas


def director_item(child) -> WorkItem:
    return WorkItem.objects.get(child=child, kind=services.DIRECTOR_VISIT, status=Status.OPEN)


def record(client, child, key: str | None = None, **body):
    body = {"child": str(getattr(child, "pk", child)), "visited_on": TODAY.isoformat(), **body}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(VISITS, body, format="json", **headers)


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- recording visits -----------------------------------------------------------------------------


def test_a_director_records_a_visit(work, api):
    response = record(api(work.dir_a), work.child_a, notes="奶奶在家")

    assert response.status_code == 201, response.content
    visit = Visit.objects.get(pk=response.json()["id"])
    assert (visit.child, visit.visitor, visit.notes) == (work.child_a, work.dir_a, "奶奶在家")


def test_a_recorded_visit_completes_the_due_visit(work, api):
    item = director_item(work.child_a)

    record(api(work.dir_a), work.child_a)

    item.refresh_from_db()
    assert item.status == Status.DONE


def test_a_failed_attempt_is_recorded_as_failed(work, api):
    body = record(api(work.dir_a), work.child_a, outcome="locked").json()

    assert body["failed"] is True and body["saw_child"] is False


def test_a_replayed_submission_stores_one_visit_and_answers_with_the_first(work, api):
    client = api(work.dir_a)

    first = record(client, work.child_a, key="form-1", notes="第一次")
    again = record(client, work.child_a, key="form-1", notes="第二次")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["notes"] == "第一次"
    assert Visit.objects.count() == 1


def test_a_submission_key_reused_for_another_child_is_a_field_error(work, api):
    record(api(work.dir_a), work.child_a, key="form-1")

    response = record(api(work.supervisor), work.child_b, key="form-1")

    assert response.status_code == 400
    assert "idempotency_key" in response.json()
    assert Visit.objects.count() == 1


def test_a_visit_dated_in_the_future_is_a_field_error(work, api):
    response = record(api(work.dir_a), work.child_a, visited_on=(TODAY + dt.timedelta(days=1)).isoformat())

    assert response.status_code == 400
    assert "visited_on" in response.json()
    assert not Visit.objects.exists()


def test_a_visit_dated_before_the_child_was_born_is_a_field_error(work, api):
    before = work.child_a.birth_date - dt.timedelta(days=1)

    response = record(api(work.dir_a), work.child_a, visited_on=before.isoformat())

    assert response.status_code == 400
    assert "visited_on" in response.json()


def test_an_unknown_outcome_is_a_field_error(work, api):
    response = record(api(work.dir_a), work.child_a, outcome="maybe")

    assert response.status_code == 400
    assert "outcome" in response.json()


def test_a_visit_to_a_child_outside_my_jurisdiction_is_404(work, api):
    response = record(api(work.dir_c), work.child_a)

    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_a_visit_to_a_child_that_does_not_exist_is_404(work, api):
    assert record(api(work.county), uuid.uuid4()).status_code == 404


def test_a_mentor_may_not_record_a_visit_to_the_paired_child(work, api):
    response = record(api(work.mentor), work.child_a)

    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_facts_seen_on_a_visit_update_the_child_s_file(work, api):
    response = record(api(work.dir_a), work.child_a, facts={"parents": {"father": {"situation": "at_home"}}})

    assert response.status_code == 201, response.content
    assert not work.child_a.categories.filter(category_id="left_behind").exists()


def test_facts_with_a_bad_choice_are_field_errors_under_facts_and_nothing_is_saved(work, api):
    response = record(api(work.dir_a), work.child_a, facts={"fields": {"schooling": "university"}})

    assert response.status_code == 400
    assert "schooling" in response.json()["facts"]["fields"]
    assert not Visit.objects.exists()


def test_facts_naming_a_field_not_in_the_file_are_refused(work, api):
    response = record(api(work.dir_a), work.child_a, facts={"fields": {"region_code": "110101"}})

    assert response.status_code == 400
    assert "region_code" in response.json()["facts"]["fields"]


def test_facts_the_registry_refuses_come_back_under_the_parent_and_nothing_is_saved(work, api):
    # Out of contact, without the date of last contact.
    facts = {"parents": {"father": {"situation": "out_of_contact", "situation_since": None}}}

    response = record(api(work.dir_a), work.child_a, facts=facts)

    assert response.status_code == 400
    assert "situation_since" in response.json()["facts"]["parents"]["father"]
    assert not Visit.objects.exists()


# --- reading visits -------------------------------------------------------------------------------


@pytest.fixture
def visited(work):
    """One visit to each child, by their directors."""
    for director, child in (
        (work.dir_a, work.child_a),
        (work.dir_b, work.child_b),
        (work.dir_c, work.child_c),
    ):
        services.visit_record(actor=director, child=child, data={"visited_on": TODAY - dt.timedelta(days=3)})
    return work


def visited_names(response) -> set[str]:
    return {row["child_name"] for row in rows(response)}


def test_a_director_lists_the_visits_of_her_village(visited, api):
    assert visited_names(api(visited.dir_a).get(VISITS)) == {"梦巧"}


def test_a_supervisor_lists_the_visits_of_the_township(visited, api):
    assert visited_names(api(visited.supervisor).get(VISITS)) == {"梦巧", "高小明"}


def test_the_visit_list_filters_by_child(visited, api):
    response = api(visited.county).get(VISITS, {"child": str(visited.child_b.pk)})

    assert visited_names(response) == {"高小明"}


def test_the_visit_list_filters_by_dates(visited, api):
    services.visit_record(actor=visited.dir_a, child=visited.child_a, data={"visited_on": TODAY})

    response = api(visited.dir_a).get(
        VISITS, {"visited_from": TODAY.isoformat(), "visited_to": TODAY.isoformat()}
    )

    assert [row["visited_on"] for row in rows(response)] == [TODAY.isoformat()]


def test_a_malformed_child_filter_is_a_field_error(visited, api):
    response = api(visited.county).get(VISITS, {"child": "not-a-uuid"})

    assert response.status_code == 400
    assert "child" in response.json()


def test_the_visit_list_is_logged(visited, api):
    api(visited.dir_a).get(VISITS)

    assert AccessLog.objects.get(user=visited.dir_a).action == Action.LIST


def test_opening_a_visit_is_logged_with_the_child(visited, api):
    visit = Visit.objects.get(child=visited.child_a)

    response = api(visited.dir_a).get(url(VISITS, visit))

    assert response.json()["child_name"] == "梦巧"
    log = AccessLog.objects.get(user=visited.dir_a)
    assert (log.action, log.child_id) == (Action.VIEW, visited.child_a.pk)


def test_a_visit_outside_my_jurisdiction_is_404(visited, api):
    visit = Visit.objects.get(child=visited.child_a)

    assert api(visited.dir_c).get(url(VISITS, visit)).status_code == 404


def test_a_malformed_visit_id_is_404(visited, api):
    assert api(visited.county).get(url(VISITS, "not-a-uuid")).status_code == 404


@pytest.mark.parametrize("extra", [2, 12])
def test_the_visit_list_costs_the_same_queries_for_few_or_many(
    visited, api, django_assert_max_num_queries, extra
):
    for day in range(extra):
        Visit.objects.create(
            child=visited.child_a,
            region_code=f.VILLAGE_A,
            visitor=visited.dir_a,
            visited_on=TODAY - dt.timedelta(day),
        )
    client = api(visited.county)

    with django_assert_max_num_queries(5):  # token, break-the-glass grants, count, page, log
        response = client.get(VISITS)

    assert response.json()["count"] == 3 + extra


# --- work items -----------------------------------------------------------------------------------


def work_children(response) -> set[str]:
    return {row["child_name"] for row in rows(response) if row["kind"].startswith("visit.")}


def test_a_director_lists_the_due_visits_of_her_village(work, api):
    assert work_children(api(work.dir_a).get(WORK)) == {"梦巧"}


def test_a_director_of_another_township_sees_none_of_them(work, api):
    assert "梦巧" not in work_children(api(work.dir_c).get(WORK))


def test_a_work_item_names_the_child_the_place_and_the_responsible(work, api):
    row = next(r for r in rows(api(work.dir_a).get(WORK)) if r["kind"] == services.DIRECTOR_VISIT)

    assert (row["child"], row["region"], row["region_name"]) == (
        str(work.child_a.pk),
        f.VILLAGE_A,
        "前潘村村民委员会",
    )
    assert (row["responsible"], row["responsible_name"]) == (str(work.dir_a.pk), "刘云")
    assert (row["tier"], row["status"], row["overdue"], row["days_overdue"]) == (0, "open", False, 0)


def test_mine_leaves_out_what_others_answer_for(work, api):
    response = api(work.supervisor).get(WORK, {"mine": "true"})

    assert work_children(response) == set()


def test_mine_includes_what_was_handed_to_me_from_another_village(work, api):
    escalation.item_reassign(actor=work.supervisor, item=director_item(work.child_a), to=work.dir_b)

    response = api(work.dir_b).get(WORK, {"mine": "true"})

    assert work_children(response) == {"梦巧", "高小明"}


def test_an_overdue_item_says_by_how_many_days(work, api):
    WorkItem.objects.filter(pk=director_item(work.child_a).pk).update(
        due_at=timezone.now() - dt.timedelta(days=3, hours=1)
    )

    response = api(work.dir_a).get(WORK, {"overdue": "true"})

    (row,) = [r for r in rows(response) if r["kind"] == services.DIRECTOR_VISIT]
    assert (row["overdue"], row["days_overdue"]) == (True, 3)


def test_the_overdue_filter_leaves_out_what_is_not_yet_due(work, api):
    assert work_children(api(work.dir_a).get(WORK, {"overdue": "true"})) == set()


def test_the_region_filter_narrows_to_a_village(work, api):
    assert work_children(api(work.supervisor).get(WORK, {"region": f.VILLAGE_B})) == {"高小明"}


def test_the_kind_filter(work, api):
    response = api(work.county).get(WORK, {"kind": services.DIRECTOR_VISIT})

    assert {row["kind"] for row in rows(response)} == {services.DIRECTOR_VISIT}


def test_due_before_leaves_out_what_is_due_later(work, api):
    noon = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(12)))
    WorkItem.objects.filter(pk=director_item(work.child_a).pk).update(due_at=noon)
    WorkItem.objects.filter(pk=director_item(work.child_b).pk).update(due_at=noon + dt.timedelta(days=1))

    response = api(work.supervisor).get(WORK, {"due_before": TODAY.isoformat()})

    assert work_children(response) == {"梦巧"}


def test_done_items_are_left_out_unless_asked_for(work, api):
    services.visit_record(actor=work.dir_a, child=work.child_a, data={"visited_on": TODAY})

    assert "梦巧" not in work_children(api(work.dir_a).get(WORK))
    assert work_children(api(work.dir_a).get(WORK, {"status": "done"})) == {"梦巧"}


def test_the_work_list_is_logged(work, api):
    api(work.dir_a).get(WORK)

    assert AccessLog.objects.get(user=work.dir_a).action == Action.LIST


@pytest.mark.parametrize("extra", [2, 12])
def test_the_work_list_costs_the_same_queries_for_few_or_many(
    work, api, django_assert_max_num_queries, extra
):
    for i in range(extra):
        f.make_child(name="儿童" + "甲乙丙丁戊己庚辛壬癸子丑"[i], village=f.VILLAGE_B)
    services.schedules_refresh()
    client = api(work.county)

    with django_assert_max_num_queries(5):  # token, count, page, region names, log
        response = client.get(WORK)

    assert response.json()["count"] >= 3 + extra


def test_a_supervisor_hands_a_visit_to_the_neighbouring_director(work, api):
    item = director_item(work.child_a)

    response = api(work.supervisor).post(
        url(WORK, item, "reassign"), {"responsible": str(work.dir_b.pk)}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["responsible"] == str(work.dir_b.pk)
    item.refresh_from_db()
    assert item.responsible == work.dir_b


def test_a_director_who_sees_the_item_may_not_reassign_it(work, api):
    item = director_item(work.child_a)

    response = api(work.dir_a).post(
        url(WORK, item, "reassign"), {"responsible": str(work.dir_b.pk)}, format="json"
    )

    assert response.status_code == 403
    item.refresh_from_db()
    assert item.responsible == work.dir_a


def test_reassigning_to_a_worker_of_another_township_is_a_field_error(work, api):
    item = director_item(work.child_a)

    response = api(work.supervisor).post(
        url(WORK, item, "reassign"), {"responsible": str(work.dir_c.pk)}, format="json"
    )

    assert response.status_code == 400
    assert "responsible" in response.json()


def test_reassigning_to_nobody_known_is_a_field_error(work, api):
    item = director_item(work.child_a)

    response = api(work.supervisor).post(
        url(WORK, item, "reassign"), {"responsible": str(uuid.uuid4())}, format="json"
    )

    assert response.status_code == 400
    assert "responsible" in response.json()


def test_an_item_outside_my_territory_cannot_be_reassigned_and_is_404(work, api):
    item = director_item(work.child_a)

    response = api(work.dir_c).post(
        url(WORK, item, "reassign"), {"responsible": str(work.dir_c.pk)}, format="json"
    )

    assert response.status_code == 404


# --- notifications --------------------------------------------------------------------------------


@pytest.fixture
def notified(work):
    """child_a's visit missed long enough to reach the township supervisor."""
    item = director_item(work.child_a)
    escalation.escalate(now=item.township_at + dt.timedelta(minutes=1))
    return work


def test_the_supervisor_sees_the_escalation_notice(notified, api):
    (row,) = [
        r for r in rows(api(notified.supervisor).get(NOTIFICATIONS)) if r["child"] == str(notified.child_a.pk)
    ]

    assert "梦巧" in row["message"] and row["read"] is False


def test_nobody_else_sees_my_notifications(notified, api):
    supervisor_s = {
        str(pk) for pk in Notification.objects.filter(user=notified.supervisor).values_list("pk", flat=True)
    }
    assert rows(api(notified.dir_b).get(NOTIFICATIONS)) == []
    assert not {row["id"] for row in rows(api(notified.dir_a).get(NOTIFICATIONS))} & supervisor_s


def test_the_responsible_director_hears_that_the_visit_went_up(notified, api):
    (row,) = rows(api(notified.dir_a).get(NOTIFICATIONS))
    assert (
        "梦巧" in row["message"]
        and row["tier"] == 0
        and row["item"] == str(director_item(notified.child_a).pk)
    )


def at_every_edge():
    """A mid-month day and each date that breaks schedules, the test's clock moved to it."""
    moments = {"mid-month": clock.NOW, **clock.EDGES}
    return [pytest.param(m, marks=pytest.mark.time_machine(m), id=name) for name, m in moments.items()]


@pytest.mark.parametrize("moment", at_every_edge())
def test_a_notification_is_marked_read(moment, notified, api):
    """Marking one notice read takes it, and only it, off the unread list, whatever else reached the
    supervisor that night (on 31 December a monthly and a yearly visit fall due together)."""
    mine = Notification.objects.filter(user=notified.supervisor, channel="in_app")
    note = mine.get(item=director_item(notified.child_a))
    others = {str(pk) for pk in mine.exclude(pk=note.pk).values_list("pk", flat=True)}

    response = api(notified.supervisor).post(url(NOTIFICATIONS, note, "read"))

    assert response.status_code == 200 and response.json()["read"] is True
    unread = {row["id"] for row in rows(api(notified.supervisor).get(NOTIFICATIONS, {"unread": "true"}))}
    assert unread == others


def test_someone_else_s_notification_is_404(notified, api):
    note = Notification.objects.filter(user=notified.supervisor, channel="in_app").first()

    assert api(notified.county).post(url(NOTIFICATIONS, note, "read")).status_code == 404


@pytest.mark.parametrize("extra", [2, 12])
def test_the_notification_list_costs_the_same_queries_for_few_or_many(
    notified, api, django_assert_max_num_queries, extra
):
    item = director_item(notified.child_a)
    for i in range(extra):
        other = WorkItem.objects.create(
            key=f"extra-{i}",
            kind="test",
            title=f"事项{i}",
            region_code=f.VILLAGE_A,
            child=notified.child_a,
            due_at=item.due_at,
            township_at=item.township_at,
            county_at=item.county_at,
        )
        Notification.objects.create(
            user=notified.supervisor, item=other, tier=1, channel="in_app", message="x"
        )
    client = api(notified.supervisor)

    with django_assert_max_num_queries(4):  # token, count, page with the items, log
        response = client.get(NOTIFICATIONS)

    assert response.json()["count"] >= 1 + extra


# --- investigations -------------------------------------------------------------------------------


def open_quarter(client, **body):
    body = {"county": f.COUNTY, "year": YEAR, "quarter": QUARTER, **body}
    return client.post(INVESTIGATIONS, body, format="json")


@pytest.fixture
def opened(personas):
    investigation = investigations.investigation_open(
        actor=personas.county, county_code=f.COUNTY, year=YEAR, quarter=QUARTER, all_children=True
    )
    personas.investigation = investigation
    return personas


def test_the_county_opens_the_quarter_s_investigation(personas, api):
    response = open_quarter(api(personas.county), all_children=True)

    assert response.status_code == 201, response.content
    investigation = Investigation.objects.get(pk=response.json()["id"])
    assert investigation.items.count() == 3


def test_opening_the_same_quarter_twice_is_a_field_error(personas, api):
    client = api(personas.county)
    open_quarter(client)

    response = open_quarter(client)

    assert response.status_code == 400
    assert "quarter" in response.json()
    assert Investigation.objects.count() == 1


def test_a_quarter_out_of_range_is_a_field_error(personas, api):
    response = open_quarter(api(personas.county), quarter=5)

    assert response.status_code == 400 and "quarter" in response.json()


def test_a_supervisor_may_not_open_an_investigation(personas, api):
    assert open_quarter(api(personas.supervisor)).status_code == 403
    assert not Investigation.objects.exists()


@pytest.mark.parametrize("persona", ["dir_a", "dir_c", "supervisor", "county"])
def test_everyone_working_in_the_county_lists_its_investigations(opened, api, persona):
    assert [row["id"] for row in rows(api(getattr(opened, persona)).get(INVESTIGATIONS))] == [
        str(opened.investigation.pk)
    ]


@pytest.mark.parametrize("quarters", [1, 4])
def test_the_investigation_list_costs_the_same_queries_for_few_or_many(
    personas, api, django_assert_max_num_queries, quarters
):
    for quarter in range(1, quarters + 1):
        investigations.investigation_open(
            actor=personas.county, county_code=f.COUNTY, year=YEAR, quarter=quarter
        )
    client = api(personas.dir_a)

    with django_assert_max_num_queries(4):  # token, count, page with the counties, log
        response = client.get(INVESTIGATIONS)

    assert response.json()["count"] == quarters


def test_a_mentor_lists_no_investigation(opened, api):
    assert rows(api(opened.mentor).get(INVESTIGATIONS)) == []


def test_a_mentor_cannot_open_an_investigation_s_page(opened, api):
    assert api(opened.mentor).get(url(INVESTIGATIONS, opened.investigation)).status_code == 404


def test_the_progress_counts_only_the_townships_of_my_territory(opened, api):
    body = api(opened.supervisor).get(url(INVESTIGATIONS, opened.investigation)).json()

    assert body["progress"] == [{"area": f.TOWNSHIP, "name": "王市镇", "total": 2, "checked": 0}]
    assert body["summary"] is None


def test_the_progress_by_village(opened, api):
    body = api(opened.county).get(url(INVESTIGATIONS, opened.investigation), {"by": "village"}).json()

    assert {row["area"] for row in body["progress"]} == {f.VILLAGE_A, f.VILLAGE_B, f.VILLAGE_C}


def test_a_director_lists_the_check_items_of_her_village(opened, api):
    response = api(opened.dir_a).get(url(INVESTIGATIONS, opened.investigation, "items"))

    assert [row["child_name"] for row in rows(response)] == ["梦巧"]
    assert AccessLog.objects.get(user=opened.dir_a).action == Action.LIST


def test_the_check_items_filter_by_status(opened, api):
    item = opened.investigation.items.get(child=opened.child_b)
    investigations.investigation_check(actor=opened.dir_b, item=item)

    response = api(opened.county).get(
        url(INVESTIGATIONS, opened.investigation, "items"), {"status": "confirmed"}
    )

    assert [row["child_name"] for row in rows(response)] == ["高小明"]


@pytest.mark.parametrize("extra", [2, 12])
def test_the_check_items_cost_the_same_queries_for_few_or_many(
    personas, api, django_assert_max_num_queries, extra
):
    for i in range(extra):
        f.make_child(name="儿童" + "甲乙丙丁戊己庚辛壬癸子丑"[i], village=f.VILLAGE_B)
    investigation = investigations.investigation_open(
        actor=personas.county, county_code=f.COUNTY, year=YEAR, quarter=QUARTER, all_children=True
    )
    client = api(personas.county)

    with django_assert_max_num_queries(5):  # token, investigation, count, page, log
        response = client.get(url(INVESTIGATIONS, investigation, "items"))

    assert response.json()["count"] == 3 + extra


def test_a_director_confirms_a_child_s_situation(opened, api):
    item = opened.investigation.items.get(child=opened.child_a)

    response = api(opened.dir_a).post(
        url("/api/v1/investigation-items/", item, "check"), {"note": "无变化"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["note"]) == ("confirmed", "无变化")


def test_a_check_with_changes_updates_the_child_and_reclassifies(opened, api):
    item = opened.investigation.items.get(child=opened.child_a)
    changes = {"parents": {"mother": {"situation": "at_home"}}}

    response = api(opened.dir_a).post(
        url("/api/v1/investigation-items/", item, "check"), {"changes": changes}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["categories_after"]) == ("updated", [])


def test_a_check_the_registry_refuses_is_a_field_error_under_changes(opened, api):
    item = opened.investigation.items.get(child=opened.child_a)
    changes = {"carer": {"name": "王秀英", "relation": "grandparent", "birth_date": TODAY.isoformat()}}

    response = api(opened.dir_a).post(
        url("/api/v1/investigation-items/", item, "check"), {"changes": changes}, format="json"
    )

    assert response.status_code == 400
    assert "birth_date" in response.json()["changes"]["carer"]
    item.refresh_from_db()
    assert item.status == "pending"


def test_a_check_item_of_another_village_is_404(opened, api):
    item = opened.investigation.items.get(child=opened.child_a)

    response = api(opened.dir_c).post(url("/api/v1/investigation-items/", item, "check"), {}, format="json")

    assert response.status_code == 404


def test_a_civil_affairs_official_sees_the_items_but_may_not_check_them(opened, api):
    item = opened.investigation.items.get(child=opened.child_a)

    response = api(opened.civil).post(url("/api/v1/investigation-items/", item, "check"), {}, format="json")

    assert response.status_code == 403


def test_the_county_closes_the_investigation_with_its_summary(opened, api):
    response = api(opened.county).post(url(INVESTIGATIONS, opened.investigation, "close"))

    assert response.status_code == 200, response.content
    assert set(response.json()["summary"]["townships"]) == {f.TOWNSHIP, f.OTHER_TOWNSHIP}


def test_the_summary_is_cut_to_my_territory(opened, api):
    investigations.investigation_close(actor=opened.county, investigation=opened.investigation)

    summary = api(opened.supervisor).get(url(INVESTIGATIONS, opened.investigation)).json()["summary"]

    assert set(summary["townships"]) == {f.TOWNSHIP}
    assert set(summary["rescue"]) <= {f.VILLAGE_A, f.VILLAGE_B}


def test_a_supervisor_may_not_close_the_investigation(opened, api):
    assert api(opened.supervisor).post(url(INVESTIGATIONS, opened.investigation, "close")).status_code == 403


def test_closing_twice_is_a_field_error(opened, api):
    client = api(opened.county)
    client.post(url(INVESTIGATIONS, opened.investigation, "close"))

    response = client.post(url(INVESTIGATIONS, opened.investigation, "close"))

    assert response.status_code == 400 and "status" in response.json()


def test_a_check_after_closing_is_a_field_error(opened, api):
    investigations.investigation_close(actor=opened.county, investigation=opened.investigation)
    item = opened.investigation.items.get(child=opened.child_a)

    response = api(opened.dir_a).post(url("/api/v1/investigation-items/", item, "check"), {}, format="json")

    assert response.status_code == 400 and "status" in response.json()


# --- children's homes and their sessions ----------------------------------------------------------


def add_home(client, village=f.VILLAGE_A, name="前潘村儿童之家"):
    return client.post(HOMES, {"village": village, "name": name}, format="json")


@pytest.fixture
def home(personas):
    return ChildrensHome.objects.create(village_id=f.VILLAGE_A, name="前潘村儿童之家")


def test_a_director_registers_her_village_s_children_s_home(personas, api):
    response = add_home(api(personas.dir_a))

    assert response.status_code == 201, response.content
    assert response.json()["village_name"] == "前潘村村民委员会"


def test_a_home_in_another_village_is_a_field_error(personas, api):
    response = add_home(api(personas.dir_a), village=f.VILLAGE_B)

    assert response.status_code == 400 and "village" in response.json()
    assert not ChildrensHome.objects.exists()


def test_a_second_home_in_a_village_is_a_field_error(home, api, personas):
    response = add_home(api(personas.dir_a), name="第二个")

    assert response.status_code == 400 and "village" in response.json()


def test_a_mentor_may_not_register_a_home(personas, api):
    assert add_home(api(personas.mentor)).status_code == 403


def test_homes_are_listed_within_my_territory(home, api, personas):
    assert [row["name"] for row in rows(api(personas.supervisor).get(HOMES))] == ["前潘村儿童之家"]
    assert rows(api(personas.dir_c).get(HOMES)) == []


@pytest.mark.parametrize("villages", [1, 6])
def test_the_home_list_costs_the_same_queries_for_few_or_many(
    personas, api, django_assert_max_num_queries, villages
):
    from shouhu.regions.models import Region

    for code in Region.objects.filter(code__startswith=f.TOWNSHIP, level=5).values_list("code", flat=True)[
        :villages
    ]:
        ChildrensHome.objects.create(village_id=code, name=f"儿童之家{code[-3:]}")
    client = api(personas.county)

    with django_assert_max_num_queries(4):  # token, count, page with the villages, log
        response = client.get(HOMES)

    assert response.json()["count"] == villages


def test_a_home_outside_my_territory_is_404(home, api, personas):
    assert api(personas.dir_c).get(url(HOMES, home)).status_code == 404


def hold_session(client, home, key=None, **body):
    body = {
        "home": str(home.pk),
        "held_on": TODAY.isoformat(),
        "topic": "防溺水安全教育",
        "leader": "刘云",
        **body,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(SESSIONS, body, format="json", **headers)


def test_a_director_records_a_session_with_its_attendees(home, api, personas):
    response = hold_session(api(personas.dir_a), home, attendees=[str(personas.child_a.pk)])

    assert response.status_code == 201, response.content
    assert response.json()["children"] == [{"id": str(personas.child_a.pk), "name": "梦巧"}]
    assert response.json()["attendee_count"] == 1


def test_a_replayed_session_is_stored_once(home, api, personas):
    client = api(personas.dir_a)

    first = hold_session(client, home, key="s-1")
    again = hold_session(client, home, key="s-1", topic="别的")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert ActivitySession.objects.count() == 1


def test_a_session_in_the_future_is_a_field_error(home, api, personas):
    response = hold_session(api(personas.dir_a), home, held_on=(TODAY + dt.timedelta(days=2)).isoformat())

    assert response.status_code == 400 and "held_on" in response.json()


def test_an_attendee_outside_my_jurisdiction_is_a_field_error(home, api, personas):
    response = hold_session(api(personas.dir_a), home, attendees=[str(personas.child_c.pk)])

    assert response.status_code == 400 and "attendees" in response.json()
    assert not ActivitySession.objects.exists()


def test_a_session_at_a_home_outside_my_territory_is_404(home, api, personas):
    assert hold_session(api(personas.dir_c), home).status_code == 404


def test_a_session_lists_only_the_attendees_i_may_see(home, api, personas):
    hold_session(
        api(personas.supervisor), home, attendees=[str(personas.child_a.pk), str(personas.child_b.pk)]
    )

    (row,) = rows(api(personas.dir_a).get(SESSIONS))

    assert [c["name"] for c in row["children"]] == ["梦巧"]
    assert row["attendee_count"] == 2


@pytest.mark.parametrize("extra", [2, 12])
def test_the_session_list_costs_the_same_queries_for_few_or_many(
    home, api, personas, django_assert_max_num_queries, extra
):
    client = api(personas.dir_a)
    for i in range(extra):
        hold_session(
            client,
            home,
            held_on=(TODAY - dt.timedelta(days=i)).isoformat(),
            attendees=[str(personas.child_a.pk)],
        )

    with django_assert_max_num_queries(6):  # token, granted children, count, page, attendees, log
        response = client.get(SESSIONS)

    assert response.json()["count"] == extra


# --- the county's visit policy --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["dir_c", "supervisor", "county", "civil"])
def test_anyone_working_in_the_county_reads_its_policy(personas, api, persona):
    body = api(getattr(personas, persona)).get(policy_url()).json()

    assert (body["county"], body["county_name"], body["listed_months"]) == (f.COUNTY, "利辛县", 1)


def test_reading_a_policy_never_changed_stores_nothing(personas, api):
    VisitPolicy.objects.all().delete()

    body = api(personas.county).get(policy_url()).json()

    assert body["others_months"] == 12
    assert not VisitPolicy.objects.exists()


@pytest.mark.parametrize("code", ["341621", "3416", "not-a-code"])
def test_a_county_outside_my_jurisdiction_or_no_county_is_404(personas, api, code):
    assert api(personas.county).get(policy_url(code)).status_code == 404


def test_a_mentor_cannot_read_a_policy(personas, api):
    assert api(personas.mentor).get(policy_url()).status_code == 404


def test_the_county_changes_its_policy(personas, api):
    response = api(personas.county).patch(
        policy_url(), {"others_months": 6, "phone_counts": True}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["others_months"], response.json()["phone_counts"]) == (6, True)
    assert selectors.policy_of(f.COUNTY).others_months == 6


def test_a_supervisor_may_not_change_the_policy(personas, api):
    response = api(personas.supervisor).patch(policy_url(), {"others_months": 6}, format="json")

    assert response.status_code == 403
    assert selectors.policy_of(f.COUNTY).others_months == 12


def test_invalid_policy_values_are_field_errors(personas, api):
    response = api(personas.county).patch(
        policy_url(), {"listed_months": 0, "township_after_days": 30, "county_after_days": 20}, format="json"
    )

    assert response.status_code == 400
    assert {"listed_months", "county_after_days"} <= set(response.json())
    assert not VisitPolicy.objects.filter(listed_months=0).exists()


def test_a_policy_value_of_the_wrong_type_is_a_field_error(personas, api):
    response = api(personas.county).patch(policy_url(), {"urgent_hours": "soon"}, format="json")

    assert response.status_code == 400 and "urgent_hours" in response.json()
