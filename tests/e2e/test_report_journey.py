"""Find and intervene in a real browser: a child director (on her phone, and at a desk) reports a child
left alone and records it in the file; the township supervisor at her desk finds the urgent alert with
its deadline."""

import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shouhu.cases.models import Alert, Report
from tests.e2e.conftest import DESK, on_screen, sign_in

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args, screen):
    return on_screen(browser_context_args, screen)


def test_a_director_reports_a_child_alone_and_the_supervisor_finds_the_urgent_alert(
    page, browser, live_server, registry, screen
):
    sign_in(page, live_server, "dir_a")
    page.get_by_role("link", name="儿童名册").click()
    page.get_by_role("link", name="梦巧").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("梦巧")

    page.locator("section.risk").get_by_role("button", name="强制报告").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("提交强制报告")
    page.get_by_label("被遗弃或长期处于无人照料状态").check()
    page.get_by_label("所见情况").fill("孩子一个人在家，奶奶住院，已经三天没有大人。")
    page.get_by_label("紧急：儿童正处于危险中").check()
    page.get_by_role("button", name="提交报告").click()

    report = Report.objects.get(reporter=registry.dir_a)
    expect(page.locator("section.filed")).to_contain_text(f"报告已提交，编号 {report.reference}。")
    expect(page.locator("section.filed")).to_contain_text("须在 2 小时内")
    page.get_by_role("button", name="修改 梦巧 的档案").click()
    page.get_by_label("实际监护").select_option(label="独自居住")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("已保存 梦巧 的档案。")
    expect(page.locator(".filehead .badge.risk")).to_have_text("紧急（红）")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{live_server.url}/login/")

    alert = Alert.objects.get(child=registry.child_a, rule="alone_under_16")
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    desk = context.new_page()
    try:
        sign_in(desk, live_server, "supervisor")
        desk.get_by_role("link", name="预警").click()
        entry = desk.locator(f"#alert-{alert.pk}")
        expect(desk.locator("li.alert-group", has=entry)).to_contain_text("梦巧")  # the home's alerts
        expect(entry).to_contain_text("16周岁以下儿童独居或无人照料")
        expect(entry.locator(".badge")).to_have_text("紧急")
        due = timezone.localtime(alert.work_item.due_at)
        expect(entry.locator(".due")).to_have_text(f"须在 {due:%Y-%m-%d %H:%M} 前处置")
        desk.get_by_role("link", name="强制报告").click()
        expect(desk.locator(f"#report-{report.pk}")).to_contain_text("未关联儿童")
    finally:
        context.close()
