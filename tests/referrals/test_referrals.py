"""Referrals from a case to a social organisation: the refusals, the grant that accepting writes and
closing or revoking ends, what the organisation sees of the child, the answer deadline, services
delivered and the closing report on the case's timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from shouhu import versioning
from shouhu.accounts import access
from shouhu.accounts.models import Grant, GrantReason, Role
from shouhu.cases import services as case_services
from shouhu.cases.models import CaseEvent
from shouhu.escalation import services as escalation
from shouhu.escalation.deadlines import deadline_of
from shouhu.escalation.models import Notification, Status, Tier, WorkItem
from shouhu.referrals import services
from shouhu.referrals.models import Provider, Referral, ReferralStatus, ServiceRecord, ServiceType
from tests import factories as f

ID_NUMBER_BIRTH = dt.date(2015, 3, 8)
CARER_PHONE = "13912345678"


@pytest.fixture
def provider(personas):
    provider = Provider.objects.create(organisation=personas.social_worker.organisation, kind="social_work")
    provider.services.add("counselling", "family_education")
    provider.areas.add(f.TOWNSHIP)  # 王市镇: villages A and B, not C
    return provider


@pytest.fixture
def colleague(personas):
    """A second staff member of the same organisation."""
    return f.make_user(
        "social2",
        Role.SOCIAL_WORKER,
        None,
        full_name="李社工",
        organisation=personas.social_worker.organisation,
    )


@pytest.fixture
def child(personas):
    """A child of village A with an ID number and a carer with a phone."""
    return f.make_child(
        name="林小雨",
        village=f.VILLAGE_A,
        birth_date=ID_NUMBER_BIRTH,
        id_number=f.id_number_for(ID_NUMBER_BIRTH),
        carer={"name": "林奶奶", "relation": "grandparent", "phone": CARER_PHONE},
    )


@pytest.fixture
def case(personas, child):
    return case_services.case_open(actor=personas.dir_a, child=child, source="manual", risk_level="medium")


def refer(actor, case, provider, service="counselling", **kw):
    data = dict(
        need="母亲离家，孩子常哭，需要心理辅导", consent_by="guardian", consent_on=timezone.localdate()
    )
    data.update(kw)
    return services.referral_create(
        actor=actor, case=case, provider=provider, service=ServiceType.objects.get(pk=service), **data
    )


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- refusals -------------------------------------------------------------------------------------


def _nothing_saved(case, events_before: int) -> None:
    assert not Referral.objects.exists()
    assert not WorkItem.objects.filter(kind=services.RESPOND_KIND).exists()
    assert CaseEvent.objects.filter(case=case).count() == events_before


def test_a_service_the_organisation_does_not_offer_is_refused_naming_both(personas, case, provider):
    before = case.events.count()
    with pytest.raises(ValidationError) as exc:
        refer(personas.dir_a, case, provider, service="home_repair")
    message = " ".join(exc.value.message_dict["service"])
    assert "守护社会工作服务中心" in message and "住房修缮" in message
    _nothing_saved(case, before)


def test_a_child_outside_the_areas_served_is_refused_naming_the_place(personas, provider):
    child_c = personas.child_c  # 程杨村, in 阚疃镇: not served
    case = case_services.case_open(actor=personas.dir_c, child=child_c, source="manual", risk_level="low")
    before = case.events.count()
    with pytest.raises(ValidationError) as exc:
        refer(personas.dir_c, case, provider)
    message = " ".join(exc.value.message_dict["provider"])
    assert "服务区域不包括" in message and "程杨村" in message
    _nothing_saved(case, before)


def test_an_area_covers_its_subtree(personas, case, provider):
    assert provider.serves(f.VILLAGE_A) and provider.serves(f.VILLAGE_B)
    assert not provider.serves(f.VILLAGE_C)


def test_neither_consent_nor_legal_basis_is_refused(personas, case, provider):
    before = case.events.count()
    with pytest.raises(ValidationError) as exc:
        refer(personas.dir_a, case, provider, consent_by="", consent_on=None, legal_basis="  ")
    assert "consent_by" in exc.value.message_dict
    _nothing_saved(case, before)


def test_consent_needs_its_date_and_a_legal_basis_alone_suffices(personas, case, provider):
    with pytest.raises(ValidationError) as exc:
        refer(personas.dir_a, case, provider, consent_on=None)
    assert "consent_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        refer(personas.dir_a, case, provider, consent_on=timezone.localdate() + dt.timedelta(days=1))
    assert "consent_on" in exc.value.message_dict

    referral = refer(
        personas.dir_a,
        case,
        provider,
        consent_by="",
        consent_on=None,
        legal_basis="《未成年人保护法》第九十二条",
    )
    assert referral.status == ReferralStatus.PENDING and referral.consent_by == ""


def test_only_who_may_change_the_file_refers(personas, case, provider):
    for user in (personas.civil, personas.dir_b, personas.social_worker, personas.mentor):
        with pytest.raises(PermissionDenied):
            refer(user, case, provider)
    assert not Referral.objects.exists()


def test_the_same_open_referral_twice_is_refused(personas, case, provider):
    refer(personas.dir_a, case, provider)
    with pytest.raises(ValidationError) as exc:
        refer(personas.dir_a, case, provider)
    assert "尚未结束" in " ".join(exc.value.message_dict["service"])
    assert Referral.objects.count() == 1


def test_a_referral_is_on_the_case_timeline_and_waits_with_a_deadline(personas, case, provider, colleague):
    referral = refer(personas.dir_a, case, provider)
    assert case.events.filter(text__contains="转介至守护社会工作服务中心").exists()
    item = referral.work_item
    assert item.status == Status.OPEN and item.region_code == f.VILLAGE_A
    assert item.responsible == personas.social_worker  # the organisation's first staff member
    assert item.child is None and "林小雨" not in item.title  # shown to the organisation: no name


# --- pending: the organisation sees the need, not the child -----------------------------------------


def test_before_accepting_the_organisation_sees_the_need_but_not_the_child(personas, case, provider, child):
    referral = refer(personas.dir_a, case, provider)
    sw = personas.social_worker

    page = web(sw).get(f"/referrals/{referral.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "母亲离家" in body and "前潘村" in body
    assert child.name not in body and CARER_PHONE not in body and str(child.pk) not in body
    listing = web(sw).get("/referrals/").content.decode()
    assert "母亲离家" not in listing and child.name not in listing and str(referral.pk) in listing
    assert f"/referrals/{referral.pk}/accept/" in listing  # answered from the list

    data = api(sw).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert data["child"]["identified"] is False and data["child"]["name"] == ""
    assert data["case"] is None
    assert web(sw).get(f"/children/{child.pk}/").status_code == 404


# --- accepting: the grant --------------------------------------------------------------------------


def test_accepting_grants_each_staff_member_the_child_and_only_the_referral_fields(
    personas, case, provider, child, colleague
):
    referral = refer(personas.dir_a, case, provider)
    services.referral_accept(actor=personas.social_worker, referral=referral)

    grants = Grant.objects.active().filter(child=child, reason=GrantReason.REFERRAL)
    assert set(grants.values_list("user", flat=True)) == {personas.social_worker.pk, colleague.pk}
    assert WorkItem.objects.get(pk=referral.work_item_id).status == Status.DONE

    for sw in (personas.social_worker, colleague):
        file = web(sw).get(f"/children/{child.pk}/")
        assert file.status_code == 200
        assert child.id_number not in file.content.decode() and str(case.pk) not in file.content.decode()
        body = web(sw).get(f"/referrals/{referral.pk}/").content.decode()
        assert child.name in body and CARER_PHONE in body
        assert child.id_number not in body
        data = api(sw).get(f"/api/v1/referrals/{referral.pk}/")
        assert data.status_code == 200
        text = data.content.decode()
        assert child.name in text and child.id_number not in text
        assert data.json()["case"] is None
        # Other children and the case stay closed to them.
        assert web(sw).get(f"/children/{personas.child_b.pk}/").status_code == 404
        assert web(sw).get(f"/cases/{case.pk}/").status_code == 404
        assert api(sw).get(f"/api/v1/cases/{case.pk}/").status_code == 404
        assert not access.cases_visible_to(sw).exists()


def test_a_referral_is_answered_by_the_organisation_s_staff_only(personas, case, provider):
    referral = refer(personas.dir_a, case, provider)
    for user in (personas.dir_a, personas.county, personas.mentor):
        with pytest.raises(PermissionDenied):
            services.referral_accept(actor=user, referral=referral)
    assert api(personas.dir_a).post(f"/api/v1/referrals/{referral.pk}/accept/").status_code == 403
    assert api(personas.dir_b).post(f"/api/v1/referrals/{referral.pk}/accept/").status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING and not Grant.objects.filter(child=case.child).exists()


def test_two_answers_at_once_give_one_acceptance(personas, case, provider, colleague):
    referral = refer(personas.dir_a, case, provider)
    stale = Referral.objects.get(pk=referral.pk)  # the second staff member's page, loaded before
    services.referral_accept(actor=personas.social_worker, referral=referral)

    with pytest.raises(versioning.Conflict, match="服务中"):
        services.referral_decline(actor=colleague, referral=stale, reason="没有名额")
    with pytest.raises(ValidationError):
        services.referral_accept(actor=colleague, referral=Referral.objects.get(pk=referral.pk))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.decline_reason == ""
    assert Grant.objects.filter(child=case.child, reason=GrantReason.REFERRAL).count() == 2


def test_declining_needs_a_reason_and_grants_nothing(personas, case, provider):
    referral = refer(personas.dir_a, case, provider)
    with pytest.raises(ValidationError):
        services.referral_decline(actor=personas.social_worker, referral=referral, reason=" ")

    response = api(personas.social_worker).post(
        f"/api/v1/referrals/{referral.pk}/decline/", {"reason": "本月个案已满，无法接收"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "declined"
    referral.refresh_from_db()
    assert referral.decline_reason == "本月个案已满，无法接收"
    assert not Grant.objects.filter(child=case.child, reason=GrantReason.REFERRAL).exists()
    assert case.events.filter(text__contains="本月个案已满").exists()
    assert WorkItem.objects.get(pk=referral.work_item_id).status == Status.DONE
    with pytest.raises(ValidationError):
        services.referral_accept(actor=personas.social_worker, referral=referral)


# --- closing and revoking end the grant at once ----------------------------------------------------


def _accepted(personas, case, provider):
    referral = refer(personas.dir_a, case, provider)
    return services.referral_accept(actor=personas.social_worker, referral=referral)


def test_closing_ends_the_grant_at_once_and_reports_to_the_case(personas, case, provider, child):
    referral = _accepted(personas, case, provider)
    sw = personas.social_worker
    services.service_record(
        actor=sw,
        referral=referral,
        delivered_on=timezone.localdate(),
        description="个体心理辅导",
        hours="1.5",
    )
    with pytest.raises(ValidationError):
        services.referral_close(actor=sw, referral=referral, report="")

    response = web(sw).post(
        f"/referrals/{referral.pk}/close/", {"close-report": "情绪稳定，建议学校继续关注。"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED
    assert web(sw).get(f"/children/{child.pk}/").status_code == 404
    assert not access.can_view(sw, child)
    event = case.events.filter(text__contains="转介结案报告").get()
    assert "情绪稳定" in event.text and "1 次共 1.5 小时" in event.text and event.by == sw
    # The organisation keeps its record of the referral, without the child's name.
    page = web(sw).get(f"/referrals/{referral.pk}/").content.decode()
    assert "个体心理辅导" in page and child.name not in page


def test_revoking_ends_the_grant_at_once(personas, case, provider, child):
    referral = _accepted(personas, case, provider)
    sw = personas.social_worker
    assert api(sw).get(f"/api/v1/children/{child.pk}/").status_code == 200
    with pytest.raises(PermissionDenied):
        services.referral_revoke(actor=sw, referral=referral, reason="机构撤回")

    response = api(personas.dir_a).post(
        f"/api/v1/referrals/{referral.pk}/revoke/", {"reason": "家庭已搬迁"}, format="json"
    )
    assert response.status_code == 200
    assert api(sw).get(f"/api/v1/children/{child.pk}/").status_code == 404
    assert web(sw).get(f"/children/{child.pk}/").status_code == 404
    assert not Grant.objects.active().filter(child=child).exists()
    assert case.events.filter(text__contains="家庭已搬迁").exists()


def test_revoking_a_pending_referral_cancels_its_deadline(personas, case, provider):
    referral = refer(personas.dir_a, case, provider)
    services.referral_revoke(actor=personas.dir_a, referral=referral, reason="已由学校解决")
    assert WorkItem.objects.get(pk=referral.work_item_id).status == Status.CANCELLED
    with pytest.raises(ValidationError):
        services.referral_accept(actor=personas.social_worker, referral=referral)


# --- the deadline ----------------------------------------------------------------------------------


def test_an_unanswered_referral_climbs_to_the_township_then_the_county(personas, case, provider):
    referral = refer(personas.dir_a, case, provider)
    item = referral.work_item

    escalation.escalate(now=referral.due_at - dt.timedelta(minutes=1))
    item.refresh_from_db()
    assert item.tier == Tier.VILLAGE

    escalation.escalate(now=referral.due_at + dt.timedelta(hours=1))
    item.refresh_from_db()
    assert item.tier == Tier.TOWNSHIP
    assert Notification.objects.filter(item=item, user=personas.supervisor, tier=Tier.TOWNSHIP).exists()

    escalation.escalate(
        now=referral.due_at + deadline_of(services.RESPOND_KIND).county + dt.timedelta(hours=1)
    )
    item.refresh_from_db()
    assert item.tier == Tier.COUNTY
    assert Notification.objects.filter(item=item, user=personas.county, tier=Tier.COUNTY).exists()


def test_an_answered_referral_does_not_escalate(personas, case, provider):
    referral = _accepted(personas, case, provider)
    escalation.escalate(now=referral.due_at + dt.timedelta(days=10))
    item = WorkItem.objects.get(pk=referral.work_item_id)
    assert item.tier == Tier.VILLAGE and not item.notifications.exists()


# --- services delivered ----------------------------------------------------------------------------


def test_services_are_recorded_by_the_organisation_s_staff_only(personas, case, provider):
    referral = refer(personas.dir_a, case, provider)
    today = timezone.localdate()
    with pytest.raises(ValidationError):  # not accepted yet
        services.service_record(
            actor=personas.social_worker, referral=referral, delivered_on=today, description="辅导", hours=1
        )
    services.referral_accept(actor=personas.social_worker, referral=referral)
    for user in (personas.dir_a, personas.county, personas.mentor):
        with pytest.raises(PermissionDenied):
            services.service_record(
                actor=user, referral=referral, delivered_on=today, description="辅导", hours=1
            )
    body = {"delivered_on": today.isoformat(), "description": "家庭教育指导", "hours": "2"}
    assert (
        api(personas.dir_a)
        .post(f"/api/v1/referrals/{referral.pk}/services/", body, format="json")
        .status_code
        == 403
    )
    assert (
        api(personas.dir_c)
        .post(f"/api/v1/referrals/{referral.pk}/services/", body, format="json")
        .status_code
        == 404
    )

    response = api(personas.social_worker).post(
        f"/api/v1/referrals/{referral.pk}/services/", body, format="json"
    )
    assert response.status_code == 201
    assert response.json()["worker"] == "张顺利"
    assert ServiceRecord.objects.filter(referral=referral).count() == 1
    listed = api(personas.dir_a).get(f"/api/v1/referrals/{referral.pk}/services/").json()
    assert [r["description"] for r in listed] == ["家庭教育指导"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hours", "0"),
        ("hours", "25"),
        ("delivered_on", "future"),
        ("delivered_on", "before"),
        ("description", ""),
    ],
)
def test_a_service_record_out_of_bounds_is_refused(personas, case, provider, field, value):
    referral = _accepted(personas, case, provider)
    data = {"delivered_on": timezone.localdate(), "description": "辅导", "hours": "1"}
    data[field] = {
        "future": timezone.localdate() + dt.timedelta(days=1),
        "before": timezone.localdate() - dt.timedelta(days=1),
    }.get(value, value)
    with pytest.raises(ValidationError) as exc:
        services.service_record(actor=personas.social_worker, referral=referral, **data)
    assert field in exc.value.message_dict
    assert not ServiceRecord.objects.exists()


# --- web and API -----------------------------------------------------------------------------------


def test_the_case_page_offers_the_referral_and_the_form_refers(personas, case, provider):
    client = web(personas.dir_a)
    assert f"/cases/{case.pk}/refer/" in client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/refer/" not in web(personas.civil).get(f"/cases/{case.pk}/").content.decode()
    assert client.get(f"/cases/{case.pk}/refer/").status_code == 200

    response = client.post(
        f"/cases/{case.pk}/refer/",
        {
            "provider": provider.pk,
            "service": "home_repair",
            "need": "房屋漏雨",
            "consent_by": "guardian",
            "consent_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200 and "不提供" in response.content.decode()
    assert not Referral.objects.exists()

    response = client.post(
        f"/cases/{case.pk}/refer/",
        {
            "provider": provider.pk,
            "service": "counselling",
            "need": "情绪低落",
            "legal_basis": "未成年人保护法",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    assert web(personas.civil).get(f"/cases/{case.pk}/refer/").status_code == 302  # reads, does not refer


def test_the_web_pages_accept_and_record_a_service(personas, case, provider, child):
    referral = refer(personas.dir_a, case, provider)
    client = web(personas.social_worker)
    assert client.post(f"/referrals/{referral.pk}/accept/").status_code == 302
    response = client.post(
        f"/referrals/{referral.pk}/services/",
        {
            "service-delivered_on": timezone.localdate().isoformat(),
            "service-description": "沙盘游戏",
            "service-hours": "30",
        },
    )
    assert response.status_code == 400 and not ServiceRecord.objects.exists()
    response = client.post(
        f"/referrals/{referral.pk}/services/",
        {
            "service-delivered_on": timezone.localdate().isoformat(),
            "service-description": "沙盘游戏",
            "service-hours": "1",
        },
    )
    assert response.status_code == 302
    assert "沙盘游戏" in client.get(f"/referrals/{referral.pk}/").content.decode()


def test_the_api_creates_a_referral_and_refuses_an_area_not_served(personas, case, provider):
    body = {
        "case": str(case.pk),
        "organisation": str(provider.pk),
        "service": "counselling",
        "need": "需要心理辅导",
        "consent_by": "both",
        "consent_on": timezone.localdate().isoformat(),
    }
    assert api(personas.civil).post("/api/v1/referrals/", body, format="json").status_code == 403
    assert api(personas.dir_b).post("/api/v1/referrals/", body, format="json").status_code == 404
    response = api(personas.dir_a).post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["case"] == str(case.pk) and response.json()["child"]["name"] == "林小雨"

    case_c = case_services.case_open(
        actor=personas.dir_c, child=personas.child_c, source="manual", risk_level="low"
    )
    response = api(personas.dir_c).post("/api/v1/referrals/", {**body, "case": str(case_c.pk)}, format="json")
    assert response.status_code == 400 and "程杨村" in " ".join(response.json()["provider"])


def test_the_organisations_list_shows_services_and_areas(personas, provider):
    data = api(personas.mentor).get("/api/v1/organisations/").json()
    row = next(r for r in data["results"] if r["id"] == str(provider.pk))
    assert {s["code"] for s in row["services"]} == {"counselling", "family_education"}
    assert [a["code"] for a in row["areas"]] == [f.TOWNSHIP]
    codes = [s["code"] for s in api(personas.mentor).get("/api/v1/service-types/").json()]
    assert {"counselling", "autism_support", "home_repair", "school_support", "legal_aid"} <= set(codes)
    assert "守护社会工作服务中心" in web(personas.mentor).get("/organisations/").content.decode()


def test_referrals_are_visible_to_the_territory_and_the_organisation_only(personas, case, provider):
    referral = refer(personas.dir_a, case, provider)
    for user in (
        personas.dir_a,
        personas.supervisor,
        personas.county,
        personas.civil,
        personas.social_worker,
    ):
        assert referral in access.visible(user, Referral)
    for user in (personas.dir_b, personas.dir_c, personas.mentor):
        assert referral not in access.visible(user, Referral)
        assert web(user).get(f"/referrals/{referral.pk}/").status_code == 404


def test_the_schema_documents_the_referrals_api(client, db):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    assert {
        "/api/v1/organisations/",
        "/api/v1/service-types/",
        "/api/v1/referrals/",
        "/api/v1/referrals/{id}/",
        "/api/v1/referrals/{id}/accept/",
        "/api/v1/referrals/{id}/decline/",
        "/api/v1/referrals/{id}/close/",
        "/api/v1/referrals/{id}/revoke/",
    } <= set(paths)
    assert set(paths["/api/v1/referrals/{id}/services/"]) == {"get", "post"}
    assert set(paths["/api/v1/referrals/"]) == {"get", "post"}


def test_seed_referral_refers_accepts_and_records_through_the_services(personas):
    from django.utils import timezone

    from shouhu.cases import services as case_services
    from shouhu.demo.activity import seed_referral
    from tests import factories as f

    case = case_services.case_open(
        actor=personas.dir_a, child=personas.child_a, source="manual", risk_level="high"
    )

    assert seed_referral(today=timezone.localdate(), county=f.COUNTY, village=f.VILLAGE_A) == {"referrals": 1}

    referral = Referral.objects.get(case=case)
    assert referral.status == ReferralStatus.ACCEPTED and referral.records.count() == 2
    assert list(access.children_visible_to(personas.social_worker)) == [personas.child_a]


def test_the_referral_page_links_to_the_childs_file_once_accepted(personas, case, provider, child):
    referral = refer(personas.dir_a, case, provider)
    client = web(personas.social_worker)
    file_link = f'href="/children/{child.pk}/"'
    assert file_link not in client.get(f"/referrals/{referral.pk}/").content.decode()

    client.post(f"/referrals/{referral.pk}/accept/")

    assert file_link in client.get(f"/referrals/{referral.pk}/").content.decode()
    assert client.get(f"/children/{child.pk}/").status_code == 200


def test_a_service_is_described_at_length_with_its_outcome(personas, case, provider, child):
    referral = refer(personas.dir_a, case, provider)
    client = web(personas.social_worker)
    client.post(f"/referrals/{referral.pk}/accept/")
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert '<textarea name="service-description"' in page and '<textarea name="service-outcome"' in page

    client.post(
        f"/referrals/{referral.pk}/services/",
        {
            "service-delivered_on": timezone.localdate().isoformat(),
            "service-description": "第一次面谈\n沙盘游戏",
            "service-outcome": "愿意说话了，下周再约",
            "service-hours": "1.5",
        },
    )

    record = ServiceRecord.objects.get(referral=referral)
    assert record.outcome == "愿意说话了，下周再约"
    assert "愿意说话了，下周再约" in client.get(f"/referrals/{referral.pk}/").content.decode()


def test_ending_a_referral_is_a_separate_folded_step_after_the_service_form(personas, case, provider, child):
    referral = refer(personas.dir_a, case, provider)
    client = web(personas.social_worker)
    client.post(f"/referrals/{referral.pk}/accept/")

    page = client.get(f"/referrals/{referral.pk}/").content.decode()

    assert page.index("保存服务记录") < page.index('<details class="end-referral step" id="end">')
