"""Visits in a real browser: a child director records a due visit (on her phone and at a desk); a
township supervisor hands an overdue visit to another director from her desk."""

import os

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, on_screen, sign_in
from tests.visits.web.conftest import late_item

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args, screen):
    return on_screen(browser_context_args, screen)


def test_a_director_records_a_due_visit_with_one_tap(page, live_server, registry):
    sign_in(page, live_server, "dir_a")

    page.get_by_role("link", name="我的工作").click()
    page.locator("li.item", has_text="走访 梦巧").get_by_role("button", name="登记走访").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("走访 梦巧")
    page.get_by_role("button", name="保存").click()

    page.wait_for_url(f"{live_server.url}/work/")
    expect(page.get_by_role("status")).to_contain_text("已保存对 梦巧 的走访。")
    expect(page.locator("ul.items.done")).to_contain_text("走访 梦巧")
    expect(page.get_by_role("button", name="登记走访")).to_have_count(0)


def test_a_supervisor_reassigns_an_overdue_visit_to_another_director(browser, live_server, registry):
    late_item(registry.child_a, registry.dir_a, days=3)
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, live_server, "supervisor")

        page.get_by_role("link", name="我的工作").click()
        row = page.locator("table.overdue-summary tr", has_text="刘云")
        expect(row).to_contain_text("前潘村")
        expect(row).to_contain_text("1 项")
        row.get_by_role("link").click()

        late = page.locator("tr.overdue", has_text="走访 梦巧")
        expect(late.locator("td.who")).to_have_text("刘云")
        late.get_by_label("改派给").select_option(label="高芳（高寨村村民委员会）")
        late.get_by_role("button", name="改派").click()

        expect(page.get_by_role("status")).to_contain_text("已将“走访 梦巧”改派给 高芳。")
        expect(page.locator("tr.overdue", has_text="走访 梦巧").locator("td.who")).to_have_text("高芳")
    finally:
        context.close()
