"""The pages and the API of assistance: thin over the services, scoped, logged, refusals shown."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from shouhu.assistance.models import Application, ApplicationStatus, AssistanceType
from shouhu.audit.models import AccessLog, Action


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


API = "/api/v1/assistance-applications/"


# --- web ---------------------------------------------------------------------------------------------


def test_the_form_shows_each_type_s_eligibility_and_submits(personas, child):
    client = client_for(personas.dir_a)

    page = client.get(f"/children/{child.pk}/assistance/new/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "事实无人抚养儿童基本生活补贴" in body and "符合" in body

    response = client.post(
        f"/children/{child.pk}/assistance/new/", {"type": "de_facto_living", "reason": "父母均在服刑"}
    )
    application = Application.objects.get(child=child)
    assert response.status_code == 302 and str(application.pk) in response["Location"]
    assert AccessLog.objects.filter(action=Action.CREATE, child_id=child.pk).exists()


def test_an_ineligible_child_s_form_shows_the_failed_rule_and_saves_nothing(personas):
    page = client_for(personas.dir_a).get(f"/children/{personas.child_a.pk}/assistance/new/").content.decode()
    assert "不符合" in page and "须属于以下类别之一" in page

    response = client_for(personas.dir_a).post(
        f"/children/{personas.child_a.pk}/assistance/new/", {"type": "de_facto_living", "reason": "困难"}
    )

    assert response.status_code == 200
    assert "儿童类别" in response.content.decode()
    assert not Application.objects.exists()


def test_the_supervisor_may_not_apply(personas, child):
    assert client_for(personas.supervisor).get(f"/children/{child.pk}/assistance/new/").status_code == 403


def test_the_pages_walk_the_three_levels(personas, child):
    dir_a, supervisor, civil = (client_for(u) for u in (personas.dir_a, personas.supervisor, personas.civil))
    dir_a.post(f"/children/{child.pk}/assistance/new/", {"type": "de_facto_living", "reason": "父母均在服刑"})
    application = Application.objects.get(child=child)
    base = f"/assistance/applications/{application.pk}/"

    waiting = supervisor.get("/assistance/").content.decode()
    assert "待我办理" in waiting and child.name in waiting
    # The county cannot skip the township: the refusal is shown, nothing changes.
    civil.post(base + "approve/", {"comment": ""})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    supervisor.post(base + "return/", {"reason": "缺少在押证明"})
    page = dir_a.get(base).content.decode()
    assert "缺少在押证明" in page and "重新提交" in page
    dir_a.post(base + "resubmit/", {"reason": "", "comment": "已补充"})
    supervisor.post(base + "approve/", {"comment": "属实"})
    civil.post(base + "approve/", {"comment": "同意"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED

    month = application.starts_on.strftime("%Y-%m")
    response = civil.post(
        base + "payments/", {"month": month, "paid_on": timezone.localdate().isoformat(), "amount": "1450"}
    )
    assert response.status_code == 302
    assert application.payments.count() == 1
    assert "1450" in civil.get(base).content.decode()


def test_the_child_file_and_the_case_page_link_to_assistance_and_documents(personas, child):
    from shouhu.cases.models import Case

    client = client_for(personas.dir_a)
    file_page = client.get(f"/children/{child.pk}/").content.decode()
    case_page = client.get(f"/cases/{Case.objects.get(child=child).pk}/").content.decode()

    assert f"/children/{child.pk}/assistance/new/" in file_page
    assert f"/children/{child.pk}/documents/guardianship.pdf" in file_page
    assert "summary.pdf" in case_page and "notice.pdf" in case_page
    assert f"/children/{child.pk}/assistance/new/" in case_page


# --- API -----------------------------------------------------------------------------------------------


def test_the_api_walks_the_levels_and_refuses_with_reasons(personas, child, amount):
    dir_a, supervisor, civil = (client_for(u) for u in (personas.dir_a, personas.supervisor, personas.civil))

    created = post_json(dir_a, API, {"child": str(child.pk), "type": "de_facto_living", "reason": "父母服刑"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "submitted"

    skipped = post_json(civil, f"{API}{pk}/approve/")
    assert skipped.status_code == 403 and "乡镇" in skipped.json()["detail"]
    own = post_json(dir_a, f"{API}{pk}/approve/")
    assert own.status_code == 403

    assert post_json(supervisor, f"{API}{pk}/return/", {}).status_code == 400
    returned = post_json(supervisor, f"{API}{pk}/return/", {"reason": "缺少证明"})
    assert returned.json()["return_reason"] == "缺少证明"
    assert post_json(dir_a, f"{API}{pk}/submit/", {"comment": "已补充"}).json()["status"] == "submitted"
    assert (
        post_json(supervisor, f"{API}{pk}/approve/", {"comment": "属实"}).json()["status"]
        == "township_approved"
    )
    approved = post_json(civil, f"{API}{pk}/approve/", {})
    assert approved.json()["status"] == "approved"
    assert [s["action"] for s in approved.json()["steps"]] == [
        "submit",
        "return",
        "resubmit",
        "approve",
        "approve",
    ]

    month = approved.json()["starts_on"][:7]
    paid = post_json(
        civil, f"{API}{pk}/payments/", {"month": month, "paid_on": timezone.localdate().isoformat()}
    )
    assert paid.status_code == 201 and paid.json()["amount"] == "1450.00"
    again = post_json(
        civil, f"{API}{pk}/payments/", {"month": month, "paid_on": timezone.localdate().isoformat()}
    )
    assert again.status_code == 400 and "month" in again.json()

    stopped = post_json(civil, f"{API}{pk}/stop/", {"reason": "父亲刑满释放"})
    assert stopped.json()["status"] == "stopped"


def test_the_api_refuses_an_ineligible_child_with_the_rule(personas):
    response = post_json(
        client_for(personas.dir_a),
        API,
        {"child": str(personas.child_a.pk), "type": "de_facto_living", "reason": "困难"},
    )

    assert response.status_code == 400
    assert "儿童类别" in response.json()["type"][0]


def test_a_child_out_of_reach_is_404_in_the_api(personas, child):
    response = post_json(
        client_for(personas.dir_b), API, {"child": str(child.pk), "type": "temporary", "reason": "x"}
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "count"), [("dir_a", 1), ("supervisor", 1), ("civil", 1), ("dir_b", 0), ("mentor", 0)]
)
def test_the_list_is_scoped(personas, child, persona, count):
    from shouhu.assistance import services

    services.application_submit(
        actor=personas.dir_a,
        child=child,
        assistance_type=AssistanceType.objects.get(code="temporary"),
        reason="火灾",
    )

    assert client_for(getattr(personas, persona)).get(API).json()["count"] == count


def test_types_show_the_county_standard(personas, amount):
    rows = {r["code"]: r for r in client_for(personas.dir_a).get("/api/v1/assistance-types/").json()}

    assert rows["de_facto_living"]["amount"] == "1450.00"
    assert rows["medical"]["amount"] is None
    assert rows["de_facto_living"]["rule"]["max_age"] == 18


def test_the_schema_documents_the_assistance_api(personas):
    schema = client_for(personas.dir_a).get("/api/schema/?format=json").json()

    assert f"{API}{{id}}/approve/" in schema["paths"]
    assert "/api/v1/assistance-types/" in schema["paths"]
