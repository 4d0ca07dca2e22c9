"""A list's query count does not grow with its page, for every list of the API and of the pages, and
for every role that may open it: the territorial ones (village director, township supervisor, county
staff, civil affairs) and those who see children through grants (mentor, social worker, teacher), whose
grants are read once per request, not once per row.

Each list is asked for with a few rows of every kind behind it, then again with many more: the number
of queries must be the same. The child's file page has a fixed number of its own, written out below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts.models import ApiToken, Grant, GrantReason, Organisation, OrganisationKind, Role
from shouhu.assistance.models import Application, AssistanceType
from shouhu.audit.models import AccessLog, Action
from shouhu.cases import reports
from shouhu.cases import services as case_services
from shouhu.cases.models import Alert
from shouhu.crosschecks.models import CrossCheck, Difference
from shouhu.escalation.models import Notification, WorkItem
from shouhu.imports.models import ImportJob
from shouhu.quarterly.models import QuarterlyReport
from shouhu.referrals import services as referral_services
from shouhu.referrals.models import Provider, ServiceType
from shouhu.regions.models import Region
from shouhu.visits import homes as home_services
from shouhu.visits import investigations
from shouhu.visits import services as visit_services
from shouhu.visits.models import ChildrensHome, Investigation, InvestigationItem
from tests import factories as f

ROLES = ("dir_a", "supervisor", "county", "civil", "mentor", "social_worker", "teacher")

API_LISTS = [
    "/api/v1/children/",
    "/api/v1/regions/",
    "/api/v1/visits/",
    "/api/v1/work/",
    "/api/v1/notifications/",
    "/api/v1/investigations/",
    "/api/v1/investigations/{investigation}/items/",
    "/api/v1/homes/",
    "/api/v1/sessions/",
    "/api/v1/rules/",
    "/api/v1/alerts/",
    "/api/v1/reports/",
    "/api/v1/cases/",
    "/api/v1/assistance-types/",
    "/api/v1/assistance-applications/",
    "/api/v1/service-types/",
    "/api/v1/organisations/",
    "/api/v1/referrals/",
    "/api/v1/auth/tokens/",
    "/api/v1/auth/devices/",
    "/api/v1/emergency-openings/",
    "/api/v1/imports/",
    "/api/v1/quarterly-reports/",
    "/api/v1/quarterly-reports/townships/",
    "/api/v1/crosschecks/",
    "/api/v1/crosscheck-differences/",
    "/api/v1/crosscheck-differences/?run={run}",
    "/api/v1/exports/children/",
    "/api/v1/audit/access-log/",
    "/api/v1/audit/changes/",
]
PAGES = [
    "/",
    "/children/",
    "/work/",
    "/work/notifications/",
    "/investigations/",
    "/investigations/{investigation}/",
    "/homes/",
    "/alerts/",
    "/reports/",
    "/cases/",
    "/rules/",
    "/assistance/",
    "/referrals/",
    "/organisations/",
    "/dashboard/",
    "/imports/",
    "/quarterly/",
    "/quarterly/townships/",
    "/crosschecks/",
    "/crosschecks/differences/",
    "/crosschecks/{run}/",
    "/exports/children/",
    "/audit/",
    "/audit/changes/",
    "/account/",
]

# Lists that do not show more rows after ``grow``: the places, the rule settings, the kinds of
# assistance and service, the townships' quarterly reports, a dashboard — and the access log.
FIXED = {
    "/api/v1/regions/",
    "/api/v1/rules/",
    "/api/v1/assistance-types/",
    "/api/v1/service-types/",
    "/api/v1/quarterly-reports/townships/",
    "/rules/",
    "/quarterly/townships/",
    "/dashboard/",
    # Every request writes to the access log: its first page is full before the rows grow.
    "/api/v1/audit/access-log/",
    "/audit/",
}

NAMES = "明华丽芳强军伟敏静秀英兰"
ORDINALS = "一二三四五六七八九十"
VILLAGES = (f.VILLAGE_A, f.VILLAGE_C, f.VILLAGE_B)


@dataclass
class World:
    """The personas (a teacher among them), and what the lists show, grown a few rows at a time."""

    personas: f.Personas
    teacher: object
    provider: Provider
    investigation: object
    home: ChildrensHome
    run: CrossCheck
    made: int = 0
    users: dict = field(default_factory=dict)

    def user(self, who: str):
        return self.teacher if who == "teacher" else getattr(self.personas, who)

    def url(self, pattern: str) -> str:
        return pattern.format(investigation=self.investigation.pk, run=self.run.pk)


@pytest.fixture
def world(personas, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    school = Organisation.objects.create(
        kind=OrganisationKind.SCHOOL, name="王市镇中心小学", region_id=f.TOWNSHIP
    )
    teacher = f.make_user("teacher", Role.TEACHER, None, full_name="陈老师", organisation=school)
    provider = Provider.objects.create(organisation=personas.social_worker.organisation, kind="social_work")
    provider.services.add("counselling")
    provider.areas.add(f.COUNTY)
    today = timezone.localdate()
    investigation = investigations.investigation_open(
        actor=personas.county,
        county_code=f.COUNTY,
        year=today.year,
        quarter=(today.month - 1) // 3 + 1,
        all_children=True,
    )
    home = ChildrensHome.objects.create(village_id=f.VILLAGE_A, name="前潘村儿童之家")
    run = CrossCheck.objects.create(
        kind="school", region_code=f.TOWNSHIP, file_name="全镇名单.csv", uploaded_by=personas.supervisor
    )
    return World(personas, teacher, provider, investigation, home, run)


def grow(world: World, extra: int) -> None:
    """``extra`` more children, over villages A, C and B, and with each of them a row of every list:
    granted to the mentor, the social worker and the teacher; a visit, an alert, a case with a task, a
    report, an accepted referral, an assistance application, a notice to each persona, a check in the
    quarter's investigation, a session of the home, an import, an API token and a device for each, a
    break-the-glass opening, a quarterly report, a cross-check with its difference (found again
    by the township's whole list, ``world.run``), access-log rows; a closed investigation, a children's
    home with a session, a social organisation."""
    p = world.personas
    today = timezone.localdate()
    townships = list(Region.objects.filter(parent_id=f.COUNTY).exclude(code=f.TOWNSHIP).order_by("code"))
    villages = list(
        Region.objects.filter(parent_id__in=[f.TOWNSHIP, f.OTHER_TOWNSHIP])
        .exclude(code__in=VILLAGES)
        .order_by("code")
    )
    for _ in range(extra):
        i = world.made
        world.made += 1
        village = VILLAGES[i % 3]
        director = {f.VILLAGE_A: p.dir_a, f.VILLAGE_B: p.dir_b, f.VILLAGE_C: p.dir_c}[village]
        if i % 2:  # the mother at home: no carer, the parents are whom to call
            family = dict(
                parents={
                    "father": {**f.migrant(), "name": "王建国", "phone": "13800000011"},
                    "mother": {"situation": "at_home", "name": "李秀兰", "phone": "13800000012"},
                },
                living_arrangement="parents",
            )
        else:
            family = dict(
                parents={"father": f.migrant(), "mother": f.migrant()},
                living_arrangement="grandparents",
                carer={"name": "王奶奶", "relation": "grandparent"},
            )
        child = f.make_child(name=f"王{NAMES[i % 12]}{ORDINALS[i % 10]}", village=village, **family)
        Grant.objects.create(user=p.mentor, child=child, reason=GrantReason.PAIRING, granted_by=p.county)
        Grant.objects.create(
            user=world.teacher, child=child, reason=GrantReason.ASSIGNMENT, granted_by=p.county
        )
        visit_services.visit_record(
            actor=director, child=child, data={"visited_on": today, "notes": "奶奶在家"}
        )
        alert = Alert.objects.create(
            child=child, region_code=village, rule="out_of_school", severity="medium", facts={"年龄": 10}
        )
        case = case_services.case_open(
            actor=p.county, child=child, source="manual", risk_level="high", alert=alert
        )
        case_services.case_task_add(
            actor=p.county, case=case, title="联系学校", due_on=today, responsible=director
        )
        reports.report_file(
            actor=director,
            harm_type="abandoned",
            description="孩子独自在家",
            seen_at=timezone.now(),
            urgency="soon",
            township=village[:9],
            village=village,
        )
        referral = referral_services.referral_create(
            actor=p.county,
            case=case,
            provider=world.provider,
            service=ServiceType.objects.get(pk="counselling"),
            need="父母外出务工，孩子情绪低落",
            consent_by="guardian",
            consent_on=today,
        )
        referral_services.referral_accept(actor=p.social_worker, referral=referral)
        Application.objects.create(
            child=child, region_code=village, type_id="temporary", reason="家中遭遇火灾", applicant=director
        )
        item = WorkItem.objects.filter(child=child).order_by("created_at").first()
        for who in ROLES:
            Notification.objects.create(
                user=world.user(who), item=item, tier=1, channel="in_app", message="督办"
            )
            ImportJob.objects.create(created_by=world.user(who), file_name=f"名册{i}.xlsx")
            ApiToken.objects.create(user=world.user(who))
            TOTPDevice.objects.create(user=world.user(who), name=f"手机{i}", confirmed=False)
        InvestigationItem.objects.create(
            investigation=world.investigation, child=child, region_code=village, assignee=director
        )
        Investigation.objects.create(
            county_id=f.COUNTY,
            year=2010 + i,
            quarter=i % 4 + 1,
            all_children=True,
            opened_by=p.county,
            closed_at=timezone.now(),
            closed_by=p.county,
        )
        home = ChildrensHome.objects.create(village=villages[i], name=f"{villages[i].name}儿童之家")
        for place in (world.home, home):
            home_services.session_record(
                actor=p.county,
                home=place,
                data={"held_on": today - dt.timedelta(days=i % 20), "topic": "读书", "leader": "刘云"},
            )
        organisation = Organisation.objects.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION, name=f"第{i}社会工作服务中心", region_id=f.COUNTY
        )
        provider = Provider.objects.create(organisation=organisation, kind="social_work")
        provider.services.add("counselling")
        provider.areas.add(f.COUNTY)
        home_services.session_record(
            actor=p.county,
            home=world.home,
            attendees=[child] if village != f.VILLAGE_C else [],
            data={"held_on": today - dt.timedelta(days=i % 20), "topic": "阅读", "leader": "刘云"},
        )
        Grant.objects.create(
            user=p.county,
            child=child,
            reason=GrantReason.BREAK_GLASS,
            note="夜间紧急情况，核实儿童监护人联系方式",
            granted_by=p.county,
            ends_at=timezone.now() + dt.timedelta(hours=3),
        )
        QuarterlyReport.objects.create(
            region_id=f.TOWNSHIP if i % 2 else townships[i % len(townships)].code,
            year=2020 + i // 4,
            quarter=i % 4 + 1,
            requested_by=p.supervisor,
            job_status="done",
            progress=100,
            status="submitted",
            submitted_by=p.supervisor,
            submitted_at=timezone.now(),
        )
        run = CrossCheck.objects.create(
            kind="school", region_code=f.TOWNSHIP, file_name=f"名单{i}.csv", uploaded_by=p.supervisor
        )
        run.differences.add(
            difference := Difference.objects.create(
                key=f"xc:dropout:test:{child.pk}",
                kind="dropout",
                list_kind="school",
                child=child,
                region_code=village,
                first_run=run,
            )
        )
        world.run.differences.add(difference)  # the township's whole list found them all
        for who in ("county", "supervisor", "dir_a", "mentor"):
            AccessLog.objects.create(
                user=world.user(who),
                username=world.user(who).username,
                action=Action.VIEW,
                child_id=child.pk,
                region_code=child.region_code,
                channel="web",
                path=f"/children/{child.pk}/",
            )


def queries(world: World, who: str, url: str) -> tuple[int, int, int]:
    """The status, the number of queries and the length of one GET of ``url`` by ``who``."""
    client = Client()
    user = world.user(who)
    if url.startswith("/api/"):
        _token, secret = ApiToken.objects.create(user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {secret}"
    else:
        client.force_login(user)
    client.get(url)  # once before: what a first request reads once per process is not the list's
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content  # an export
    return response.status_code, len(captured), len(body)


def counts(world: World, url: str) -> dict[str, tuple[int, int]]:
    """Who opens ``url``, each with the number of queries and the length of the answer."""
    seen = {}
    for who in ROLES:
        status, number, length = queries(world, who, world.url(url))
        if status == 200:
            seen[who] = (number, length)
    return seen


def unsteady(world: World, urls: list[str]) -> dict[str, str]:
    """Each of ``urls`` asked by every role with 3 rows of everything, then with 12: what went wrong,
    by list (one world for all the lists: building it is most of the time)."""
    grow(world, 3)
    small = {url: counts(world, url) for url in urls}
    grow(world, 9)
    large = {url: counts(world, url) for url in urls}
    wrong = {}
    for url in urls:
        before, after = small[url], large[url]
        grew = {who: (before[who][0], after[who][0]) for who in before if after[who][0] != before[who][0]}
        if not before:
            wrong[url] = "no role opened it"
        elif set(after) != set(before):
            wrong[url] = f"opened by {sorted(before)}, then by {sorted(after)}"
        elif grew:
            wrong[url] = f"queries (3 rows → 12 rows) grew for {grew}"
        elif url not in FIXED and not any(after[who][1] > before[who][1] + 200 for who in before):
            wrong[url] = "shows no more rows: the test would not see a query per row"
    return wrong


def test_every_list_of_the_api_asks_the_same_number_of_queries_for_a_few_rows_and_for_many(world):
    assert unsteady(world, API_LISTS) == {}


def test_every_list_page_asks_the_same_number_of_queries_for_a_few_rows_and_for_many(world):
    assert unsteady(world, PAGES) == {}


# The child's file page, for the director of the child's village (the whole file):
#   1–2   the session and the user;
#   3     the user's grants, read once for the whole page (visibility, tiers, the badges, each section);
#   4     the child, with the place up to the county, the school, the carer and the risk level;
#   5–8   the parents, the rescue contacts, the categories, the categories' history;
#   9     the access-log entry;
#   10–13 the change history: the child, the parents, the carer, the contacts;
#   14–15 the menu's badges: unread notices, open alerts of the territory;
#   16–20 the file's sections: alerts, cases, assistance applications, due visits, visits.
# (The session is written at most every five minutes, not on each page: accounts/sessions.py.)
FILE_QUERIES_DIRECTOR = 20
# For the mentor paired with the child (the personal tier: no history, no alerts, cases or visits):
# 1–2 session and user, 3 grants, 4 child, 5–8 what is read with it, 9 the log, 10 the unread-notices
# badge.
FILE_QUERIES_MENTOR = 10


@pytest.mark.parametrize("who, expected", [("dir_a", FILE_QUERIES_DIRECTOR), ("mentor", FILE_QUERIES_MENTOR)])
def test_the_childs_file_reads_the_child_and_the_grants_once(world, who, expected):
    grow(world, 1)
    child = world.personas.child_a
    url = f"/children/{child.pk}/"

    status, number, _length = queries(world, who, url)

    assert status == 200
    assert number == expected, f"the file page ran {number} queries for {who}, not {expected}"


def test_the_childs_file_asks_the_same_however_much_the_file_holds(world):
    """Alerts, cases with their tasks, applications and visits of the child are each read in one query
    (and what goes with them in one more), whether there is one of each or three."""
    p = world.personas
    child = p.child_a
    url = f"/children/{child.pk}/"
    today = timezone.localdate()
    kinds = list(AssistanceType.objects.order_by("code").values_list("code", flat=True)[:3])

    def add(n: int) -> None:
        alert = Alert.objects.create(
            child=child, region_code=f.VILLAGE_A, rule="out_of_school", severity="medium", facts={"年龄": 10}
        )
        case = case_services.case_open(
            actor=p.county, child=child, source="manual", risk_level="high", alert=alert
        )
        case_services.case_task_add(actor=p.county, case=case, title=f"联系学校{n}", due_on=today)
        visit_services.visit_record(
            actor=p.dir_a, child=child, data={"visited_on": today - dt.timedelta(days=n), "notes": "奶奶在家"}
        )
        Application.objects.create(
            child=child, region_code=f.VILLAGE_A, type_id=kinds[n], reason="家中遭遇火灾", applicant=p.dir_a
        )

    add(0)
    one = queries(world, "dir_a", url)[1]
    add(1)
    add(2)

    assert queries(world, "dir_a", url)[1] == one
