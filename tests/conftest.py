"""Shared test set-up: Lixin County's real divisions, and fixed personas.

Personas (the ``personas`` fixture, ``tests.factories.Personas``): a director of village A and of
village B in Wangshi town, a director of village C in Kantuan town, the Wangshi supervisor, a county
official, a civil-affairs official, an administrator, a mentor with one granted child, and a social
worker with none.

Every test runs on the tests' clock (``tests/clock.py``): a moment chosen on purpose, never the
machine's date; a test marked ``@pytest.mark.time_machine(...)`` runs at its own moment.

Tests that need PostgreSQL or Chromium are skipped, with the reason printed, when those are absent;
with SHOUHU_REQUIRE_ALL=1 (set by CI) such a skip is a failure instead.
"""

import os
import shutil

import pytest
import time_machine

from tests import clock
from tests import factories as f

REQUIRE_ALL = os.environ.get("SHOUHU_REQUIRE_ALL", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(item) -> str | None:
    if item.get_closest_marker("postgres") and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return "needs PostgreSQL: set DATABASE_URL=postgresql://… to run it"
    if item.get_closest_marker("browser") and not CHROMIUM:
        return "needs Chromium (Debian package 'chromium'); none found on PATH"
    return None


def _commits(item) -> bool:
    """A test that commits (a transactional test, a live server for the browser) ends with a flush that
    empties every table, the county's divisions loaded once for the session included."""
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return (
        "live_server" in names
        or "transactional_db" in names
        or bool(marker and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that commit run after all the others, whatever order pytest's own grouping of parametrized
    fixtures (the browser's, for one) chose."""
    items[:] = [i for i in items if not _commits(i)] + [i for i in items if _commits(i)]


def pytest_runtest_setup(item):
    reason = _unavailable(item)
    if reason is None:
        return
    if REQUIRE_ALL:
        pytest.fail(f"SHOUHU_REQUIRE_ALL is set but this test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def chosen_day():
    """Session and module fixtures (a seeded demo population) are made at ``clock.NOW`` as well, the
    clock standing still between tests, so that what they made is never later than a test's moment."""
    with time_machine.travel(clock.NOW, tick=False):
        yield


@pytest.fixture(scope="session", autouse=True)
def media_of_this_worker():
    """Under pytest-xdist (``-n 2``) each worker keeps its files in a folder of its own: some tests
    check what an import leaves behind in MEDIA_ROOT."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        yield
        return
    from django.conf import settings
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=os.path.join(settings.MEDIA_ROOT, worker)):
        yield


@pytest.fixture(autouse=True)
def chosen_moment(request, time_machine):
    """Start every test at ``clock.NOW`` unless it names its own moment with the time_machine marker."""
    if request.node.get_closest_marker("time_machine") is None:
        time_machine.move_to(clock.NOW, tick=True)
    return time_machine


@pytest.fixture(autouse=True)
def registry_language():
    """Every test starts in the registry's language (zh-Hans): a request in English earlier in the run
    leaves its language active in the thread, which would otherwise leak into the tests after it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


APP_ROLE: dict = {}  # the application role's credentials while the owner makes the test database


def _credentials(creds: dict) -> None:
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
    connections["default"].settings_dict.update(creds)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """With DATABASE_OWNER_URL (CI), the owner role makes and migrates the test database, as it does in
    production; ``django_db_setup`` below then grants the application's role and the tests run as it."""
    from django.db import connections

    from shouhu.ops import dbroles

    creds = dbroles.owner_credentials()
    settings_dict = connections["default"].settings_dict
    if creds and settings_dict["ENGINE"] == "django.db.backends.postgresql":
        APP_ROLE.update({k: settings_dict.get(k) for k in creds})
        _credentials(creds)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from shouhu.ops import dbroles
    from shouhu.regions.loader import load_regions

    with django_db_blocker.unblock():
        load_regions(f.COUNTY)
        if APP_ROLE:
            dbroles.apply(app_role=APP_ROLE["USER"])
            _credentials(APP_ROLE)
    if not APP_ROLE:
        yield
        return
    # A transactional test is emptied by TRUNCATE, which the application's role may not do (the audit
    # tables above all): the flush between such tests runs as the owner, like a migration.
    from django.core.management.commands import flush

    handle = flush.Command.handle

    def handle_as_owner(self, *args, **options):
        with dbroles.as_owner():
            return handle(self, *args, **options)

    flush.Command.handle = handle_as_owner
    try:
        yield
    finally:
        flush.Command.handle = handle
        with django_db_blocker.unblock():
            _credentials(dbroles.owner_credentials())  # the owner drops the test database


@pytest.fixture
def app_role():
    """The name of the role the tests run as when it is not the owner; skipped (a failure in CI) when
    DATABASE_OWNER_URL is not set and the tests run as the owner."""
    if not APP_ROLE:
        reason = "needs DATABASE_OWNER_URL (the owner role) beside DATABASE_URL (the application's role)"
        if REQUIRE_ALL:
            pytest.fail(f"SHOUHU_REQUIRE_ALL is set but this test cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    return APP_ROLE["USER"]


@pytest.fixture
def personas(db):
    return f.Personas.create()


def second_factor_given(client, user) -> None:
    """Mark ``client``'s session as having passed the two-factor step, with a device of ``user``'s."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def signed_in_with_second_factor(monkeypatch):
    """``force_login`` stands for the whole sign-in, the two-factor step of the roles that need one
    included (tests/accounts_security tests the steps themselves). API throttles start afresh."""
    from django.core.cache import cache
    from django.test.client import ClientMixin

    from shouhu.accounts import security

    cache.clear()
    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        if security.needs_code(user):
            second_factor_given(self, user)

    monkeypatch.setattr(ClientMixin, "_login", _login)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
