"""Browser tests: a phone-sized Chromium against the live server."""

import pytest

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
#: The two screens the journeys are walked on: Liu Yun's phone and the township's desk.
SCREENS = {
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
    "desk": {"viewport": DESK, "is_mobile": False, "has_touch": False},
}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": PHONE,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
    }


@pytest.fixture(params=list(SCREENS))
def screen(request) -> str:
    """Walk a journey on each screen: a module that asks for it overrides ``browser_context_args``
    with ``on_screen``."""
    return request.param


def on_screen(browser_context_args: dict, screen: str) -> dict:
    return {**browser_context_args, **SCREENS[screen]}


@pytest.fixture
def registry(transactional_db):
    """Transactional tests start from empty tables: load the county, the national categories and the
    situations a mandatory report names (data the migrations load, emptied by the flush); then the
    personas. Each child registered gets its due visits at once (the category change schedules them)."""
    from shouhu.cases.harms import HARM_TYPES
    from shouhu.cases.models import HarmType
    from shouhu.children.classify import NATIONAL_CATEGORIES
    from shouhu.children.models import Category
    from shouhu.regions.loader import load_regions
    from tests import factories as f

    load_regions(f.COUNTY)
    for order, (code, name, name_en) in enumerate(NATIONAL_CATEGORIES):
        Category.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )
    for order, (code, name, statutory) in enumerate(HARM_TYPES):
        HarmType.objects.update_or_create(
            code=code, defaults={"name": name, "statutory": statutory, "order": order}
        )
    return f.Personas.create()


def sign_in(page, live_server, username: str) -> None:
    """Sign in through the form as ``username`` (a persona without two-factor) and land on the home page."""
    from tests import factories as f

    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
