"""Mandatory reports and the case lifecycle."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouhu.accounts import access
from shouhu.accounts.models import Role
from shouhu.cases import reports, services
from shouhu.cases.models import Alert, Case, CaseStatus, ChildRisk, Report, ReportStatus
from shouhu.escalation.models import Notification, Tier
from tests import clock
from tests import factories as f

NOW = clock.NOW


@pytest.fixture
def teacher(personas):
    return f.make_user("teacher", Role.TEACHER, None, full_name="王老师")


def file(actor, **kw):
    data = dict(
        harm_type="abandoned",
        description="三个孩子一个月没来上学，家里锁门。",
        seen_at=NOW,
        urgency="immediate",
        township=f.TOWNSHIP,
    )
    data.update(kw)
    return reports.report_file(actor=actor, **data)


def test_a_report_gets_a_reference_at_once_and_reaches_the_township(personas, teacher):
    report = file(teacher, village=f.VILLAGE_B)
    assert report.reference.startswith(f"BG-{f.TOWNSHIP}-")
    report.work_item.refresh_from_db()
    assert report.work_item.tier == Tier.TOWNSHIP
    assert Notification.objects.filter(item=report.work_item, user=personas.supervisor).exists()
    assert report in access.reports_visible_to(teacher)  # the reporter sees its status
    assert report in access.reports_visible_to(personas.supervisor)
    assert report not in access.reports_visible_to(personas.dir_c)


def test_a_report_with_no_identifiable_child_is_kept_unlinked(personas, teacher):
    report = file(teacher)
    assert report.child is None and report.status == ReportStatus.RECEIVED
    assert Report.objects.filter(pk=report.pk).exists()


def test_a_report_by_someone_outside_the_childs_jurisdiction_grants_no_access(personas, teacher):
    file(teacher, child_id_number=personas.child_b.id_number or "", child_name="高小明", village=f.VILLAGE_B)
    assert not access.can_view(teacher, personas.child_b)


def test_a_report_by_id_number_is_linked_at_once(personas, teacher):
    number = f.id_number_for(dt.date(2014, 3, 3))
    child = f.make_child(
        actor=personas.dir_b,
        village=f.VILLAGE_B,
        name="有号码",
        birth_date=dt.date(2014, 3, 3),
        id_number=number,
    )
    report = file(teacher, child_id_number=number)
    assert report.child == child and report.status == ReportStatus.LINKED


def test_the_supervisor_links_by_name_and_birth_date_and_makes_it_a_case(personas, teacher):
    report = file(
        teacher, child_name="高小明", child_birth_date=personas.child_b.birth_date, village=f.VILLAGE_B
    )
    assert list(reports.candidates(user=personas.supervisor, report=report)) == [personas.child_b]
    reports.report_link(actor=personas.supervisor, report=report, child=personas.child_b)
    case = reports.report_to_case(actor=personas.supervisor, report=report, parties=["公安机关"])
    assert case.child == personas.child_b and case.source == "report"
    report.refresh_from_db()
    assert report.status == ReportStatus.CASE


def test_a_director_cannot_triage_and_closing_needs_a_reason(personas, teacher):
    report = file(teacher)
    with pytest.raises(PermissionDenied):
        reports.report_close(actor=personas.dir_a, report=report, reason="误报")
    with pytest.raises(ValidationError):
        reports.report_close(actor=personas.supervisor, report=report, reason="")
    reports.report_close(actor=personas.supervisor, report=report, reason="核实为误报")


@pytest.mark.parametrize(
    ("field", "value"),
    [("harm_type", "nope"), ("description", " "), ("township", "341623999"), ("child_id_number", "123")],
)
def test_bad_reports_are_refused_with_the_field(personas, teacher, field, value):
    with pytest.raises(ValidationError) as exc:
        file(teacher, **{field: value})
    assert field in exc.value.message_dict


def test_a_report_of_a_child_lured_into_crime_opens_a_case_with_police_and_school(personas, teacher):
    report = file(teacher, harm_type="lured", child_name="高小明", village=f.VILLAGE_B)
    reports.report_link(actor=personas.supervisor, report=report, child=personas.child_b)
    alert = Alert.objects.get(child=personas.child_b, rule="lured_into_crime")
    case = Case.objects.get(alert=alert)
    assert case.parties == ["公安机关", "学校"]


NEEDS = {n: "已评估" for n in services.NEEDS}


def walk_to_close_request(case, actor):
    services.case_step(actor=actor, case=case, to=CaseStatus.ASSESSED, assessment=NEEDS)
    services.case_step(actor=actor, case=case, to=CaseStatus.PLANNED, plan="每周走访；申请临时救助")
    services.case_step(actor=actor, case=case, to=CaseStatus.IN_SERVICE, text="第一次家访")
    services.case_step(actor=actor, case=case, to=CaseStatus.REVIEWED, text="复核")
    services.case_step(actor=actor, case=case, to=CaseStatus.CLOSE_REQUESTED, text="母亲返乡照料")


def test_a_high_risk_case_closes_only_with_someone_elses_approval(personas):
    case = services.case_open(
        actor=personas.dir_a, child=personas.child_a, source="manual", risk_level="high"
    )
    walk_to_close_request(case, personas.dir_a)
    assert case.status == CaseStatus.CLOSE_REQUESTED
    with pytest.raises(PermissionDenied):
        services.case_approve_closure(actor=personas.dir_a, case=case)
    services.case_approve_closure(actor=personas.supervisor, case=case)
    assert case.status == CaseStatus.CLOSED
    assert [e.status for e in case.events.all()][-1] == CaseStatus.CLOSED


def test_a_supervisor_cannot_approve_her_own_request(personas):
    case = services.case_open(
        actor=personas.supervisor, child=personas.child_a, source="manual", risk_level="high"
    )
    walk_to_close_request(case, personas.supervisor)
    with pytest.raises(PermissionDenied, match="自己"):
        services.case_approve_closure(actor=personas.supervisor, case=case)


def test_closing_without_an_outcome_and_skipping_steps_are_refused(personas):
    case = services.case_open(
        actor=personas.dir_a, child=personas.child_a, source="manual", risk_level="medium"
    )
    with pytest.raises(ValidationError):
        services.case_step(actor=personas.dir_a, case=case, to=CaseStatus.CLOSE_REQUESTED, text="x")
    with pytest.raises(ValidationError):
        services.case_step(
            actor=personas.dir_a, case=case, to=CaseStatus.ASSESSED, assessment={"safety": "ok"}
        )
    services.case_step(actor=personas.dir_a, case=case, to=CaseStatus.ASSESSED, assessment=NEEDS)
    services.case_step(actor=personas.dir_a, case=case, to=CaseStatus.PLANNED, plan="计划")
    services.case_step(actor=personas.dir_a, case=case, to=CaseStatus.IN_SERVICE)
    services.case_step(actor=personas.dir_a, case=case, to=CaseStatus.REVIEWED)
    with pytest.raises(ValidationError):
        services.case_step(actor=personas.dir_a, case=case, to=CaseStatus.CLOSE_REQUESTED, text=" ")
    services.case_step(actor=personas.dir_a, case=case, to=CaseStatus.CLOSE_REQUESTED, text="情况稳定")
    assert case.status == CaseStatus.CLOSED  # a medium-risk case closes without approval


def test_an_open_case_raises_the_childs_risk_level(personas):
    services.case_open(actor=personas.dir_a, child=personas.child_a, source="manual", risk_level="high")
    assert ChildRisk.objects.get(child=personas.child_a).level == "high"
