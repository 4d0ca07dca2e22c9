"""Once means once, with real concurrent requests on PostgreSQL: one report opens one case; of two
decisions on one application, referral or alert taken at the same moment, one wins and the other is
answered 409 with the record as it now is — never 500, never twice."""

import datetime as dt

import pytest
from django.utils import timezone

from shouhu import versioning
from shouhu.accounts.models import Role
from shouhu.assistance import services as assistance
from shouhu.assistance.models import Application, ApplicationStatus, AssistanceType
from shouhu.cases import reports
from shouhu.cases import services as cases
from shouhu.cases.models import Alert, AlertStatus, Case
from shouhu.children.services import child_update
from shouhu.referrals import services as referrals
from shouhu.referrals.models import Provider, ReferralStatus, ServiceType
from tests import factories as f
from tests.api.conftest import api  # noqa: F401 - the fixture
from tests.concurrency import run_together

from .conftest import concurrent, world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.postgres, concurrent]


def post_together(calls):
    """``calls``: (client, url, body) sent at once, each with the If-Match of the version read before."""
    return run_together(
        *(lambda c=c, u=u, b=b, h=h: c.post(u, b, format="json", **h) for c, u, b, h in calls)
    )


def if_match(obj) -> dict:
    return {"HTTP_IF_MATCH": versioning.etag(type(obj).objects.get(pk=obj.pk).version)}


def codes(responses) -> list[int]:
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    return sorted(r.status_code for r in responses)


def test_one_report_opens_one_case_however_many_click(world, api):  # noqa: F811
    teacher = f.make_user("teacher", Role.TEACHER, None)
    report = reports.report_file(
        actor=teacher,
        harm_type="abandoned",
        description="孩子一个人在家，好几天没人做饭",
        seen_at=timezone.now() - dt.timedelta(hours=2),
        urgency="soon",
        township=f.TOWNSHIP,
        village=f.VILLAGE_B,
    )
    reports.report_link(actor=world.supervisor, report=report, child=world.child_b)
    url = f"/api/v1/reports/{report.pk}/case/"
    clients = [api(world.supervisor), api(world.supervisor), api(world.county)]

    responses = run_together(
        *(lambda c=c: c.post(url, {"severity": "high", "parties": []}, format="json") for c in clients)
    )

    assert codes(responses) == [201, 409, 409]
    case = Case.objects.get(report=report)
    for response in responses:
        body = response.json()
        assert (body.get("current") or body)["id"] == str(case.pk)


def test_two_approvals_of_one_application_decide_once(world, api):  # noqa: F811
    colleague = f.make_user("supervisor2", Role.TOWNSHIP_SUPERVISOR, f.TOWNSHIP, full_name="赵敏")
    child = f.make_child(
        name="孙小雨",
        parents={
            "father": {
                "situation": "imprisoned",
                "situation_since": timezone.localdate() - dt.timedelta(days=400),
            },
            "mother": {
                "situation": "imprisoned",
                "situation_since": timezone.localdate() - dt.timedelta(days=400),
            },
        },
        living_arrangement="relatives",
        carer={"name": "孙桂兰", "relation": "relative"},
    )
    application = assistance.application_submit(
        actor=world.dir_a,
        child=child,
        assistance_type=AssistanceType.objects.get(code="de_facto_living"),
        reason="父母均在服刑，由姑姑照料，生活困难。",
    )
    url = f"/api/v1/assistance-applications/{application.pk}/"
    header = if_match(application)

    responses = post_together(
        [
            (api(world.supervisor), url + "approve/", {"comment": "同意"}, header),
            (api(colleague), url + "approve/", {"comment": "同意"}, header),
        ]
    )

    assert codes(responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["current"]["status"] == ApplicationStatus.TOWNSHIP_APPROVED
    assert Application.objects.get(pk=application.pk).steps.filter(action="approve").count() == 1


def test_approve_and_return_at_once_decide_once(world, api):  # noqa: F811
    colleague = f.make_user("supervisor2", Role.TOWNSHIP_SUPERVISOR, f.TOWNSHIP, full_name="赵敏")
    child = f.make_child(
        name="孙小雨",
        parents={
            "father": {
                "situation": "imprisoned",
                "situation_since": timezone.localdate() - dt.timedelta(days=400),
            },
            "mother": {
                "situation": "imprisoned",
                "situation_since": timezone.localdate() - dt.timedelta(days=400),
            },
        },
        living_arrangement="relatives",
        carer={"name": "孙桂兰", "relation": "relative"},
    )
    application = assistance.application_submit(
        actor=world.dir_a,
        child=child,
        assistance_type=AssistanceType.objects.get(code="de_facto_living"),
        reason="父母均在服刑，由姑姑照料，生活困难。",
    )
    url = f"/api/v1/assistance-applications/{application.pk}/"
    header = if_match(application)

    responses = post_together(
        [
            (api(world.supervisor), url + "approve/", {"comment": "同意"}, header),
            (api(colleague), url + "return/", {"reason": "缺少证明材料"}, header),
        ]
    )

    assert codes(responses) == [200, 409]
    assert Application.objects.get(pk=application.pk).steps.exclude(action="submit").count() == 1


def test_two_answers_to_one_referral_decide_once(world, api):  # noqa: F811
    colleague = f.make_user(
        "social2", Role.SOCIAL_WORKER, None, full_name="李社工", organisation=world.social_worker.organisation
    )
    provider = Provider.objects.create(organisation=world.social_worker.organisation, kind="social_work")
    provider.services.add("counselling")
    provider.areas.add(f.TOWNSHIP)
    case = cases.case_open(actor=world.dir_a, child=world.child_a, source="manual", risk_level="medium")
    referral = referrals.referral_create(
        actor=world.dir_a,
        case=case,
        provider=provider,
        service=ServiceType.objects.get(pk="counselling"),
        need="母亲离家，孩子常哭，需要心理辅导",
        consent_by="guardian",
        consent_on=timezone.localdate(),
    )
    url = f"/api/v1/referrals/{referral.pk}/"
    header = if_match(referral)

    responses = post_together(
        [
            (api(world.social_worker), url + "accept/", {}, header),
            (api(colleague), url + "decline/", {"reason": "没有名额"}, header),
        ]
    )

    assert codes(responses) == [200, 409]
    referral.refresh_from_db()
    assert referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["current"]["status"] == referral.status


def test_two_closes_of_one_alert_close_it_once(world, api):  # noqa: F811
    child_update(actor=world.dir_b, child=world.child_b, fields={"living_arrangement": "alone"})
    alert = Alert.objects.get(child=world.child_b, rule="alone_under_16", status=AlertStatus.OPEN)
    url = f"/api/v1/alerts/{alert.pk}/close/"
    header = if_match(alert)

    responses = post_together(
        [
            (api(world.supervisor), url, {"reason": "已核实，奶奶已回家"}, header),
            (api(world.county), url, {"reason": "已安排亲属照料"}, header),
        ]
    )

    assert codes(responses) == [200, 409]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["current"]["status"] == AlertStatus.CLOSED
    assert alert.close_reason in loser["detail"]
