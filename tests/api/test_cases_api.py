"""Find-and-intervene through the API: the county's rule settings, alerts, mandatory reports and cases —
each object scoped to the user (404 outside), refusals of what is seen but not allowed (403), the
services' errors as field errors (400), lists logged and costing the same queries whatever their
length."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from shouhu.accounts.models import Role
from shouhu.audit.models import AccessLog, Action
from shouhu.cases import services
from shouhu.cases.models import Alert, AlertStatus, Case, CaseStatus, Report, ReportStatus
from shouhu.children.services import child_update
from tests import factories as f

from .conftest import child_url

RULES = "/api/v1/rules/"
ALERTS = "/api/v1/alerts/"
REPORTS = "/api/v1/reports/"
CASES = "/api/v1/cases/"
NEEDS = {n: "良好" for n in services.NEEDS}


def url(base: str, obj_or_id, action: str = "") -> str:
    return f"{base}{getattr(obj_or_id, 'pk', obj_or_id)}/{action + '/' if action else ''}"


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def alone(personas):
    """The personas, child B now living alone: an urgent alert in village B."""
    child_update(actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"})
    return personas


def alert_of(child) -> Alert:
    return Alert.objects.get(child=child, rule="alone_under_16", status=AlertStatus.OPEN)


@pytest.fixture
def teacher(personas):
    return f.make_user("teacher", Role.TEACHER, None)


def file_report(client, **body):
    body = {
        "harm_type": "abandoned",
        "description": "孩子一个人在家，好几天没人做饭",
        "urgency": "soon",
        "township": f.TOWNSHIP,
        "village": f.VILLAGE_B,
        "child_name": "高小明",
        **body,
    }
    return client.post(REPORTS, body, format="json")


def requested_closure(case: Case, by) -> Case:
    """A high-risk case taken through every step to a request to close it."""
    services.case_step(actor=by, case=case, to=CaseStatus.ASSESSED, assessment=NEEDS)
    services.case_step(actor=by, case=case, to=CaseStatus.PLANNED, plan="每周走访，联系学校")
    services.case_step(actor=by, case=case, to=CaseStatus.IN_SERVICE)
    services.case_step(actor=by, case=case, to=CaseStatus.REVIEWED)
    return services.case_step(actor=by, case=case, to=CaseStatus.CLOSE_REQUESTED, text="父亲返乡照料")


@pytest.fixture
def case(personas) -> Case:
    return services.case_open(
        actor=personas.supervisor, child=personas.child_a, source="manual", risk_level="high"
    )


# --- rule settings --------------------------------------------------------------------------------


def test_a_supervisor_reads_the_county_s_rules(personas, api):
    response = api(personas.supervisor).get(RULES)

    assert response.status_code == 200, response.content
    rule = {r["code"]: r for r in response.json()}["alone_under_16"]
    assert (rule["county"], rule["params"], rule["enabled"]) == (f.COUNTY, {"max_age": 16}, True)
    bound = rule["bounds"][0]
    assert (bound["name"], bound["minimum"], bound["maximum"]) == ("max_age", 8, 18)


def test_county_staff_change_a_rule_parameter(personas, api):
    response = api(personas.county).patch(
        url(RULES, "alone_under_16"), {"params": {"max_age": 14}}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["params"] == {"max_age": 14}
    assert services.settings_of(f.COUNTY)["alone_under_16"].params == {"max_age": 14}


def test_a_rule_parameter_out_of_range_is_a_field_error(personas, api):
    response = api(personas.county).patch(
        url(RULES, "alone_under_16"), {"params": {"max_age": 30}}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["params"]) == ["max_age"]
    assert services.settings_of(f.COUNTY)["alone_under_16"].params == {"max_age": 16}


def test_a_supervisor_cannot_change_the_county_s_rules(personas, api):
    response = api(personas.supervisor).patch(
        url(RULES, "alone_under_16"), {"params": {"max_age": 14}}, format="json"
    )

    assert response.status_code == 404
    assert services.settings_of(f.COUNTY)["alone_under_16"].params == {"max_age": 16}


# --- alerts ---------------------------------------------------------------------------------------


def test_a_child_left_alone_appears_on_the_supervisor_s_alert_list(alone, api):
    listed = rows(api(alone.supervisor).get(ALERTS, {"status": "open", "severity": "urgent"}))

    assert [(a["child"], a["rule"]) for a in listed] == [(str(alone.child_b.pk), "alone_under_16")]


def test_the_alert_list_is_logged(alone, api):
    api(alone.supervisor).get(ALERTS)

    assert AccessLog.objects.filter(user=alone.supervisor, action=Action.LIST).exists()


def test_an_opened_alert_shows_its_facts_deadline_and_tier_and_is_logged(alone, api):
    alert = alert_of(alone.child_b)

    body = api(alone.supervisor).get(url(ALERTS, alert)).json()

    assert body["facts"]["情形"] == "独自居住"
    assert body["deadline"] is not None and body["tier"] is not None
    assert AccessLog.objects.filter(
        user=alone.supervisor, action=Action.VIEW, child_id=alone.child_b.pk
    ).exists()


def test_the_supervisor_closes_an_alert_with_a_reason(alone, api):
    alert = alert_of(alone.child_b)

    response = api(alone.supervisor).post(url(ALERTS, alert, "close"), {"reason": "已入户核实，奶奶接回"})

    assert response.status_code == 200, response.content
    alert.refresh_from_db()
    assert (alert.status, alert.close_reason, alert.closed_by) == (
        "closed",
        "已入户核实，奶奶接回",
        alone.supervisor,
    )


def test_closing_an_alert_needs_a_reason(alone, api):
    alert = alert_of(alone.child_b)

    response = api(alone.supervisor).post(url(ALERTS, alert, "close"), {"reason": " "})

    assert response.status_code == 400
    assert "reason" in response.json()
    assert alert_of(alone.child_b) == alert


def test_a_director_cannot_close_an_urgent_alert(alone, api):
    alert = alert_of(alone.child_b)

    response = api(alone.dir_b).post(url(ALERTS, alert, "close"), {"reason": "孩子说没事"})

    assert response.status_code == 403
    assert alert_of(alone.child_b) == alert


def test_a_director_of_another_village_does_not_find_the_alert(alone, api):
    alert = alert_of(alone.child_b)
    client = api(alone.dir_c)

    assert client.get(url(ALERTS, alert)).status_code == 404
    assert client.post(url(ALERTS, alert, "close"), {"reason": "无"}).status_code == 404
    assert rows(client.get(ALERTS)) == []
    assert alert_of(alone.child_b).status == AlertStatus.OPEN


def test_a_malformed_alert_id_is_not_found(alone, api):
    assert api(alone.supervisor).get(url(ALERTS, "not-a-uuid")).status_code == 404


def test_the_director_records_that_the_police_were_informed(alone, api):
    alert = alert_of(alone.child_b)

    response = api(alone.dir_b).post(url(ALERTS, alert, "mark"), {"police_informed": True}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["police_informed_at"] is not None
    assert response.json()["notice_sent_at"] is None


@pytest.mark.parametrize("extra", [0, 4])
def test_the_alert_list_costs_the_same_queries_for_few_or_many(
    personas, api, django_assert_max_num_queries, extra
):
    for i in range(extra):
        child = f.make_child(name="儿童" + "甲乙丙丁"[i], village=f.VILLAGE_B)
        child_update(actor=personas.dir_b, child=child, fields={"living_arrangement": "alone"})
    client = api(personas.county)

    with django_assert_max_num_queries(5):  # token, break-the-glass grants, count, page, log
        response = client.get(ALERTS)

    assert response.json()["count"] == extra


# --- mandatory reports ----------------------------------------------------------------------------


def test_a_teacher_files_a_report_and_gets_a_reference(teacher, api):
    response = file_report(api(teacher))

    assert response.status_code == 201, response.content
    reference = response.json()["reference"]
    assert reference.startswith(f"BG-{f.TOWNSHIP}-")
    assert Report.objects.get(reference=reference).reporter == teacher


def test_a_report_without_a_description_is_a_field_error(teacher, api):
    response = file_report(api(teacher), description=" ")

    assert response.status_code == 400
    assert "description" in response.json()
    assert not Report.objects.exists()


def test_the_reporting_teacher_sees_the_status_but_not_the_child(teacher, personas, api):
    report = Report.objects.get(pk=file_report(api(teacher)).json()["id"])
    api(personas.supervisor).post(url(REPORTS, report, "link"), {"child": str(personas.child_b.pk)})

    body = api(teacher).get(url(REPORTS, report)).json()

    assert (body["status"], body["linked"], body["child"]) == (ReportStatus.LINKED, True, None)
    assert api(teacher).get(child_url(personas.child_b)).status_code == 404


def test_the_reporting_teacher_cannot_close_the_report(teacher, api):
    report_id = file_report(api(teacher)).json()["id"]

    response = api(teacher).post(url(REPORTS, report_id, "close"), {"reason": "我弄错了"})

    assert response.status_code == 403
    assert Report.objects.get(pk=report_id).status == ReportStatus.RECEIVED


def test_the_supervisor_links_a_report_to_the_child(teacher, personas, api):
    report_id = file_report(api(teacher)).json()["id"]

    response = api(personas.supervisor).post(
        url(REPORTS, report_id, "link"), {"child": str(personas.child_b.pk)}
    )

    assert response.status_code == 200, response.content
    assert response.json()["child"] == str(personas.child_b.pk)
    assert Report.objects.get(pk=report_id).child == personas.child_b


def test_a_child_out_of_reach_cannot_be_linked(teacher, personas, api):
    report_id = file_report(api(teacher)).json()["id"]

    response = api(personas.supervisor).post(
        url(REPORTS, report_id, "link"), {"child": str(personas.child_c.pk)}
    )

    assert response.status_code == 404
    assert Report.objects.get(pk=report_id).child is None


def test_the_supervisor_makes_a_case_of_a_linked_report(teacher, personas, api):
    report_id = file_report(api(teacher)).json()["id"]
    client = api(personas.supervisor)
    client.post(url(REPORTS, report_id, "link"), {"child": str(personas.child_b.pk)})

    response = client.post(url(REPORTS, report_id, "case"), {}, format="json")

    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.child, case.source, case.report_id) == (personas.child_b, "report", uuid.UUID(report_id))
    assert Report.objects.get(pk=report_id).status == ReportStatus.CASE


def test_an_unlinked_report_cannot_become_a_case(teacher, personas, api):
    report_id = file_report(api(teacher)).json()["id"]

    response = api(personas.supervisor).post(url(REPORTS, report_id, "case"), {}, format="json")

    assert response.status_code == 400
    assert "child" in response.json()
    assert not Case.objects.exists()


def test_a_director_of_another_township_does_not_find_the_report(teacher, personas, api):
    report_id = file_report(api(teacher)).json()["id"]

    assert api(personas.dir_c).get(url(REPORTS, report_id)).status_code == 404


# --- cases ----------------------------------------------------------------------------------------


def test_an_opened_case_shows_its_timeline_and_is_logged(case, personas, api):
    body = api(personas.dir_a).get(url(CASES, case)).json()

    assert [e["status"] for e in body["events"]] == [CaseStatus.OPENED]
    assert AccessLog.objects.filter(
        user=personas.dir_a, action=Action.VIEW, child_id=personas.child_a.pk
    ).exists()


def test_a_director_assesses_a_case(case, personas, api):
    response = api(personas.dir_a).post(
        url(CASES, case, "step"), {"to": "assessed", "assessment": NEEDS}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.ASSESSED
    assert [e["status"] for e in response.json()["events"]] == [CaseStatus.OPENED, CaseStatus.ASSESSED]


def test_an_assessment_must_cover_every_need(case, personas, api):
    response = api(personas.dir_a).post(
        url(CASES, case, "step"), {"to": "assessed", "assessment": {"safety": "良好"}}, format="json"
    )

    assert response.status_code == 400
    assert "assessment" in response.json()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPENED


def test_a_case_closure_is_approved_by_someone_else(case, personas, api):
    requested_closure(case, personas.supervisor)

    response = api(personas.county).post(url(CASES, case, "approve"))

    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.CLOSED


def test_nobody_approves_their_own_request_to_close(case, personas, api):
    requested_closure(case, personas.supervisor)

    response = api(personas.supervisor).post(url(CASES, case, "approve"))

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSE_REQUESTED


def test_a_director_of_another_village_does_not_find_the_case(case, personas, api):
    client = api(personas.dir_b)

    assert client.get(url(CASES, case)).status_code == 404
    assert client.post(url(CASES, case, "step"), {"to": "assessed"}, format="json").status_code == 404
    assert rows(client.get(CASES)) == []


@pytest.mark.parametrize("extra", [0, 4])
def test_the_case_list_costs_the_same_queries_for_few_or_many(
    personas, api, django_assert_max_num_queries, extra
):
    for i in range(extra):
        child = f.make_child(name="儿童" + "甲乙丙丁"[i], village=f.VILLAGE_B)
        services.case_open(actor=personas.county, child=child, source="manual", risk_level="medium")
    client = api(personas.county)

    with django_assert_max_num_queries(8):  # token, glass grants, count, page, events, users, tasks, log
        response = client.get(CASES)

    assert response.json()["count"] == extra


def test_a_director_adds_a_task_with_a_deadline_and_marks_it_done(case, personas, api):
    client = api(personas.dir_a)
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(url(CASES, case, "tasks"), {"title": "联系学校", "due_on": due}, format="json")
    assert response.status_code == 201, response.content
    [task] = response.json()["tasks"]
    assert task["title"].startswith("联系学校") and task["responsible"] == str(personas.dir_a.pk)
    assert task["status"] == "open" and task["tier"] == 0
    done = client.post(url(CASES, case, "tasks/done"), {"task": task["id"], "note": "已返校"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["tasks"][0]["status"] == "done"


def test_a_task_for_someone_outside_the_childs_territory_is_a_field_error(case, personas, api):
    response = api(personas.dir_a).post(
        url(CASES, case, "tasks"),
        {"title": "走访", "due_on": timezone.localdate().isoformat(), "responsible": str(personas.dir_b.pk)},
        format="json",
    )
    assert response.status_code == 400 and "responsible" in response.json()
