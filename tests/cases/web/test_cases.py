"""个案: the lifecycle opened → assessed → planned → in service → reviewed → close requested → closed,
one form per step, approval of a high-risk closure by someone else, and the timeline."""

import pytest
from django.urls import reverse

from shouhu.cases import services
from shouhu.cases.models import Case, CaseStatus
from tests.web.conftest import error_next_to

NEEDS = {
    "assess-safety": "住房安全",
    "assess-guardianship": "奶奶照料，能力一般",
    "assess-health": "健康",
    "assess-education": "在校",
    "assess-psychology": "想念父母",
    "assess-livelihood": "低保",
}


def case_url(case, action: str = "") -> str:
    return reverse(f"cases:case{'_' + action if action else ''}", kwargs={"case_id": case.pk})


@pytest.fixture
def high_case(personas):
    return services.case_open(
        actor=personas.dir_a, child=personas.child_a, source="manual", risk_level="high"
    )


def walk_to_close_request(client, case):
    step = case_url(case, "step")
    for data in (
        {"to": "assessed", **NEEDS},
        {"to": "planned", "plan-plan": "每周走访；申请临时救助（刘云，本月内）"},
        {"to": "in_service", "in_service-text": "第一次家访"},
        {"to": "reviewed", "reviewed-text": "情况好转"},
        {"to": "close_requested", "close_requested-text": "母亲返乡照料"},
    ):
        response = client.post(step, data)
        assert response.status_code == 302, response.content.decode()[:2000]


def test_the_director_walks_a_case_to_the_closure_request_and_each_step_is_on_the_timeline(
    personas, signed_in, high_case
):
    client = signed_in(personas.dir_a)

    walk_to_close_request(client, high_case)

    high_case.refresh_from_db()
    assert high_case.status == CaseStatus.CLOSE_REQUESTED
    assert high_case.assessment["psychology"] == "想念父母" and high_case.outcome == "母亲返乡照料"
    html = client.get(case_url(high_case)).content.decode()
    timeline = html[html.index('<ol class="timeline">') :]
    for label in ("已立案", "已评估", "已制定计划", "服务跟进中", "已复核", "待审批结案"):
        assert label in timeline
    assert "刘云" in timeline


def test_closing_a_high_risk_case_needs_another_persons_approval(personas, signed_in, high_case):
    director = signed_in(personas.dir_a)
    walk_to_close_request(director, high_case)

    assert "批准结案</button>" not in director.get(case_url(high_case)).content.decode()
    refused = director.post(case_url(high_case, "approve"), follow=True)
    assert "结案须由督导员或县级工作人员审批。" in refused.content.decode()
    high_case.refresh_from_db()
    assert high_case.status == CaseStatus.CLOSE_REQUESTED

    supervisor = signed_in(personas.supervisor)
    assert "批准结案</button>" in supervisor.get(case_url(high_case)).content.decode()
    supervisor.post(case_url(high_case, "approve"))

    high_case.refresh_from_db()
    assert high_case.status == CaseStatus.CLOSED and high_case.closed_by == personas.supervisor


def test_a_supervisor_cannot_approve_her_own_closure_request(personas, signed_in):
    case = services.case_open(
        actor=personas.supervisor, child=personas.child_a, source="manual", risk_level="high"
    )
    client = signed_in(personas.supervisor)
    walk_to_close_request(client, case)

    response = client.post(case_url(case, "approve"), follow=True)

    assert "不能审批自己提交的结案申请。" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSE_REQUESTED


def test_an_assessment_missing_a_need_is_refused_next_to_that_need(personas, signed_in, high_case):
    data = {"to": "assessed", **NEEDS, "assess-livelihood": ""}

    response = signed_in(personas.dir_a).post(case_url(high_case, "step"), data)

    assert response.status_code == 200
    assert error_next_to(response, "id_assess-livelihood").startswith("请填写这一方面的评估")
    assert error_next_to(response, "id_assess-safety") == ""
    high_case.refresh_from_db()
    assert high_case.status == CaseStatus.OPENED


def test_asking_to_close_without_an_outcome_is_refused_next_to_the_field(personas, signed_in, high_case):
    client = signed_in(personas.dir_a)
    walk = [
        {"to": "assessed", **NEEDS},
        {"to": "planned", "plan-plan": "计划"},
        {"to": "in_service"},
        {"to": "reviewed"},
    ]
    for data in walk:
        client.post(case_url(high_case, "step"), data)

    response = client.post(
        case_url(high_case, "step"), {"to": "close_requested", "close_requested-text": " "}
    )

    assert error_next_to(response, "id_close_requested-text") == "结案须填写结案情况。"


@pytest.mark.parametrize("persona", ["dir_b", "dir_c", "social_worker"])
def test_a_case_out_of_reach_is_404(personas, signed_in, high_case, persona):
    client = signed_in(getattr(personas, persona))

    assert client.get(case_url(high_case)).status_code == 404
    assert client.post(case_url(high_case, "step"), {"to": "assessed", **NEEDS}).status_code == 404
    assert client.post(case_url(high_case, "approve")).status_code == 404
    assert personas.child_a.name not in client.get(reverse("cases:cases")).content.decode()
    high_case.refresh_from_db()
    assert high_case.status == CaseStatus.OPENED


def test_a_mentor_reads_the_case_of_her_paired_child_but_cannot_move_it(personas, signed_in, high_case):
    client = signed_in(personas.mentor)

    html = client.get(case_url(high_case)).content.decode()
    client.post(case_url(high_case, "step"), {"to": "assessed", **NEEDS})

    assert 'name="to"' not in html
    high_case.refresh_from_db()
    assert high_case.status == CaseStatus.OPENED


def test_an_editor_opens_a_case_from_the_childs_file(personas, signed_in):
    client = signed_in(personas.dir_a)
    new = reverse("cases:case_new", kwargs={"pk": personas.child_a.pk})
    assert new in client.get(reverse("children:detail", kwargs={"pk": personas.child_a.pk})).content.decode()

    response = client.post(new, {"risk_level": "medium", "parties": "学校", "note": "情绪低落"})

    case = Case.objects.get(child=personas.child_a)
    assert response["Location"] == case_url(case)
    assert (case.source, case.risk_level, case.parties, case.opened_by) == (
        "manual",
        "medium",
        ["学校"],
        personas.dir_a,
    )


@pytest.mark.parametrize("persona", ["mentor", "civil", "dir_c"])
def test_only_those_who_may_change_the_file_open_a_case(personas, signed_in, persona):
    client = signed_in(getattr(personas, persona))
    new = reverse("cases:case_new", kwargs={"pk": personas.child_a.pk})

    assert client.get(new).status_code == 404
    assert client.post(new, {"risk_level": "high"}).status_code == 404
    assert not Case.objects.exists()


def test_the_case_list_shows_open_cases_first_and_filters_by_status(personas, signed_in, high_case):
    closed = services.case_open(
        actor=personas.dir_b, child=personas.child_b, source="manual", risk_level="low"
    )
    for to, extra in (
        ("assessed", {"assessment": {n: "无" for n in services.NEEDS}}),
        ("planned", {"plan": "p"}),
        ("in_service", {}),
        ("reviewed", {}),
        ("close_requested", {"text": "好转"}),
    ):
        services.case_step(actor=personas.dir_b, case=closed, to=to, **extra)
    client = signed_in(personas.supervisor)

    assert [c.pk for c in client.get(reverse("cases:cases")).context["page"]] == [high_case.pk]
    assert [c.pk for c in client.get(reverse("cases:cases"), {"status": ""}).context["page"]] == [
        high_case.pk,
        closed.pk,
    ]
