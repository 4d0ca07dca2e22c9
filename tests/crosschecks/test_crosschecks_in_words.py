# ruff: noqa: F811 (the fixtures ``school`` and ``pupils`` are the cross-check tests')
"""What a list said of each difference is kept as a code and its parameters and read in the reader's
language; the API names people by their full names beside their login names."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shouhu.children.names import is_han
from shouhu.crosschecks import services
from shouhu.crosschecks.models import Difference, DifferenceKind
from tests import factories as f

from .test_crosschecks import DIBAO_HEADER, born, csv_upload, pupils, run_school, school, school_rows  # noqa: F401


@pytest.fixture(autouse=True)
def registry_language_after():
    """A request in English leaves English active in the test's thread: put the registry's back."""
    yield
    translation.deactivate()


def han(text: str) -> str:
    return "".join(c for c in text if is_han(c))


def signed_in(user, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_a_school_lists_words_are_kept_as_a_code_and_read_in_english(personas, school, pupils):
    run_school(personas.supervisor, school, csv_upload(school_rows(pupils)))

    category = Difference.objects.get(kind=DifferenceKind.CATEGORY)
    assert category.detail_code == "crosscheck.detail.category"
    assert category.detail_params == {
        "school": school.name,
        "where": "五年级 1班",
        "left_behind": "both_parents",
    }
    assert category.detail == "王市镇中心小学 五年级 1班；学校名单：双亲留守"
    with translation.override("en"):
        words = category.detail_text
    assert words == "王市镇中心小学 五年级 1班; school list: Left-behind (both parents away)"
    dropout = Difference.objects.get(kind=DifferenceKind.DROPOUT)
    with translation.override("en"):
        assert dropout.detail_text == f"Register: {school.name} 5年级"


def test_a_dibao_lists_household_is_read_in_english(personas, pupils):
    sister = f.id_number_for(born(6), "female")
    rows = [DIBAO_HEADER, ["王市镇", "前潘村", "张大山", "张小妹", sister, "女", "特困"]]

    services.crosscheck_run(actor=personas.supervisor, upload=csv_upload(rows), kind="dibao", commit=True)

    missing = Difference.objects.get(kind=DifferenceKind.UNREGISTERED)
    assert (missing.detail_code, missing.detail_params) == (
        "crosscheck.detail.household",
        {"head": "张大山", "assistance": "tekun"},
    )
    with translation.override("en"):
        words = missing.detail_text
    assert words == "Head of household 张大山, Extreme poverty support (tekun)"
    assert not han(words.replace("张大山", ""))


def test_the_difference_page_in_english_shows_what_the_list_said_in_english(personas, school, pupils):
    run_school(personas.supervisor, school, csv_upload(school_rows(pupils)))
    category = Difference.objects.get(kind=DifferenceKind.CATEGORY)
    client = signed_in(personas.supervisor)
    client.cookies["django_language"] = "en"

    page = client.get(
        reverse("crosschecks:difference", kwargs={"difference_id": category.pk})
    ).content.decode()

    assert "school list: Left-behind (both parents away)" in page and "学校名单" not in page


def test_a_difference_written_before_the_codes_shows_its_stored_words(personas, school, pupils):
    run_school(personas.supervisor, school, csv_upload(school_rows(pupils)))
    category = Difference.objects.get(kind=DifferenceKind.CATEGORY)
    Difference.objects.filter(pk=category.pk).update(
        detail="旧名单：五年级", detail_code="", detail_params={}
    )
    category.refresh_from_db()

    with translation.override("en"):
        assert category.detail_text == "旧名单：五年级"


def test_the_api_names_people_by_full_name_beside_the_login_name(personas, school, pupils):
    client = signed_in(personas.supervisor, "en")
    made = client.post(
        "/api/v1/crosschecks/",
        {"kind": "school", "school": str(school.pk), "file": csv_upload(school_rows(pupils))},
    ).json()
    assert (made["uploaded_by"], made["uploaded_by_name"]) == ("supervisor", "王丽")

    director = signed_in(personas.dir_a, "en")
    (row,) = director.get("/api/v1/crosscheck-differences/").json()["results"]
    assert (row["responsible"], row["responsible_name"]) == ("dir_a", "刘云")
    assert row["detail"] == f"Register: {school.name} 5年级"
    director.post(
        f"/api/v1/crosscheck-differences/{row['id']}/close/",
        {"resolution": "in_school", "reason": "已到校核实"},
        content_type="application/json",
    )
    closed = director.get(f"/api/v1/crosscheck-differences/{row['id']}/").json()
    assert (closed["closed_by"], closed["closed_by_name"]) == ("dir_a", "刘云")
    assert director.get("/api/v1/crosscheck-differences/").json()["results"][0]["closed_by_name"] == "刘云"


# --- the rows written before the codes ------------------------------------------------------------

fill = import_module("shouhu.crosschecks.migrations.0003_words_fill_difference_detail_codes")


class Old:
    def __init__(self, kind: str, detail: str) -> None:
        self.kind, self.detail = kind, detail


@pytest.mark.parametrize(
    "kind, detail, expected",
    [
        (
            "category",
            "王市镇中心小学 五年级 2班；学校名单：双亲留守",
            (
                "crosscheck.detail.category",
                {"school": "王市镇中心小学", "where": "五年级 2班", "left_behind": "both_parents"},
            ),
        ),
        (
            "unregistered",
            "王市镇中心小学 五年级 1班",
            ("crosscheck.detail.listed", {"school": "王市镇中心小学", "where": "五年级 1班"}),
        ),
        (
            "dropout",
            "名册：王市镇中心小学 五年级",
            ("crosscheck.detail.registered", {"school": "王市镇中心小学", "grade": "五年级"}),
        ),
        (
            "difficulty",
            "户主 张大山，低保",
            ("crosscheck.detail.household", {"head": "张大山", "assistance": "dibao"}),
        ),
        ("unregistered", "别的学校 五年级", None),
    ],
)
def test_old_differences_get_their_code_where_the_words_say_it(kind, detail, expected):
    assert fill.detail_code(Old(kind, detail), "王市镇中心小学") == expected
