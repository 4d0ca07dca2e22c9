"""Every page of the permission matrix, in English, says nothing in Chinese but the data.

Each persona of the matrix opens every web page it may open (lists, the child's file and its pages,
the records of the matrix's world: an alert, a case, a report, a referral, an application …) with
English chosen. What people typed or the registry holds — children's and people's names, places,
organisations, notes — may be Chinese: every text value stored in the database is taken out of the
page first, except the columns the system writes itself (work items' titles, notices, reasons,
situations, timelines), whose words must be translated when shown. What is left must hold no Han
character.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from shouhu.cases.models import CaseEvent
from shouhu.children.names import is_han
from shouhu.escalation.models import Notification, WorkItem
from tests.test_permission_matrix import (  # ``world``: the matrix's fixture
    PERSONAS,
    SEES,
    Route,
    built_world,  # noqa: F401
    object_of,
    routes,
    world,  # noqa: F401
)

# Columns the system writes itself: not data, so what a page shows of them must be in English.
GENERATED = {
    ("escalation", "workitem", "title"),
    ("escalation", "workitem", "note"),
    ("escalation", "notification", "message"),
    ("escalation", "notification", "last_error"),
    ("cases", "harmtype", "name"),
    ("children", "childcategory", "reason"),
    ("children", "categoryevent", "reason"),
    ("children", "category", "name"),
    ("assistance", "assistancetype", "name"),
    ("referrals", "servicetype", "name"),
    ("cases", "caseevent", "text"),
    ("crosschecks", "difference", "detail"),
}
# Words a page may show in Chinese on purpose: the language menu names Chinese in Chinese.
ALLOWED = ("简体中文",)
HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")
SCRIPTS = re.compile(r"<(script|style)\b.*?</\1>", re.S)
# What a person reads of a tag: these attributes (an option's value, a form field's name are codes).
SHOWN = re.compile(r"""\b(?:title|placeholder|aria-label|alt|content)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
TAG = re.compile(r"<[^>]*>")
# JSON columns the system writes itself: an alert's facts, the eligibility kept with an application,
# a child's risk reasons. Other JSON columns (the parameters of work items and notices) hold data.
GENERATED_JSON = {
    ("cases", "alert", "facts"),
    ("assistance", "application", "eligibility"),
    ("cases", "childrisk", "reasons"),
}


def _leaves(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)


def data_strings() -> list[str]:
    """Every stored text value with a Han character in it (names, places, notes), longest first."""
    found: set[str] = set()

    def add(value: str) -> None:
        if any(is_han(ch) for ch in value):
            found.add(value.strip())
            # A value shown in parts (a name in a list, the township of a "township / village").
            found.update(part for part in re.split(r"[\s,，、;；/]+", value) if part)

    for model in apps.get_models():
        meta = model._meta
        fields = [
            f.attname
            for f in meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
            and (meta.app_label, meta.model_name, f.name) not in GENERATED | GENERATED_JSON
            and not (meta.model_name.startswith("historical") and f.name in ("history_change_reason",))
        ]
        if not fields or meta.proxy:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                for leaf in _leaves(value):
                    add(leaf)
    # Rows written before the codes keep their stored words (``escalation.texts``): shown as data.
    for value in WorkItem.objects.filter(code="").values_list("title", flat=True):
        add(value)
    for value in Notification.objects.filter(code="").values_list("message", flat=True):
        add(value)
    # A timeline entry without a code is a person's note (a step's text, a case's outcome): data.
    for value in CaseEvent.objects.filter(code="").values_list("text", flat=True):
        add(value)
    return sorted(found, key=len, reverse=True)


def chinese_left(page: str, data: list[str]) -> list[str]:
    """The Chinese a page shows outside data, each with a little of what surrounds it."""
    page = SCRIPTS.sub(" ", page)
    shown = [a or b for a, b in SHOWN.findall(page)]
    text = html.unescape(" ".join([TAG.sub(" ", page), *shown]))
    for value in data:
        text = text.replace(value, " ")
    for word in ALLOWED:
        text = text.replace(word, " ")
    return [text[max(0, m.start() - 30) : m.end() + 30].replace("\n", " ") for m in HAN_RUN.finditer(text)]


def pages(matrix, persona: str) -> list[str]:
    """The web pages of the matrix a persona opens with GET, as URLs in the matrix's world."""
    urls = []
    seen = sorted(SEES[persona])
    for kind in ("page", "child", "object", "region"):
        for route in routes(kind):
            if route.is_api or route.path.startswith("admin/"):
                continue
            urls.extend(_urls(matrix, route, kind, seen))
    return urls


def _urls(matrix, route: Route, kind: str, seen: list[str]) -> list[str]:
    from tests import factories as f

    if kind == "page":
        return [route.url()]
    if kind == "child":
        return [route.url(pk=matrix.children[key].pk) for key in seen]
    if kind == "region":
        return [route.url(code=code) for code in (f.COUNTY, f.TOWNSHIP, f.VILLAGE_A)]
    name, _reach = object_of(route)
    return [route.url(**matrix.objects[name])]


@pytest.fixture
def written(world):  # noqa: F811
    """More of what the system writes in village A: a child living alone (an urgent alert with its
    response tasks, the urgent visit, the township told at once) and a child whose father is out of
    contact while the mother works away (a household alert on the parents, a case, the review of
    assistance, a de-facto reason)."""
    from tests import factories as f

    today = timezone.localdate()
    f.make_child(actor=world.personas.dir_a, name="独居娃", living_arrangement="alone")
    f.make_child(
        actor=world.personas.dir_a,
        name="失联娃",
        parents={
            "father": {"situation": "out_of_contact", "situation_since": today - dt.timedelta(days=40)},
            "mother": f.migrant(),
        },
    )
    return world


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_in_english_shows_chinese_only_in_data(written, persona):
    client = written.client(persona, "session")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = data_strings()

    found = {}
    opened = 0
    for url in pages(written, persona):
        if url.endswith((".pdf", ".xlsx", ".csv", "/photo")):
            continue  # files, not pages
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        opened += 1
        left = chinese_left(response.content.decode(), data)
        if left:
            found[url] = left[:8]

    assert opened > 5, f"{persona} opened only {opened} pages"
    assert not found, "Chinese outside data on English pages:\n" + "\n".join(
        f"{url}: {snippets}" for url, snippets in found.items()
    )


def test_a_page_with_an_untranslated_word_is_caught():
    left = chinese_left("<p>Due: 走访 王小明</p><p>Alert</p>", ["王小明"])

    assert len(left) == 1 and "走访" in left[0] and "王小明" not in left[0]
    assert chinese_left("<p>Visit 王小明</p>", ["王小明"]) == []


def test_places_and_names_are_data(world):  # noqa: F811
    data = data_strings()

    assert world.children["a"].name in data
    assert any("王市" in value for value in data)  # the township of the persona's villages
    assert "走访" not in data
