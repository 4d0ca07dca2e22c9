"""Under the strict Content-Security-Policy, in a real browser: the API docs page still renders and a
county user signs in with a two-factor code."""

import os

import pytest

from shouhu.regions.loader import load_regions
from tests import factories as f

from .conftest import code_for, device_for

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def county(transactional_db):
    load_regions(f.COUNTY)
    return f.make_user("county", "county_staff", f.COUNTY, full_name="闫林")


def violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


def test_the_api_docs_page_renders_under_the_policy(page, live_server, transactional_db):
    blocked = violations(page)

    page.goto(f"{live_server.url}/api/docs/")

    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    assert page.locator(".opblock").count() > 10
    assert blocked == []


def test_a_county_user_signs_in_with_a_password_and_a_code(page, live_server, county):
    device = device_for(county)
    blocked = violations(page)

    page.goto(f"{live_server.url}/children/")
    page.get_by_label("用户名").fill("county")
    page.get_by_label("密码").fill(f.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_label("动态验证码").fill(code_for(device))
    page.get_by_role("button", name="验证").click()

    page.wait_for_url(f"{live_server.url}/children/")
    assert blocked == []
