"""The English interface: a complete catalogue, compiled as committed, and pages and API errors in English
for a user who asks for English, in Chinese for everyone else.

Keeping the catalogue complete after changing a user-facing string (from ``src/shouhu``)::

    SHOUHU_INSECURE_DEV_KEY=true DJANGO_SETTINGS_MODULE=shouhu.settings ../../.venv/bin/django-admin \\
        makemessages -l en --no-location --ignore='demo/*' --ignore='*/migrations/*'
    # translate each new (empty or "#, fuzzy") entry of locale/en/LC_MESSAGES/django.po, then
    msgfmt --check -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from shouhu.children.names import is_han
from tests import factories as f

SOURCE = Path(__file__).resolve().parent.parent / "src" / "shouhu"
MESSAGES = SOURCE / "locale" / "en" / "LC_MESSAGES"
PO = MESSAGES / "django.po"
MO = MESSAGES / "django.mo"
MAKEMESSAGES_OPTIONS = ["-l", "en", "--no-location", "--ignore=demo/*", "--ignore=*/migrations/*"]
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{[a-z_]*\}")


# --- reading a .po file ----------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def __str__(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgid} [{self.msgctxt}]"


def read_po(path: Path) -> list[Entry]:
    """The active entries of a .po file (not the header, not obsolete ``#~`` ones)."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry, target = Entry(), None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.match(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line):
                keyword, index, text = match.groups()
                target = (keyword, int(index or 0))
                _append(entry, target, ast.literal_eval(text))
            elif line.startswith('"') and target:
                _append(entry, target, ast.literal_eval(line))
        if entry.msgid or entry.msgctxt is not None:
            entries.append(entry)
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    keyword, index = target
    if keyword == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    else:
        setattr(entry, keyword, (getattr(entry, keyword) or "") + text)


# --- the catalogue ---------------------------------------------------------------------------------


def test_every_english_message_is_translated_and_none_is_fuzzy():
    entries = read_po(PO)
    assert len(entries) > 400, "the English catalogue looks truncated"
    untranslated = [str(e) for e in entries if not e.msgstr or not all(e.msgstr.values())]
    fuzzy = [str(e) for e in entries if "fuzzy" in e.flags]
    header_fuzzy = "#, fuzzy" in PO.read_text(encoding="utf-8").split("\nmsgid", 1)[0]
    assert untranslated == [], f"messages without an English translation: {untranslated}"
    assert fuzzy == [], f"fuzzy (guessed) translations to check: {fuzzy}"
    assert not header_fuzzy, "the catalogue's header is marked fuzzy"


def test_plural_messages_have_both_english_forms():
    plurals = [e for e in read_po(PO) if e.msgid_plural is not None]
    assert plurals, "the templates count children with plural forms"
    assert [str(e) for e in plurals if sorted(e.msgstr) != [0, 1]] == []


def test_translations_keep_the_placeholders_of_the_chinese_text():
    changed = [
        str(e)
        for e in read_po(PO)
        for text in e.msgstr.values()
        if Counter(PLACEHOLDER.findall(text)) != Counter(PLACEHOLDER.findall(e.msgid))
    ]
    assert changed == []


def test_no_english_translation_is_left_in_chinese():
    assert [str(e) for e in read_po(PO) if any(is_han(t) for t in e.msgstr.values())] == []


def _catalogue(mo: Path) -> dict:
    with mo.open("rb") as fh:
        return dict(gettext.GNUTranslations(fh)._catalog)


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="needs msgfmt (Debian package 'gettext')")
def test_the_committed_mo_is_compiled_from_the_po(tmp_path):
    """Compared message by message (the compiled file's layout may differ between gettext versions)."""
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True, capture_output=True)
    assert MO.exists(), "compile the catalogue: msgfmt --check -o …/django.mo …/django.po"
    assert _catalogue(MO) == _catalogue(compiled), "django.mo is stale: compile it again with msgfmt"


def _copy_sources(destination: Path) -> None:
    """What makemessages reads (Python, templates, text) and the committed catalogue it merges into."""

    def ignore(directory, names):
        keep = {".py", ".html", ".txt", ".po"}
        return [
            n
            for n in names
            if n == "__pycache__" or (not (Path(directory) / n).is_dir() and Path(n).suffix not in keep)
        ]

    shutil.copytree(SOURCE, destination, ignore=ignore)


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq")),
    reason="needs xgettext, msgmerge and msguniq (Debian package 'gettext')",
)
def test_every_translatable_string_of_the_source_is_in_the_english_catalogue(tmp_path):
    copy = tmp_path / "shouhu"
    _copy_sources(copy)
    # No settings: makemessages then writes into the copy's own locale/, never into the real one.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", *MAKEMESSAGES_OPTIONS],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    committed = {e.key for e in read_po(PO)}
    missing = [
        str(e)
        for e in read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
        if e.key not in committed
    ]
    assert missing == [], (
        f"strings wrapped for translation but not in the English catalogue: {missing}. "
        "Run makemessages, translate them and compile (see this module's docstring)."
    )


# --- pages in the user's language ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """A request in English leaves English active in this thread; later tests expect the default."""
    yield
    translation.deactivate()


@pytest.fixture
def director(client, personas):
    client.force_login(personas.dir_a)
    return client


@pytest.fixture
def english(director):
    director.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return director


PAGES = {
    "home": lambda p: reverse("home"),
    "children list": lambda p: reverse("children:list"),
    "child's file": lambda p: reverse("children:detail", kwargs={"pk": p.child_a.pk}),
}

# The interface's own words: navigation, headings, column and field labels, the page title.
_FRAME = re.compile(
    r'<(title|h1|h2|th|dt|legend|summary)\b[^>]*>(.*?)</\1>|<nav class="mainnav".*?</nav>', re.S
)


def interface_words(html: str, data: list[str]) -> str:
    """The text of the page's frame with the records' data (names of people) taken out."""
    text = " ".join(m.group(0) for m in _FRAME.finditer(html))
    text = re.sub(r"<[^>]+>", " ", text)
    for value in data:
        text = text.replace(value, " ")
    return " ".join(text.split())


def data_of(personas) -> list[str]:
    return [personas.dir_a.full_name, personas.child_a.name]


@pytest.mark.parametrize("screen", PAGES)
def test_an_english_user_sees_no_chinese_in_navigation_and_headings(english, personas, screen):
    response = english.get(PAGES[screen](personas))
    assert response.status_code == 200
    words = interface_words(response.content.decode(), data_of(personas))
    assert words, "no navigation or headings found on the page"
    assert not is_han(words), words


@pytest.mark.parametrize("screen", PAGES)
def test_without_a_language_preference_pages_are_in_chinese(director, personas, screen):
    html = director.get(PAGES[screen](personas)).content.decode()
    assert "儿童名册" in html and "退出" in html
    assert ">Children<" not in html and "Sign out" not in html


def test_the_english_home_page_names_the_work_and_the_menu_in_english(english):
    html = english.get(reverse("home")).content.decode()
    assert "To do today" in html
    assert ">Children</a>" in html
    assert "Sign out" in html
    assert 'lang="en"' in html


def test_the_english_children_list_labels_its_columns_in_english(english, personas):
    html = english.get(reverse("children:list")).content.decode()
    assert "<h1>Children</h1>" in html
    assert "<th>Name</th><th>Gender</th><th>Age</th>" in html
    assert personas.child_a.name in html  # data stays as it was recorded


def test_the_english_child_file_shows_its_sections_and_categories_in_english(english, personas):
    html = english.get(reverse("children:detail", kwargs={"pk": personas.child_a.pk})).content.decode()
    for words in ("Basic information", "Father", "Mother", "Migrant worker", "Left-behind child", ">Han<"):
        assert words in html, words


def test_the_language_switcher_turns_the_interface_to_english(director):
    response = director.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert "To do today" in director.get(reverse("home")).content.decode()


def test_an_english_browser_gets_english_without_choosing(director):
    html = director.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "To do today" in html


# --- the API's errors ------------------------------------------------------------------------------


def register_with_short_id_number(user, **headers):
    client = APIClient()
    client.force_authenticate(user=user)
    body = {
        "name": "李梅",
        "gender": "female",
        "birth_date": "2016-03-01",
        "village": f.VILLAGE_A,
        "hukou_type": "rural",
        "id_number": "34162320160301123",  # 17 characters
    }
    return client.post("/api/v1/children/", body, format="json", **headers)


def test_an_invalid_id_number_is_explained_in_english_to_an_english_client(personas):
    response = register_with_short_id_number(personas.dir_a, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["id_number"] == ["An ID number has 18 characters; this one has 17"]


def test_an_invalid_id_number_is_explained_in_chinese_by_default(personas):
    response = register_with_short_id_number(personas.dir_a)
    assert response.status_code == 400
    assert response.json()["id_number"] == ["身份证号码应为18位，这里是17位"]
