"""Today first, on a phone (390×844): the menu is one row or folded in both languages, the ID number
fills the birth date and the sex, a child's file shows its primary action in the first screen, a
failed visit unticks and greys out what could not be seen, and the file's labels fit in English."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.e2e.conftest import sign_in

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

PHONE_HEIGHT = 844


def rows_of(page, selector: str) -> int:
    """How many rows the visible items of a list take (distinct tops)."""
    return page.eval_on_selector_all(
        selector,
        "els => new Set(els.filter(e => e.offsetParent !== null)"
        ".map(e => Math.round(e.getBoundingClientRect().top))).size",
    )


def assert_menu_fits(page) -> None:
    full = page.locator("nav.mainnav")
    if full.is_visible():
        assert rows_of(page, "nav.mainnav li") == 1
    bar = page.locator("nav.phonebar")
    expect(bar).to_be_visible()
    assert rows_of(page, "nav.phonebar li") == 1
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= PHONE_HEIGHT + 1  # at the bottom, on screen


@pytest.mark.parametrize("username", ["dir_a", "supervisor"])
def test_the_menu_is_one_row_or_folded_on_a_phone_in_chinese_and_english(
    page, live_server, registry, username
):
    sign_in(page, live_server, username)
    assert_menu_fits(page)
    expect(page.locator("nav.mainnav")).to_be_hidden()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_menu_fits(page)

    page.locator("nav.phonebar a.more").click()
    expect(page.locator("nav.mainnav")).to_be_visible()
    expect(page.locator("nav.mainnav li.desk").first).to_be_hidden()


def test_the_id_number_fills_the_birth_date_and_the_sex(page, live_server, registry):
    sign_in(page, live_server, "dir_a")
    page.locator("nav.phonebar").get_by_role("link", name="登记儿童").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记儿童")
    expect(page.locator("#id_village")).to_have_value(f.VILLAGE_A)  # her only village

    page.locator("#id_id_number").fill(f.id_number_for(dt.date(2016, 5, 6), gender="male"))

    expect(page.locator("#id_birth_date")).to_have_value("2016-05-06")
    expect(page.locator("input[name=gender][value=male]")).to_be_checked()
    expect(page.get_by_text("已按身份证号码填好出生日期和性别，请核对。")).to_be_visible()


def test_a_childs_file_shows_its_primary_action_in_the_first_screen(page, live_server, registry):
    sign_in(page, live_server, "dir_a")
    page.goto(f"{live_server.url}/children/{registry.child_a.pk}/")

    record = page.get_by_role("button", name="登记走访")
    expect(record).to_be_visible()
    box = record.bounding_box()
    assert box["y"] + box["height"] <= PHONE_HEIGHT
    risk = page.locator("section.risk").bounding_box()
    assert risk["y"] < PHONE_HEIGHT  # the risk begins on the first screen too

    record.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("走访 梦巧")


def test_a_failed_visit_unticks_and_greys_out_who_was_seen_and_the_observations(page, live_server, registry):
    sign_in(page, live_server, "dir_a")
    page.goto(f"{live_server.url}/children/{registry.child_a.pk}/visits/new/")
    seen = page.locator("fieldset.seen")
    expect(seen).to_be_enabled()

    child, guardian = page.get_by_label("儿童", exact=True), page.get_by_label("监护人/照料人")
    child.check()
    guardian.uncheck()

    page.get_by_label("未遇：锁门").check()

    expect(seen).to_be_disabled()
    expect(child).not_to_be_checked()  # nobody was seen
    expect(page.locator("fieldset.observed")).to_be_disabled()
    expect(page.get_by_label("情况记录")).to_be_enabled()

    page.get_by_label("已见到").check()
    expect(seen).to_be_enabled()
    expect(child).to_be_checked()  # as she had ticked them
    expect(guardian).not_to_be_checked()


def test_the_report_forms_villages_narrow_to_the_chosen_township(page, live_server, registry):
    sign_in(page, live_server, "dir_a")
    page.goto(f"{live_server.url}/reports/new/")
    expect(page.locator('a[href="tel:110"]')).to_have_text("110")
    township = page.get_by_label("所在乡镇（街道）")
    expect(township).to_have_value(f.TOWNSHIP)

    village = page.get_by_label("所在村/社区")
    expect(village.locator(f'option[value="{f.VILLAGE_A}"]')).to_be_enabled()
    expect(village.locator(f'option[value="{f.VILLAGE_C}"]')).to_be_disabled()

    township.select_option(f.VILLAGE_C[:9])
    expect(village.locator(f'option[value="{f.VILLAGE_C}"]')).to_be_enabled()
    expect(village.locator(f'option[value="{f.VILLAGE_A}"]')).to_be_disabled()


def test_the_files_labels_fit_their_column_in_english_on_a_phone(page, live_server, registry):
    sign_in(page, live_server, "dir_a")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_server.url}/children/{registry.child_a.pk}/")

    labels = page.eval_on_selector_all(
        "dl.facts dt",
        """els => els.filter(e => e.offsetParent !== null).map(e => {
            const style = getComputedStyle(e);
            const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
            return {text: e.innerText, lines: Math.round(e.clientHeight / line),
                    overflows: e.scrollWidth > e.clientWidth + 1, width: e.clientWidth};
        })""",
    )
    assert len(labels) >= 10
    worst = max(labels, key=lambda d: d["lines"])
    width, lines = worst["width"], worst["lines"]
    print(f"\nthe file's labels in English at 390 px: {width} px wide, at most {lines} lines")
    assert not [d["text"] for d in labels if d["overflows"]]  # no word runs out of its column
    assert worst["lines"] <= 2, worst
