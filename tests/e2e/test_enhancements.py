"""Small enhancements on a phone, each working without JavaScript too: a notice marked read in place
(htmx), the alert list paged without reloading the page (htmx), and a quarterly report's generation
saying that it is under way while the server prepares it."""

import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from shouhu.escalation.models import Channel, Notification
from tests.cases.web.conftest import record_alone
from tests.e2e.conftest import PHONE, sign_in

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def mark_page(page) -> None:
    """A mark that lives as long as the page: a full reload loses it."""
    page.evaluate("window.notReloaded = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.notReloaded === true")


def test_a_notice_is_marked_read_in_place(page, live_server, registry):
    record_alone(registry.dir_a, registry.child_a)
    notes = Notification.objects.filter(user=registry.dir_a, channel=Channel.IN_APP, read_at=None)
    unread = notes.count()
    assert unread >= 1
    sign_in(page, live_server, "dir_a")
    page.goto(live_server.url + reverse("visits:notifications"))
    mark_page(page)

    first = page.locator("ul.notes > li.unread").first
    first.get_by_role("button", name="标为已读").click()

    expect(page.locator("ul.notes > li.unread")).to_have_count(unread - 1)
    expect(page.locator("ul.notes > li")).to_have_count(unread)  # the notice stays, read
    assert not_reloaded(page)
    assert notes.count() == unread - 1


def test_without_javascript_marking_a_notice_read_reloads_the_list(browser, live_server, registry):
    record_alone(registry.dir_a, registry.child_a)
    unread = Notification.objects.filter(user=registry.dir_a, channel=Channel.IN_APP, read_at=None).count()
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, "dir_a")
        page.goto(live_server.url + reverse("visits:notifications"))
        page.locator("ul.notes > li.unread").first.get_by_role("button", name="标为已读").click()
        page.wait_for_url("**/work/notifications/")
        expect(page.locator("ul.notes > li.unread")).to_have_count(unread - 1)
    finally:
        context.close()


@pytest.fixture
def two_pages_of_alerts(registry, monkeypatch):
    """Two homes with an urgent alert each, one home a page."""
    from shouhu.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    record_alone(registry.dir_a, registry.child_a)
    record_alone(registry.dir_b, registry.child_b)
    return registry


@pytest.mark.parametrize("script", [True, False], ids=["htmx", "no-script"])
def test_the_alert_list_pages_without_reloading(browser, live_server, two_pages_of_alerts, script):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", java_script_enabled=script
    )
    try:
        page = context.new_page()
        sign_in(page, live_server, "supervisor")
        page.goto(live_server.url + reverse("cases:alerts"))
        expect(page.locator("li.alert-group")).to_have_count(1)
        first = page.locator("li.alert-group p.child").inner_text()
        if script:
            mark_page(page)

        page.get_by_role("link", name="下一页").click()

        page.wait_for_url("**/alerts/?page=2")
        expect(page.get_by_text("第 2 / 2 页")).to_be_visible()
        expect(page.locator("li.alert-group")).to_have_count(1)
        assert page.locator("li.alert-group p.child").inner_text() != first
        if script:
            assert not_reloaded(page)
            page.go_back()
            expect(page.get_by_text("第 1 / 2 页")).to_be_visible()
    finally:
        context.close()


def test_generating_a_quarterly_report_says_it_is_being_prepared(page, live_server, registry):
    sign_in(page, live_server, "supervisor")
    page.goto(live_server.url + reverse("quarterly:list"))
    # Stand for the seconds the server takes: this sending goes nowhere, and the page stays as it is.
    page.locator("form[data-busy]").evaluate("f => f.addEventListener('submit', e => e.preventDefault())")

    button = page.get_by_role("button", name="生成报告")
    button.click()

    expect(page.get_by_role("status")).to_have_text(
        "正在生成报告（PDF 和 Excel），可能需要十几秒，请不要关闭本页。"
    )
    expect(button).to_be_disabled()  # a second tap sends nothing
    expect(button).to_have_attribute("aria-busy", "true")

    page.reload()
    page.get_by_role("button", name="生成报告").click()
    page.wait_for_url("**/quarterly/*-*/")
    expect(page.get_by_role("link", name="下载 PDF")).to_be_visible()
