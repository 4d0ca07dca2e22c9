"""A village child director's day, in a real browser on her phone and at the township's desk."""

import os

import pytest

from tests import factories as f
from tests.e2e.conftest import on_screen

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args, screen):
    return on_screen(browser_context_args, screen)


def test_a_director_finds_a_child_by_two_characters_and_opens_the_file(page, live_server, registry):
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill("dir_a")
    page.get_by_label("密码").fill(f.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="儿童名册").click()
    page.get_by_role("searchbox").fill("梦巧")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="梦巧").click()

    assert page.get_by_role("heading", level=1).inner_text() == "梦巧"
    assert page.locator(".filehead .badge").first.inner_text() == "农村留守儿童"
