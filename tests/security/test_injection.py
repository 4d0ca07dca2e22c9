"""XSS and SQL-injection payloads through every text field of the forms that record children's data,
and through the API, then shown on the pages that display them: only ever escaped, and the tables stay.

The fields are read from each page's own form (its ``<input>`` and ``<textarea>`` elements), so a field
added tomorrow is attacked tomorrow. Every text field gets the payload at once; fields that refuse it
(a name refuses ``<``, a phone number letters) are put back to a valid value and the form is sent again,
so that what is accepted is stored and then looked at on the pages that show it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.forms import BaseForm
from django.test import Client
from django.utils.html import escape

from shouhu.accounts.models import ApiToken
from shouhu.children.models import Child
from tests import factories as f
from tests.conftest import second_factor_given
from tests.test_permission_matrix import built_world, world  # noqa: F401  (the fixtures: every kind of record)

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE children_child; --"
PAYLOADS = [SCRIPT, IMG, SQL]
TEXT_TYPES = {"text", "search", "tel", "email", "url", ""}
TABLES = {"children_child", "children_parent", "visits_visit", "cases_case", "cases_report", "accounts_user"}


# --- reading a page's form --------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name → values sent by default
    text: list[str] = field(default_factory=list)  # names of the free-text inputs and textareas
    selects: dict[str, list[str]] = field(default_factory=dict)  # name → its option values


class FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "name" not in a or "disabled" in a:
            if tag == "option" and form is not None and self._select:
                self._option(a)
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                form.fields.setdefault(name, [])
                if kind == "radio":  # a choice like a select's: the first one when none is checked
                    form.selects.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.fields[name].append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                form.fields[name] = [a.get("value", "")]
                if kind in TEXT_TYPES and name != "csrfmiddlewaretoken":
                    form.text.append(name)
        elif tag == "textarea":
            form.fields[name] = [""]
            form.text.append(name)
            self._textarea = name
        elif tag == "select":
            form.fields[name] = []
            form.selects[name] = []
            self._select = name
        elif tag == "option" and self._select:
            self._option(a)

    def _option(self, a):
        value = a.get("value", "")
        self._form.selects[self._select].append(value)
        if "selected" in a:
            self._form.fields[self._select].append(value)

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form.fields[self._textarea] = [self._form.fields[self._textarea][0] + data]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_form(client: Client, url: str, action: str | None = None) -> Form:
    """The POST form of the page at ``url`` (the one posting to ``action`` when given, else the largest)."""
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    reader = FormReader()
    reader.feed(response.content.decode())
    forms = [fm for fm in reader.forms if fm.method == "post"]
    if action is not None:
        forms = [fm for fm in forms if fm.action == action]
    assert forms, f"no POST form on {url}"
    form = max(forms, key=lambda fm: len(fm.fields))
    form.action = form.action or url
    return form


def baseline(form: Form, overrides: dict[str, str]) -> dict[str, list[str]]:
    """A submission as the page stands, with a value for every select and the given overrides."""
    data = {}
    for name, values in form.fields.items():
        if name in form.selects and not values:
            options = [v for v in form.selects[name] if v]
            values = options[:1]
        data[name] = list(values)
    data.update({k: [v] for k, v in overrides.items()})
    return data


def bound_forms(response) -> list[BaseForm]:
    found: dict[int, BaseForm] = {}
    for context in response.context or []:
        for values in context.dicts:
            for value in values.values():
                forms = value.all_forms() if hasattr(value, "all_forms") else [value]
                found.update({id(fm): fm for fm in forms if isinstance(fm, BaseForm) and fm.is_bound})
    return list(found.values())


def refused_fields(response, text: list[str]) -> set[str]:
    """The text fields to put back: each text field with an error; and every text field of a part of
    the page (a prefixed form: the father, a contact) with an error elsewhere, which leaves it blank."""
    refused = set()
    for form in bound_forms(response):
        for name in form.errors:
            full = form.add_prefix(name) if name != "__all__" else None
            if full in text:
                refused.add(full)
            elif form.prefix:
                refused |= {t for t in text if t.startswith(form.prefix + "-")}
    return refused


# --- the attack -------------------------------------------------------------------------------------


def assert_only_escaped(body: str, payload: str, where: str) -> None:
    if payload != SQL:
        assert payload not in body, f"{where} shows {payload!r} unescaped"
    assert "onerror=alert(1)>" not in body.replace(escape(IMG), ""), where
    assert "<script>alert(1)" not in body, where


def assert_tables_stand() -> None:
    assert TABLES <= set(connection.introspection.table_names())
    assert Child.objects.count() > 0


def attack(client: Client, url: str, payload: str, *, overrides=None, action=None, shows=()) -> list[str]:
    """Send ``payload`` in every text field of the form on ``url``; return the pages that showed it."""
    form = page_form(client, url, action)
    assert form.text, f"{url} has no text field"
    data = baseline(form, overrides or {})
    targets = list(form.text)
    for _attempt in range(4):
        sent = {**data, **{name: [payload] for name in targets}}
        response = client.post(form.action, sent)
        body = response.content.decode()
        assert response.status_code in (200, 302), f"POST {form.action}: {response.status_code}"
        assert_only_escaped(body, payload, f"the answer to POST {form.action}")
        if response.status_code == 302:
            break
        refused = refused_fields(response, targets)
        errors = {fm.prefix: fm.errors for fm in bound_forms(response) if fm.errors}
        assert refused, f"POST {form.action} was refused with no text field to put back: {errors}"
        targets = [t for t in targets if t not in refused]
    else:
        pytest.fail(f"{url}: the form never went through")
    assert targets, f"{url}: every text field refused {payload!r}"
    assert_tables_stand()

    shown = []
    for page in [response["Location"], *shows]:
        body = client.get(page).content.decode()
        assert_only_escaped(body, payload, page)
        if escape(payload) in body:
            shown.append(page)
    return shown


@pytest.fixture
def director(world):  # noqa: F811
    client = Client()
    client.force_login(world.user("dir_a"))
    return client


def child_overrides(name: str = "李梅") -> dict[str, str]:
    return {
        "name": name,
        "gender": "female",
        "birth_date": "2016-03-01",
        "village": f.VILLAGE_A,
        "hukou_type": "rural",
        "schooling": "primary",
    }


@pytest.mark.parametrize("payload", PAYLOADS)
def test_registering_a_child(world, director, payload):  # noqa: F811
    shown = attack(director, "/children/new/", payload, overrides=child_overrides(), shows=["/children/"])

    assert shown, "the payload was stored but no page showed it"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_editing_a_child(world, director, payload):  # noqa: F811
    child = world.children["a"]

    shown = attack(director, f"/children/{child.pk}/edit/", payload)

    assert shown
    assert_stored_verbatim(Child.objects.filter(pk=child.pk).values().get(), payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_recording_a_visit(world, director, payload):  # noqa: F811
    child = world.children["a"]

    shown = attack(
        director,
        f"/children/{child.pk}/visits/new/",
        payload,
        overrides={"visited_on": dt.date.today().isoformat()},
        shows=[f"/children/{child.pk}/"],
    )

    assert shown


@pytest.mark.parametrize("payload", PAYLOADS)
def test_filing_a_report(world, director, payload):  # noqa: F811
    shown = attack(director, "/reports/new/", payload, overrides=report_overrides(), shows=["/reports/"])

    assert shown


@pytest.mark.parametrize("payload", PAYLOADS)
def test_opening_a_case_and_recording_a_step(world, director, payload):  # noqa: F811
    child = world.children["a"]
    case_id = world.objects["case"]["case_id"]

    opened = attack(director, f"/children/{child.pk}/cases/new/", payload)
    stepped = attack(
        director,
        f"/cases/{case_id}/",
        payload,
        action=f"/cases/{case_id}/step/",
        shows=[f"/cases/{case_id}/"],
    )

    assert opened or stepped


@pytest.mark.parametrize("payload", PAYLOADS)
def test_recording_a_session_of_a_children_s_home(world, director, payload):  # noqa: F811
    home_id = world.objects["home"]["home_id"]

    shown = attack(
        director,
        f"/homes/{home_id}/sessions/new/",
        payload,
        overrides={"held_on": dt.date.today().isoformat(), "attendee_count": "3"},
        shows=["/homes/"],
    )

    assert shown


@pytest.mark.parametrize("payload", PAYLOADS)
def test_returning_a_quarterly_report_with_a_comment(world, payload):  # noqa: F811
    """The county's comment is shown to the township: escaped on both sides."""
    report_id = world.objects["quarterly"]["quarterly_id"]
    county, township = Client(), Client()
    for client, persona in ((county, "county"), (township, "supervisor")):
        client.force_login(world.user(persona))
        second_factor_given(client, world.user(persona))
    page = f"/quarterly/{report_id}/"

    shown = attack(county, page, payload, action=f"/quarterly/{report_id}/return/", shows=[page])

    body = township.get(page).content.decode()
    assert_only_escaped(body, payload, f"the township's {page}")
    assert shown and escape(payload) in body


@pytest.mark.parametrize("payload", PAYLOADS)
def test_closing_a_cross_check_difference_with_a_reason(world, director, payload):  # noqa: F811
    difference_id = world.objects["crosscheck_difference"]["difference_id"]
    page = f"/crosschecks/differences/{difference_id}/"

    shown = attack(director, page, payload, overrides={"resolution": "in_school"}, shows=[page])

    assert shown


def report_overrides() -> dict[str, str]:
    return {
        "township": f.TOWNSHIP,
        "village": f.VILLAGE_A,
        "seen_at": dt.datetime.now().strftime("%Y-%m-%dT%H:%M"),
    }


def assert_stored_verbatim(row: dict, payload: str) -> None:
    assert payload in {v for v in row.values() if isinstance(v, str)}, "the payload was not stored as typed"


# --- through the API --------------------------------------------------------------------------------


def api_client(user) -> Client:
    _token, secret = ApiToken.objects.create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_api_stores_payloads_as_text_and_the_pages_escape_them(world, director, payload):  # noqa: F811
    api = api_client(world.user("dir_a"))
    child = world.children["a"]
    body = {"address": payload}

    response = api.patch(f"/api/v1/children/{child.pk}/", body, content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["address"] == payload  # JSON carries the text as it was typed
    assert response["Content-Type"].startswith("application/json")
    page = director.get(f"/children/{child.pk}/").content.decode()
    assert_only_escaped(page, payload, "the child's file")
    assert escape(payload) in page
    assert_tables_stand()

    visit = api.post(
        "/api/v1/visits/",
        {"child": str(child.pk), "visited_on": dt.date.today().isoformat(), "notes": payload},
        content_type="application/json",
    )
    assert visit.status_code == 201, visit.content
    page = director.get(f"/children/{child.pk}/").content.decode()
    assert_only_escaped(page, payload, "the child's file after a visit")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_search_boxes_take_payloads_as_text(world, director, payload):  # noqa: F811
    for url in ("/children/", "/reports/", "/cases/", "/alerts/", "/audit/"):
        response = director.get(url, {"q": payload, "search": payload})
        assert response.status_code in (200, 302, 403, 404), url
        assert_only_escaped(response.content.decode(), payload, url)
    response = api_client(world.user("dir_a")).get("/api/v1/children/", {"search": payload, "q": payload})
    assert response.status_code == 200
    assert_tables_stand()
