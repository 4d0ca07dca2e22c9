"""A township supervisor opens the dashboard, on her phone and at her desk: the charts draw from the
vendored ECharts under the site's Content-Security-Policy (at a desk at once; on a phone when she asks,
the tables holding the same figures), and a township row drills down to its village."""

import os

import pytest

from tests import factories as f
from tests.e2e.conftest import on_screen

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args, screen):
    return on_screen(browser_context_args, screen)


def test_the_supervisor_sees_charts_and_drills_down_to_a_village(page, live_server, registry, screen):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None
        ),
    )
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill("supervisor")
    page.get_by_label("密码").fill(f.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    echarts = []
    page.on("request", lambda r: echarts.append(r.url) if "echarts" in r.url else None)
    page.get_by_role("link", name="数据看板").click()
    page.wait_for_url(f"**/regions/{f.TOWNSHIP}/dashboard/")
    if screen == "phone":
        assert page.locator("table.areas").is_visible() and not echarts  # the figures, without 330 KB
        page.get_by_role("button", name="显示图表").click()
    page.locator("#chart-categories canvas").first.wait_for()
    assert page.locator("#chart-areas canvas").count() >= 1

    page.locator("table.areas").get_by_role("link", name="前潘村").click()
    page.wait_for_url(f"**/regions/{f.VILLAGE_A}/dashboard/")
    assert "前潘村" in page.get_by_role("heading", level=1).inner_text()
    assert not errors, errors
