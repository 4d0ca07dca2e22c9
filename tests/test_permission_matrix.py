"""The permission matrix: every route the project serves, against every persona.

The routes are read from the URL resolver when the tests are collected, so a route added tomorrow is
tested tomorrow. Each route is placed by its pattern:

* a child route, with a ``pk`` right after ``children/`` (the web pages and ``api/v1/children/``):
  whoever may not see the child gets 404 for every method and nothing changes; whoever may see it
  gets the page (``CHILD_PAGES`` says who, for pages other than the file itself);
* a region route, with a ``code`` right after ``regions/``: a code outside the jurisdiction is 404;
* a page without parameters (lists, searches, dashboards): it shows no child the persona may not
  see, even when searched for that child; the children lists show those the persona may see;
* public routes and the admin site, listed in ``PUBLIC`` with the reason each needs no jurisdiction.

A route that fits none of these fails ``test_every_route_is_placed`` until someone places it.

The expected answers are written out here (``SEES``, ``EDITS``, …) rather than asked of
``accounts.access``: the matrix is the specification that module is held to.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts.models import ApiToken, Grant, GrantReason
from shouhu.assistance.models import Application, Payment
from shouhu.audit.models import AccessLog, Action
from shouhu.cases import reports
from shouhu.cases import services as case_services
from shouhu.cases.models import Alert, Case, Report, RuleSetting
from shouhu.children.models import Carer, Child, ChildCategory, Parent, RescueContact
from shouhu.crosschecks.models import CrossCheck, Difference
from shouhu.escalation.models import Notification, WorkItem
from shouhu.imports.models import ImportJob
from shouhu.quarterly.models import QuarterlyReport
from shouhu.referrals import services as referral_services
from shouhu.referrals.models import Provider, Referral, ServiceRecord, ServiceType
from shouhu.visits import investigations
from shouhu.visits import services as visit_services
from shouhu.visits.models import (
    ActivitySession,
    ChildrensHome,
    Investigation,
    InvestigationItem,
    Visit,
    VisitPolicy,
)
from tests import factories as f

SRC = Path(__file__).resolve().parent.parent / "src" / "shouhu"

# --- the specification ------------------------------------------------------------------------------

PERSONAS = ("dir_a", "dir_b", "dir_c", "supervisor", "county", "civil", "admin", "mentor", "social_worker")
CHILDREN = ("a", "b", "c")  # child_a 梦巧 (village A), child_b 高小明 (village B), child_c 程建国 (village C)
ALL = frozenset(CHILDREN)
NONE: frozenset[str] = frozenset()

# Children in the persona's territory: their files in full, ID numbers and photos included.
TERRITORY = {
    "dir_a": frozenset("a"),
    "dir_b": frozenset("b"),
    "dir_c": frozenset("c"),
    "supervisor": frozenset("ab"),
    "county": ALL,
    "civil": ALL,
    "admin": ALL,
    "mentor": NONE,
    "social_worker": NONE,
}
# Children the persona may see at all: the territory and the active grants (the mentor's pairing).
SEES = {**TERRITORY, "mentor": frozenset("a")}
# Children the persona may change: an editing role over the territory; grants and civil affairs read only.
EDITS = {**TERRITORY, "civil": NONE}

REGION_CODES = {
    "village_a": f.VILLAGE_A,
    "village_b": f.VILLAGE_B,
    "village_c": f.VILLAGE_C,
    "township": f.TOWNSHIP,
    "other_township": f.OTHER_TOWNSHIP,
    "county": f.COUNTY,
    "city": f.COUNTY[:4],
}
_COUNTY_REGIONS = frozenset(REGION_CODES) - {"city"}
REGIONS_SEEN = {
    "dir_a": frozenset({"village_a"}),
    "dir_b": frozenset({"village_b"}),
    "dir_c": frozenset({"village_c"}),
    "supervisor": frozenset({"township", "village_a", "village_b"}),
    "county": _COUNTY_REGIONS,
    "civil": _COUNTY_REGIONS,
    "admin": _COUNTY_REGIONS,
    "mentor": frozenset(),
    "social_worker": frozenset(),
}

# Routes that need no jurisdiction check, and why. Paths as the resolver spells them.
PUBLIC = {
    "healthz": "load-balancer health check: says only whether the database, broker and workers answer",
    "login/": "the sign-in page",
    "logout/": "signing out",
    "i18n/setlang/": "choosing the interface language",
    "api/schema/": "the OpenAPI schema: describes the API, holds no data",
    "api/docs/": "the API documentation page, built from the schema",
    "api/v1/auth/token/": "exchanges a username and password (and a two-factor code) for a token",
}
# Django's admin site checks is_staff itself: see test_non_staff_cannot_enter_the_admin.
ADMIN_PREFIX = "admin/"

# Who gets a child route's page on GET, by what follows ``children/<pk>/``. Anything not listed is
# taken to be part of the file: shown to whoever sees the child.
CHILD_PAGES = {
    "": SEES,
    "edit/": EDITS,  # the edit form
    "photo": TERRITORY,  # the photo identifies the child: full-file readers only
    "visits/new/": EDITS,  # recording a visit: those who work the child's territory
    "cases/new/": EDITS,  # opening a case
    # Applying for assistance: the village level only (the child director of the child's village).
    "assistance/new/": {p: TERRITORY[p] if p.startswith("dir_") else NONE for p in PERSONAS},
    "documents/guardianship.pdf": TERRITORY,  # a printed form with ID numbers: full-file readers only
    "privacy/": TERRITORY,  # consent, guardians' requests, archiving: the territory's workers, not a grant
    "privacy/requests/new/": EDITS,  # recording a guardian's request
    "household/": TERRITORY,  # the siblings and the adults of the home: full-file readers only
}

# Records other than children, named in a route by these parameters. Each is made in the world below
# in village A (or for the whole county) and may be reached only by these personas.
IN_VILLAGE_A = frozenset({"dir_a", "supervisor", "county", "civil", "admin"})
IN_COUNTY = frozenset({"dir_a", "dir_b", "dir_c", "supervisor", "county", "civil", "admin"})
OBJECTS = {
    ("item_id",): ("item", IN_VILLAGE_A),  # a due visit of child A
    ("investigation_id",): ("investigation", IN_COUNTY),  # the county's quarterly investigation
    ("investigation_id", "check_id"): ("check", IN_VILLAGE_A),  # the check of child A in it
    ("home_id",): ("home", IN_VILLAGE_A),  # village A's children's home
    ("alert_id",): ("alert", IN_VILLAGE_A),  # an alert about child A: never to a mentor
    ("case_id",): ("case", IN_VILLAGE_A),  # a case of child A: never to a mentor
    ("case_id", "task_id"): ("case_task", IN_VILLAGE_A),  # a task of that case
    ("report_id",): ("report", IN_VILLAGE_A),  # a report about village A, filed by its director
    ("rule_code",): ("rule", frozenset({"county", "admin"})),  # the county's rule settings
    # A pending referral of child A's case to the social worker's organisation: the child's territory
    # and the organisation's staff (who see the need, not the child, until they accept).
    ("referral_id",): ("referral", IN_VILLAGE_A | {"social_worker"}),
    ("application_id",): ("application", IN_VILLAGE_A),  # an assistance application for child A
    ("import_id",): ("import", frozenset({"dir_a"})),  # a register import: its uploader's alone
    # Wangshi's submitted quarterly report: its supervisor and the county; no village director.
    ("quarterly_id",): ("quarterly", IN_VILLAGE_A - {"dir_a"}),
    # A school list checked by the Wangshi supervisor: the run belongs to the township and above; the
    # possible drop-out it found (child A) to village A.
    ("run_id",): ("crosscheck_run", IN_VILLAGE_A - {"dir_a"}),
    ("difference_id",): ("crosscheck_difference", IN_VILLAGE_A),
}
# API routes name the record by `pk` after its collection.
API_OBJECTS = {
    "api/v1/visits/<pk>/": ("visit", IN_VILLAGE_A),  # a visit to child A: territorial, not a mentor's
    "api/v1/work/<pk>/reassign/": ("item", IN_VILLAGE_A),
    "api/v1/notifications/<pk>/read/": ("notification", frozenset({"supervisor"})),  # the recipient's own
    "api/v1/investigations/<pk>/": ("investigation", IN_COUNTY),
    "api/v1/investigations/<pk>/close/": ("investigation", IN_COUNTY),
    "api/v1/investigations/<pk>/items/": ("investigation", IN_COUNTY),
    "api/v1/investigation-items/<pk>/check/": ("check", IN_VILLAGE_A),
    "api/v1/homes/<pk>/": ("home", IN_VILLAGE_A),
    "api/v1/visit-policies/<county_code>/": ("county", IN_COUNTY),
    "api/v1/rules/<code>/": ("rule", frozenset({"county", "admin"})),
    "api/v1/alerts/<pk>/": ("alert", IN_VILLAGE_A),
    "api/v1/alerts/<pk>/close/": ("alert", IN_VILLAGE_A),
    "api/v1/alerts/<pk>/mark/": ("alert", IN_VILLAGE_A),
    "api/v1/reports/<pk>/": ("report", IN_VILLAGE_A),
    "api/v1/reports/<pk>/link/": ("report", IN_VILLAGE_A),
    "api/v1/reports/<pk>/case/": ("report", IN_VILLAGE_A),
    "api/v1/reports/<pk>/close/": ("report", IN_VILLAGE_A),
    "api/v1/cases/<pk>/": ("case", IN_VILLAGE_A),
    "api/v1/cases/<pk>/step/": ("case", IN_VILLAGE_A),
    "api/v1/cases/<pk>/approve/": ("case", IN_VILLAGE_A),
    "api/v1/auth/tokens/<pk>/": ("token", frozenset({"supervisor"})),  # one's own API token only
    # One's own two-factor device and one's own emergency opening only.
    "api/v1/auth/devices/<pk>/confirm/": ("device", frozenset({"supervisor"})),
    "api/v1/auth/devices/<pk>/remove/": ("device", frozenset({"supervisor"})),
    "api/v1/emergency-openings/<pk>/end/": ("opening", frozenset({"county"})),
    **{
        f"api/v1/imports/<pk>/{tail}": ("import", frozenset({"dir_a"}))  # its uploader's alone
        for tail in ("", "problems/", "commit/", "error-sheet/", "cancel/")
    },
    **{
        f"api/v1/referrals/<pk>/{tail}": ("referral", IN_VILLAGE_A | {"social_worker"})
        for tail in ("", "accept/", "decline/", "services/", "close/", "revoke/")
    },
    **{
        f"api/v1/assistance-applications/<pk>/{tail}": ("application", IN_VILLAGE_A)
        for tail in ("", "approve/", "return/", "submit/", "stop/", "payments/")
    },
    "api/v1/cases/<pk>/tasks/": ("case", IN_VILLAGE_A),
    "api/v1/cases/<pk>/tasks/done/": ("case", IN_VILLAGE_A),
    **{
        f"api/v1/quarterly-reports/<pk>/{tail}": ("quarterly", IN_VILLAGE_A - {"dir_a"})
        for tail in ("", "pdf/", "xlsx/", "submit/", "acknowledge/", "return/")
    },
    "api/v1/crosschecks/<pk>/": ("crosscheck_run", IN_VILLAGE_A - {"dir_a"}),
    "api/v1/crosscheck-differences/<pk>/": ("crosscheck_difference", IN_VILLAGE_A),
    "api/v1/crosscheck-differences/<pk>/close/": ("crosscheck_difference", IN_VILLAGE_A),
}
# Pages that change a record open to fewer people than those who may see it.
RECORD_WRITE_PAGES = {
    "homes/<home_id>/sessions/new/": IN_VILLAGE_A - {"civil"},  # civil affairs reads, does not record
}

WRITE_METHODS = ("post", "put", "patch", "delete")
API_WRITE = {
    "name": "改名",
    "grade": "九年级",
    "parents": [{"role": "father", "work_place": "北京市"}],
    "carer": None,
}
WEB_WRITE = {"name": "改名", "grade": "九年级", "gender": "male", "birth_date": "2015-01-01"}


# --- the routes -------------------------------------------------------------------------------------

_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    path: str  # converters and regex groups written as <name>: children/<pk>/edit/
    name: str | None
    kwargs: tuple[str, ...]
    callback: Callable

    def __str__(self) -> str:
        return "/" + self.path

    @property
    def is_api(self) -> bool:
        return self.path.startswith("api/")

    @property
    def auths(self) -> tuple[str, ...]:
        return ("session", "token") if self.is_api else ("session",)

    def url(self, **values) -> str:
        path = self.path
        for key, value in values.items():
            path = path.replace(f"<{key}>", str(value))
        return "/" + path

    def accepts(self, method: str) -> bool | None:
        """Whether the route takes ``method``: known for DRF views, None (unknown) for others."""
        actions = getattr(self.callback, "actions", None)
        if actions is not None:
            return method in actions
        view_class = getattr(self.callback, "cls", None)
        if view_class is not None:
            return hasattr(view_class, method)
        return None

    @property
    def child_page(self) -> str:
        return self.path.split("children/<pk>", 1)[1].lstrip("/")


def _part(pattern) -> str:
    text = str(pattern)
    text = text.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    return _GROUP.sub(lambda m: f"<{m.group(1) or m.group(2)}>", text)


def _walk(patterns, prefix: str = "", namespace: str = "", kwargs: tuple[str, ...] = ()) -> Iterator[Route]:
    for entry in patterns:
        names = kwargs + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + _part(entry.pattern), inner, names)
        else:
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(prefix + _part(entry.pattern), name, names, entry.callback)


ROUTES = list(_walk(get_resolver().url_patterns))
_CHILD_ROUTE = re.compile(r"(^|/)children/<pk>(/|$)")
_REGION_ROUTE = re.compile(r"(^|/)regions/<code>(/|$)")


def place(route: Route) -> str | None:
    if route.path.startswith(ADMIN_PREFIX):
        return "admin"
    if route.path in PUBLIC:
        return "public"
    if not route.kwargs:
        return "page"
    if route.kwargs == ("pk",) and _CHILD_ROUTE.search(route.path):
        return "child"
    if route.kwargs == ("code",) and _REGION_ROUTE.search(route.path):
        return "region"
    if route.kwargs in OBJECTS or route.path in API_OBJECTS:
        return "object"
    return None


def routes(kind: str) -> list[Route]:
    return [r for r in ROUTES if place(r) == kind]


def cases(kind: str, personas=PERSONAS) -> list:
    return [
        pytest.param(route, persona, auth, id=f"{route} {persona} {auth}")
        for route in routes(kind)
        for persona in personas
        for auth in route.auths
    ]


def route_params(kind: str) -> list:
    return [pytest.param(route, id=str(route)) for route in routes(kind)]


def auth_params(kind: str) -> list:
    return [pytest.param(route, auth, id=f"{route} {auth}") for route in routes(kind) for auth in route.auths]


# --- the world each test runs in --------------------------------------------------------------------


@dataclass
class World:
    personas: f.Personas
    children: dict[str, Child]
    objects: dict[str, dict[str, object]]

    def user(self, persona: str):
        return getattr(self.personas, persona)

    def client(self, persona: str, auth: str) -> Client:
        client = Client()
        if auth == "session":
            client.force_login(self.user(persona))
        else:
            _token, secret = ApiToken.objects.create(user=self.user(persona))
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {secret}"
        return client

    def snapshot(self) -> dict:
        """Everything a write could change, for all three children."""
        ids = [c.pk for c in self.children.values()]
        return {
            "children": list(Child.objects.filter(pk__in=ids).order_by("pk").values()),
            "parents": list(Parent.objects.filter(child_id__in=ids).order_by("pk").values()),
            "carers": list(Carer.objects.filter(child_id__in=ids).order_by("pk").values()),
            "contacts": list(RescueContact.objects.filter(child_id__in=ids).order_by("pk").values()),
            "categories": list(ChildCategory.objects.filter(child_id__in=ids).order_by("pk").values()),
            "work": list(WorkItem.objects.order_by("pk").values()),
            "checks": list(InvestigationItem.objects.order_by("pk").values()),
            "investigations": list(Investigation.objects.order_by("pk").values("pk", "closed_at")),
            "sessions": list(ActivitySession.objects.order_by("pk").values("pk")),
            "visits": list(Visit.objects.order_by("pk").values("pk")),
            "notifications": list(Notification.objects.order_by("pk").values("pk", "read_at")),
            "policies": list(VisitPolicy.objects.order_by("pk").values()),
            "alerts": list(Alert.objects.order_by("pk").values()),
            "cases": list(Case.objects.order_by("pk").values()),
            "reports": list(Report.objects.order_by("pk").values("pk", "status", "child_id")),
            "rules": list(RuleSetting.objects.order_by("pk").values()),
            "referrals": list(Referral.objects.order_by("pk").values()),
            "service_records": list(ServiceRecord.objects.order_by("pk").values("pk")),
            "applications": list(Application.objects.order_by("pk").values()),
            "payments": list(Payment.objects.order_by("pk").values("pk")),
            "quarterly": list(QuarterlyReport.objects.order_by("pk").values()),
            "crosscheck_differences": list(Difference.objects.order_by("pk").values()),
        }


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """The world, built once for this module (at the tests' clock, ``chosen_day``) in a transaction
    that is rolled back when the module ends. Each test runs in a savepoint of it (the ``db`` fixture
    that ``world`` asks for), so whatever a test changes is undone before the next one."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield _build(f.Personas.create(), media)
        transaction.set_rollback(True)


@pytest.fixture
def world(built_world, db) -> World:
    return built_world


def _build(personas: f.Personas, media: Path) -> World:
    """The personas, with something behind every door: a carer, a rescue contact and a photo for
    each child, and access-log rows naming them (for the pages that show the log)."""
    children = {"a": personas.child_a, "b": personas.child_b, "c": personas.child_c}
    for key, child in children.items():
        photo = f"photos/{child.pk}/face.jpg"
        (media / photo).parent.mkdir(parents=True)
        (media / photo).write_bytes(b"\xff\xd8\xff\xe0 photo of child " + key.encode())
        Child.objects.filter(pk=child.pk).update(photo=photo, photo_consent=True)
        Carer.objects.update_or_create(
            child=child,
            defaults={
                "name": "照料人" + {"a": "甲", "b": "乙", "c": "丙"}[key],
                "relation": "grandparent",
                "phone": "1380000000" + key,
            },
        )
        RescueContact.objects.create(
            child=child, name="联系人" + {"a": "甲", "b": "乙", "c": "丙"}[key], phone="1390000000" + key
        )
        AccessLog.objects.create(
            user=personas.county,
            username="county",
            action=Action.VIEW,
            child_id=child.pk,
            region_code=child.region_code,
            channel="web",
            path=f"/children/{child.pk}/",
        )
    item = WorkItem.objects.get(child=personas.child_a, kind="visit.director")
    today = timezone.localdate()
    investigation = investigations.investigation_open(
        actor=personas.county,
        county_code=f.COUNTY,
        year=today.year,
        quarter=(today.month - 1) // 3 + 1,
        all_children=True,
    )
    check = investigation.items.get(child=personas.child_a)
    home = ChildrensHome.objects.create(village_id=f.VILLAGE_A, name="前潘村儿童之家")
    alert = Alert.objects.create(
        child=personas.child_a,
        region_code=f.VILLAGE_A,
        rule="out_of_school",
        severity="medium",
        facts={"年龄": 10},
    )
    case = case_services.case_open(
        actor=personas.county, child=personas.child_a, source="manual", risk_level="high"
    )
    task = case_services.case_task_add(actor=personas.county, case=case, title="联系学校", due_on=today)
    report = reports.report_file(
        actor=personas.dir_a,
        harm_type="abandoned",
        description="孩子独自在家",
        seen_at=timezone.now(),
        urgency="soon",
        township=f.TOWNSHIP,
        village=f.VILLAGE_A,
    )
    case_services.settings_ensure(f.COUNTY)
    visit, _created = visit_services.visit_record(
        actor=personas.dir_a, child=personas.child_a, data={"visited_on": today, "notes": "奶奶在家"}
    )
    notification = Notification.objects.create(
        user=personas.supervisor, item=item, tier=1, channel="in_app", message="督办"
    )
    objects = {
        "visit": {"visit_id": visit.pk},
        "notification": {"notification_id": notification.pk},
        "county": {"county_code": f.COUNTY},
        "alert": {"alert_id": alert.pk},
        "case": {"case_id": case.pk},
        "case_task": {"case_id": case.pk, "task_id": task.pk},
        "report": {"report_id": report.pk},
        "rule": {"rule_code": "alone_under_16"},
        "item": {"item_id": item.pk},
        "investigation": {"investigation_id": investigation.pk},
        "check": {"investigation_id": investigation.pk, "check_id": check.pk},
        "home": {"home_id": home.pk},
        "referral": {"referral_id": _pending_referral(personas, case).pk},
        "application": {"application_id": _application(personas).pk},
        "import": {"import_id": ImportJob.objects.create(created_by=personas.dir_a, file_name="a.xlsx").pk},
        "token": {"token_id": ApiToken.objects.create(user=personas.supervisor)[0].pk},
        # A device the supervisor is setting up (unconfirmed: her sign-in is unchanged), and the county's
        # emergency opening of child A, already within her territory (what anyone sees is unchanged).
        "device": {"device_id": TOTPDevice.objects.create(user=personas.supervisor, confirmed=False).pk},
        "opening": {"opening_id": _opening(personas).pk},
        "quarterly": {"quarterly_id": _quarterly(personas).pk},
        **_crosscheck(personas),
    }
    return World(personas, children, objects)


def _opening(personas: f.Personas) -> Grant:
    return Grant.objects.create(
        user=personas.county,
        child=personas.child_a,
        reason=GrantReason.BREAK_GLASS,
        note="夜间紧急情况，核实儿童监护人联系方式",
        granted_by=personas.county,
        ends_at=timezone.now() + dt.timedelta(hours=3),
    )


def _pending_referral(personas: f.Personas, case: Case) -> Referral:
    """Child A referred to the social worker's organisation, not yet accepted: no grant, so the social
    worker still sees no child."""
    provider = Provider.objects.create(organisation=personas.social_worker.organisation, kind="social_work")
    provider.services.add("counselling")
    provider.areas.add(f.COUNTY)
    return referral_services.referral_create(
        actor=personas.county,
        case=case,
        provider=provider,
        service=ServiceType.objects.get(pk="counselling"),
        need="父母外出务工，孩子情绪低落",
        consent_by="guardian",
        consent_on=timezone.localdate(),
    )


def _crosscheck(personas: f.Personas) -> dict:
    """A school list of Wangshi checked by its supervisor, which found child A missing from it."""
    run = CrossCheck.objects.create(
        kind="school", region_code=f.TOWNSHIP, file_name="list.csv", uploaded_by=personas.supervisor
    )
    difference = Difference.objects.create(
        key=f"xc:dropout:test:{personas.child_a.pk}",
        kind="dropout",
        list_kind="school",
        child=personas.child_a,
        region_code=f.VILLAGE_A,
        first_run=run,
    )
    run.differences.add(difference)
    return {
        "crosscheck_run": {"run_id": run.pk},
        "crosscheck_difference": {"difference_id": difference.pk},
    }


def _quarterly(personas: f.Personas) -> QuarterlyReport:
    """Wangshi's quarterly report, generated (small stand-in files) and submitted to the county."""
    from django.core.files.base import ContentFile

    report = QuarterlyReport(
        region_id=f.TOWNSHIP,
        year=2026,
        quarter=1,
        requested_by=personas.supervisor,
        job_status="done",
        progress=100,
        status="submitted",
        submitted_by=personas.supervisor,
        submitted_at=timezone.now(),
    )
    for name in ("pdf", "xlsx", "pdf_public", "xlsx_public"):
        getattr(report, name).save(name, ContentFile(b"%PDF-1.4 " + name.encode()), save=False)
    report.save()
    return report


def _application(personas: f.Personas) -> Application:
    """An assistance application for child A, waiting for the township (stored as is: the matrix tests
    who reaches it, not the child's eligibility)."""
    return Application.objects.create(
        child=personas.child_a,
        region_code=f.VILLAGE_A,
        type_id="temporary",
        reason="家中遭遇火灾",
        applicant=personas.dir_a,
    )


def send(client: Client, route: Route, method: str, url: str):
    if method == "get":
        return client.get(url)
    if route.is_api:
        return getattr(client, method)(url, json.dumps(API_WRITE), content_type="application/json")
    if method == "post":
        return client.post(url, WEB_WRITE)
    return getattr(client, method)(
        url, urlencode(WEB_WRITE), content_type="application/x-www-form-urlencoded"
    )


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def marks_of(child: Child) -> tuple[str, str]:
    """What would give a child away on a page: the name and the id."""
    return child.name, str(child.pk)


# --- every route is placed --------------------------------------------------------------------------


def test_the_resolver_has_routes_of_every_kind():
    kinds = {place(r) for r in ROUTES}

    assert {"admin", "public", "page", "child", "region", "object"} <= kinds


@pytest.mark.parametrize("route", [pytest.param(r, id=str(r)) for r in ROUTES])
def test_every_route_is_placed(route):
    view = getattr(route.callback, "__qualname__", route.callback)
    assert place(route) is not None, (
        f"{route} (name {route.name!r}, view {view}) is not placed in the permission matrix. Put the "
        "child id in a `pk` right after `children/` or the region code in a `code` right after "
        "`regions/`, or add the route to PUBLIC in tests/test_permission_matrix.py with the reason it "
        "needs no jurisdiction check."
    )


def test_a_route_with_a_parameter_the_matrix_does_not_know_is_not_placed():
    visit = Route("children/<pk>/visits/<visit_id>/", "children:visit", ("pk", "visit_id"), lambda r: None)

    assert place(visit) is None


# --- child routes -----------------------------------------------------------------------------------


def expected_get(route: Route, persona: str, key: str) -> set[int]:
    allowed = CHILD_PAGES.get(route.child_page, SEES)[persona]
    if key in allowed:
        return {200}
    if key in SEES[persona]:
        return {403, 404}  # seen, but not this page of it
    return {404}


@pytest.mark.parametrize(("route", "persona", "auth"), cases("child"))
def test_a_child_route_opens_only_for_who_may_see_the_child(world, route, persona, auth):
    client = world.client(persona, auth)

    got = {key: client.get(route.url(pk=world.children[key].pk)).status_code for key in CHILDREN}

    wrong = {
        k: (got[k], sorted(expected_get(route, persona, k)))
        for k in CHILDREN
        if got[k] not in expected_get(route, persona, k)
    }
    assert not wrong, f"{persona} on {route}: child → (got, expected) {wrong}"


def _cannot_see(persona: str) -> list[str]:
    return [k for k in CHILDREN if k not in SEES[persona]]


@pytest.mark.parametrize(
    ("route", "persona", "auth"), cases("child", [p for p in PERSONAS if _cannot_see(p)])
)
def test_a_child_out_of_reach_is_404_for_every_write_and_stays_unchanged(world, route, persona, auth):
    client = world.client(persona, auth)
    before = world.snapshot()

    wrong = {}
    for key in _cannot_see(persona):
        for method in WRITE_METHODS:
            status = send(client, route, method, route.url(pk=world.children[key].pk)).status_code
            accepted = route.accepts(method)
            expected = {404} if accepted else {405} if accepted is False else {404, 405}
            if status not in expected:
                wrong[(key, method)] = (status, sorted(expected))

    assert not wrong, f"{persona} on {route}: (child, method) → (got, expected) {wrong}"
    assert world.snapshot() == before


def _reads_only(persona: str) -> list[str]:
    return [k for k in CHILDREN if k in SEES[persona] and k not in EDITS[persona]]


@pytest.mark.parametrize(
    ("route", "persona", "auth"), cases("child", [p for p in PERSONAS if _reads_only(p)])
)
def test_a_child_seen_but_not_editable_cannot_be_changed(world, route, persona, auth):
    client = world.client(persona, auth)
    before = world.snapshot()

    wrong = {}
    for key in _reads_only(persona):
        for method in WRITE_METHODS:
            status = send(client, route, method, route.url(pk=world.children[key].pk)).status_code
            accepted = route.accepts(method)
            # The API says 403 (the child is visible); a web page may answer 404 as for any refusal.
            expected = {403} if accepted else {405} if accepted is False else {403, 404, 405}
            if status not in expected:
                wrong[(key, method)] = (status, sorted(expected))

    assert not wrong, f"{persona} on {route}: (child, method) → (got, expected) {wrong}"
    assert world.snapshot() == before


@pytest.mark.parametrize(("route", "auth"), auth_params("child"))
def test_an_ended_grant_closes_the_child_to_the_mentor(world, route, auth):
    Grant.objects.filter(user=world.personas.mentor).update(ends_at=timezone.now() - dt.timedelta(days=1))

    response = world.client("mentor", auth).get(route.url(pk=world.children["a"].pk))

    assert response.status_code == 404


# --- routes of other records ------------------------------------------------------------------------


def object_of(route: Route) -> tuple[str, frozenset[str]]:
    kind, reach = API_OBJECTS[route.path] if route.path in API_OBJECTS else OBJECTS[route.kwargs]
    return kind, RECORD_WRITE_PAGES.get(route.path, reach)


def object_url(world: World, route: Route) -> str:
    kind, _reach = object_of(route)
    values = world.objects[kind]
    if route.path in API_OBJECTS:
        (name,) = route.kwargs
        return route.url(**{name: next(iter(values.values())) if len(values) == 1 else values["check_id"]})
    return route.url(**values)


@pytest.mark.parametrize(("route", "persona", "auth"), cases("object"))
def test_a_record_route_opens_only_for_who_may_reach_it(world, route, persona, auth):
    _kind, reach = object_of(route)
    status = world.client(persona, auth).get(object_url(world, route)).status_code

    # 405: a route that only takes POST (its refusals are checked by the write test below).
    expected = {200, 302, 405} if persona in reach else {404, 405}
    assert status in expected, f"{persona} on {route}: got {status}, expected {sorted(expected)}"


@pytest.mark.parametrize(
    ("route", "persona", "auth"),
    [p for p in cases("object") if p.values[1] not in object_of(p.values[0])[1]],
)
def test_a_record_out_of_reach_is_404_for_every_write_and_stays_unchanged(world, route, persona, auth):
    client = world.client(persona, auth)
    before = world.snapshot()

    wrong = {}
    for method in WRITE_METHODS:
        status = send(client, route, method, object_url(world, route)).status_code
        if status not in (404, 405):
            wrong[method] = status

    assert not wrong, f"{persona} on {route}: method → status {wrong}"
    assert world.snapshot() == before


# --- region routes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "persona", "auth"), cases("region"))
def test_a_region_route_opens_only_inside_the_jurisdiction(world, route, persona, auth):
    client = world.client(persona, auth)

    got = {key: client.get(route.url(code=code)).status_code for key, code in REGION_CODES.items()}

    expected = {key: 200 if key in REGIONS_SEEN[persona] else 404 for key in REGION_CODES}
    assert got == expected


@pytest.mark.parametrize(("route", "persona", "auth"), cases("region"))
def test_a_region_route_outside_the_jurisdiction_refuses_every_write(world, route, persona, auth):
    client = world.client(persona, auth)
    before = world.snapshot()

    wrong = {}
    for key in set(REGION_CODES) - REGIONS_SEEN[persona]:
        for method in WRITE_METHODS:
            status = send(client, route, method, route.url(code=REGION_CODES[key])).status_code
            if status not in (404, 405):
                wrong[(key, method)] = status

    assert not wrong, f"{persona} on {route}: (region, method) → status {wrong}"
    assert world.snapshot() == before


# --- pages without parameters -----------------------------------------------------------------------


def is_children_list(route: Route) -> bool:
    return route.path.endswith("children/")


# Exports of the children list (web and API) hold the list's children, for the territorial roles only:
# a grant (the mentor's pairing) opens one file for one purpose, never a list to copy (403).
EXPORTERS = frozenset(p for p in PERSONAS if TERRITORY[p])


def lists_for(route: Route, persona: str) -> bool:
    return bool(SEES[persona]) and (persona in EXPORTERS or "exports/" not in route.path)


@pytest.mark.parametrize(("route", "persona", "auth"), cases("page"))
def test_a_page_shows_no_child_out_of_reach(world, route, persona, auth):
    client = world.client(persona, auth)
    hidden = [world.children[k] for k in _cannot_see(persona)]
    # Searched by pinyin, not by name: a page may echo the search term, which is no leak.
    queries = ["", f"?region={f.COUNTY}"] + [f"?q={c.name_pinyin}&search={c.name_pinyin}" for c in hidden]

    leaks = []
    for query in queries:
        response = client.get(route.url() + query)
        assert response.status_code < 500, f"{route}{query} failed for {persona}"
        body = body_of(response)
        leaks += [(query, mark) for child in hidden for mark in marks_of(child) if mark in body]

    assert not leaks, f"{persona} on {route} sees children out of reach: {leaks}"


@pytest.mark.parametrize(
    ("route", "persona", "auth"),
    [p for p in cases("page") if is_children_list(p.values[0]) and lists_for(p.values[0], p.values[1])],
)
def test_a_children_list_shows_the_children_in_reach(world, route, persona, auth):
    response = world.client(persona, auth).get(route.url())

    body = body_of(response)
    assert [k for k in SEES[persona] if world.children[k].name not in body] == []


@pytest.mark.parametrize(("route", "auth"), [p for p in auth_params("page") if is_children_list(p.values[0])])
def test_an_ended_grant_takes_the_child_off_the_mentor_s_list(world, route, auth):
    Grant.objects.filter(user=world.personas.mentor).update(ends_at=timezone.now() - dt.timedelta(days=1))

    response = world.client("mentor", auth).get(route.url())

    assert "梦巧" not in body_of(response)


# --- signed out, public routes, the admin site ------------------------------------------------------


def _scoped_routes() -> list:
    return [pytest.param(r, id=str(r)) for r in ROUTES if place(r) in ("page", "child", "region", "object")]


@pytest.mark.parametrize("route", _scoped_routes())
def test_signed_out_every_scoped_route_sends_to_sign_in(world, route):
    values = {k: v for obj in world.objects.values() for k, v in obj.items()}
    url = route.url(pk=world.children["a"].pk, code=f.VILLAGE_A, **values)
    before = world.snapshot()

    for method in ("get", "post"):
        response = send(Client(), route, method, url)
        if response.status_code == 302:
            assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        else:
            assert response.status_code in (401, 403, 405), f"{method.upper()} {url}: {response.status_code}"
        assert "梦巧" not in body_of(response)
    assert world.snapshot() == before


@pytest.mark.parametrize("route", route_params("public"))
def test_a_public_route_shows_no_child(world, route):
    response = Client().get(route.url())

    assert response.status_code < 500
    body = body_of(response)
    assert [m for c in world.children.values() for m in marks_of(c) if m in body] == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_non_staff_cannot_enter_the_admin(world, persona):
    assert not world.user(persona).is_staff
    client = world.client(persona, "session")

    for url in (
        "/admin/",
        "/admin/children/child/",
        f"/admin/children/child/{world.children['a'].pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


# --- one door to children's data --------------------------------------------------------------------


# Where a scoped model may be queried directly. The read side is guarded: an interface (a page, the
# API, a form, a template tag) never queries one, and a selectors module queries only its own app's
# (another app's through their policies: ``accounts.access.visible``, ``get_for``). The engine, the
# access log (which names children as they were when read, and may outlive them) and the rest of the
# write and system side — services, rules, jobs and tasks, receivers, rollups, migrations, commands,
# the demo — act under their own checks. An empty queryset (``.objects.none()``, a schema's
# placeholder) reads nothing and is allowed anywhere.
INTERFACES = frozenset({"views", "api", "forms", "urls", "admin", "templatetags", "web"})
ENGINE = ("accounts/access.py", "audit/")
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})


def allowed_to_query(module: str, app: str) -> bool:
    """Whether ``module`` (a path under src/shouhu) may query a model of ``app`` directly."""
    parts = module.removesuffix(".py").split("/")
    if module.startswith(ENGINE):
        return True
    if INTERFACES.intersection(parts) or parts[-1].startswith("api"):  # api.py, api_serializers.py …
        return False
    return parts[-1] != "selectors" or parts[0] == app


def direct_queries(source: str, models: dict[str, str]) -> list[tuple[int, str]]:
    """Each ``<Model>.objects`` (or ``_default_manager``, ``_base_manager``) in ``source`` of a model
    named in ``models`` (name → app label), however it was imported: (line, model name)."""
    import ast

    tree = ast.parse(source)
    local = {
        alias.asname or alias.name: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    empty = {
        id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "none"
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or node.attr not in MANAGERS or id(node) in empty:
            continue
        owner = node.value
        name = (
            owner.id
            if isinstance(owner, ast.Name)
            else owner.attr
            if isinstance(owner, ast.Attribute)
            else ""
        )
        name = local.get(name, name) if isinstance(owner, ast.Name) else name
        if name in models:
            found.append((node.lineno, name))
    return found


def scoped_query_offenders(sources: dict[str, str], models: dict[str, str]) -> list[str]:
    """``module:line: Model`` for each direct query of a scoped model where it is not allowed;
    ``sources``: module path under src/shouhu → its text."""
    return [
        f"{module}:{line}: {name}"
        for module, source in sorted(sources.items())
        for line, name in direct_queries(source, models)
        if not allowed_to_query(module, models[name])
    ]


def scoped_models() -> dict[str, str]:
    """Every model with a declared policy (``accounts.access``): name → app label."""
    from shouhu.accounts import access

    return {model.__name__: model._meta.app_label for model in access.scoped_models()}


def test_scoped_models_are_queried_only_through_their_policies():
    """A scoped model (one with a policy in its app's ``permissions.py``) is read through its policy —
    ``access.visible``, ``access.get_for`` or its app's selectors — never queried directly by a view,
    an API module, a template tag or another app, which would skip the scoping. A new policy is
    guarded as soon as it is declared."""
    sources = {str(path.relative_to(SRC)): path.read_text(encoding="utf-8") for path in SRC.rglob("*.py")}
    offenders = scoped_query_offenders(sources, scoped_models())

    assert not offenders, (
        "read scoped models through accounts.access or the model's app's selectors:\n" + "\n".join(offenders)
    )
