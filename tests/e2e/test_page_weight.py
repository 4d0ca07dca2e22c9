"""What each page of the director's and the county's journeys costs on a phone: the bytes Chromium
receives (headers and bodies as sent: the static files gzipped by WhiteNoise as production serves them
after ``collectstatic``, the pages themselves as rendered), with the browser's cache off, so each page
counts everything it loads, as on a first visit. The largest stays under 200 KB on 390×844."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.management import call_command
from django.test.testcases import LiveServerThread
from django.urls import reverse
from playwright.sync_api import expect

from shouhu.cases.models import Alert
from tests import factories as f
from tests.cases.web.conftest import record_alone
from tests.e2e.conftest import DESK, sign_in

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

BUDGET = 200 * 1024
MORE_CHILDREN = 52  # more than a page of the list (50), each with a visit due: full pages to weigh


class Served:
    """The live server with its static files served by WhiteNoise from a collected, compressed
    STATIC_ROOT (as `shouhu collectstatic` leaves it in production), not by Django's test handler."""

    def __init__(self, thread: LiveServerThread):
        self.thread = thread
        self.url = f"http://{thread.host}:{thread.port}"


@pytest.fixture
def served(transactional_db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    settings.WHITENOISE_USE_FINDERS = False  # what shouhu.settings decides once STATIC_ROOT is filled
    thread = LiveServerThread("localhost", static_handler=lambda handler: handler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield Served(thread)
    thread.terminate()


class Scale:
    """Weighs pages: every response of a page load, headers and body as received."""

    def __init__(self, page):
        self.page = page
        self.requests: list = []
        page.on("requestfinished", lambda request: self.requests.append(request))
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.weights: dict[str, int] = {}
        self.parts: dict[str, int] = {}  # of the last page: each response's bytes

    def weigh(self, name: str, url: str, ready: str = "") -> int:
        """The bytes of loading ``url``, once ``ready`` (a selector) is there if given."""
        self.requests.clear()
        response = self.page.goto(url, wait_until="networkidle")
        assert response.ok, (name, url, response.status)
        if ready:
            self.page.locator(ready).first.wait_for()
            self.page.wait_for_load_state("networkidle")
        parts = {}
        for request in self.requests:
            sizes = request.sizes()
            parts[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        self.parts = parts
        self.weights[name] = total = sum(parts.values())
        return total

    def print(self, who: str) -> tuple[str, int]:
        print(f"\n{who}: bytes received per page, cache off")
        for name, size in self.weights.items():
            print(f"  {size / 1024:7.1f} KB  {name}")
        name, size = max(self.weights.items(), key=lambda kv: kv[1])
        print(f"  largest: {name}, {size / 1024:.1f} KB (budget {BUDGET // 1024} KB)")
        return name, size


def sign_in_with_code(page, url: str, user) -> None:
    """Password, then the authenticator's code (the county's roles must use two-factor sign-in)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{url}/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(f.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_label("验证码").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{url}/")


@pytest.fixture
def busy_village(registry):
    """Village A with more children than a page of the list, each with a visit due, and an urgent alert."""
    for n in range(MORE_CHILDREN):
        f.make_child(
            name=f"潘{'一二三四五六七八九十'[n % 10]}{'甲乙丙丁戊己'[n // 10]}",
            village=f.VILLAGE_A,
            birth_date=dt.date(2012, 1, 1) + dt.timedelta(days=37 * n),
            parents={"father": f.migrant(), "mother": f.migrant()},
        )
    return registry, record_alone(registry.dir_a, registry.child_a)


def test_every_page_of_the_directors_and_the_countys_journeys_weighs_under_200_kb_on_a_phone(
    page, browser, served, busy_village
):
    registry, alert = busy_village
    sign_in(page, served, "dir_a")
    scale = Scale(page)
    child = registry.child_a.pk
    pages = {
        "home": reverse("home"),
        "my work": reverse("visits:work"),
        "notifications": reverse("visits:notifications"),
        "children": reverse("children:list"),
        "child's file": reverse("children:detail", kwargs={"pk": child}),
        "record a visit": reverse("visits:visit_new", kwargs={"pk": child}),
        "register a child": reverse("children:create"),
        "report": reverse("cases:report_new"),
        "alerts": reverse("cases:alerts"),
        "the alert": reverse("cases:alert", kwargs={"alert_id": alert.pk}),
    }
    for name, path in pages.items():
        scale.weigh(name, served.url + path)
    expect(page.get_by_role("heading", level=1)).to_contain_text("16周岁以下儿童独居或无人照料")
    name, size = scale.print("director, 390×844")
    assert size < BUDGET, (name, size)
    assert scale.weights["children"] > 10 * 1024  # a full page of rows was weighed, not an empty list

    # The county's journey, on the same registry (made once: registering the village takes a while).
    page.context.clear_cookies()
    sign_in_with_code(page, served.url, registry.county)
    scale.weights = {}
    pages = {
        "home": reverse("home"),
        "dashboard": reverse("insight:home"),
        "county": reverse("insight:region", kwargs={"code": f.COUNTY}),
        "township": reverse("insight:region", kwargs={"code": f.TOWNSHIP}),
        "village": reverse("insight:region", kwargs={"code": f.VILLAGE_A}),
        "the village's children": reverse("children:list") + f"?region={f.VILLAGE_A}",
        "overdue work": reverse("visits:work"),
        "alerts": reverse("cases:alerts"),
        "cases": reverse("cases:cases"),
        "quarterly reports": reverse("quarterly:list"),
    }
    for name, path in pages.items():
        scale.weigh(name, served.url + path)
    name, size = scale.print("county, 390×844")
    assert size < BUDGET, (name, size)
    assert Alert.objects.filter(status="open").exists()

    # On a phone the charts come when asked for; at a desk they are drawn at once, and cost more.
    page.goto(served.url + reverse("insight:region", kwargs={"code": f.COUNTY}))
    page.get_by_role("button", name="显示图表").click()
    page.locator("#chart-categories canvas").first.wait_for()
    context = browser.new_context(viewport=DESK, locale="zh-CN", storage_state=page.context.storage_state())
    try:
        desk = Scale(context.new_page())
        county = served.url + reverse("insight:region", kwargs={"code": f.COUNTY})
        size = desk.weigh("county dashboard", county, ready="#chart-categories canvas")
        charts = sum(n for url, n in desk.parts.items() if "echarts" in url)
        print(
            f"  at a desk (1366×768) the county's dashboard with its charts: {size / 1024:.1f} KB"
            f" in {len(desk.parts)} responses, ECharts {charts / 1024:.1f} KB"
        )
    finally:
        context.close()
