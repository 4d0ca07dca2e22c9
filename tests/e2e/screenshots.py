"""Screenshots of the key pages of each journey of the people Shouhu serves, for reviewers.

    make screenshots
    .venv/bin/python tests/e2e/screenshots.py [--out var/screenshots] [--keep DIR] [--children N]

It seeds a scratch demo (SQLite in a temporary directory, or in ``--keep DIR``, where a second run
reuses it), serves it with ``shouhu demo-ready --serve`` on a free local port, signs in as each
journey's persona in Debian's Chromium (Playwright) and saves a full-page PNG of every page listed in
``JOURNEYS`` at 390×844 (a phone) and 1366×768 (a desk), in Chinese and in English:
``OUT/<journey>/<nn>-<page>.<language>.<width>x<height>.png``.

The journeys are those the browser tests keep working: the director's day on her phone, a child found
alone and the supervisor's urgent alert, the supervisor's township, the county's dashboard drilled
down to a village, and the import of a register. Not part of ``make test``;
tests/e2e/test_screenshots.py checks that every page listed here still resolves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEWPORTS = ((390, 844), (1366, 768))
LANGUAGES = ("zh-hans", "en")
WANGSHI = "341623110"  # 王市镇
QIANPAN = "341623110202"  # 王市镇 前潘村
GAOZHAI = "341623110203"  # 王市镇 高寨村
COUNTY = "341623"  # 利辛县


@dataclass(frozen=True)
class Page:
    slug: str
    url_name: str
    kwargs: dict[str, str] = field(default_factory=dict)  # URL argument -> a key of FINDERS
    query: str = ""
    user: str | None = None  # another persona than the journey's


@dataclass(frozen=True)
class Journey:
    slug: str
    username: str
    pages: tuple[Page, ...]


JOURNEYS = (
    Journey(
        "1-director-visit",
        "director-qianpan",
        (
            Page("home", "home"),
            Page("my-work", "visits:work"),
            Page("children", "children:list"),
            Page("child-file", "children:detail", {"pk": "qianpan_child"}),
            Page("record-visit", "visits:visit_new", {"pk": "qianpan_child"}),
        ),
    ),
    Journey(
        "2-child-alone",
        "director-gaozhai",
        (
            Page("my-work", "visits:work"),
            Page("child-file", "children:detail", {"pk": "gaozhai_child"}),
            Page("report", "cases:child_report", {"pk": "gaozhai_child"}),
            Page("supervisor-alerts", "cases:alerts", user="supervisor-wangshi"),
            Page("supervisor-alert", "cases:alert", {"alert_id": "gaozhai_alert"}, user="supervisor-wangshi"),
        ),
    ),
    Journey(
        "3-supervisor-township",
        "supervisor-wangshi",
        (
            Page("home", "home"),
            Page("my-work", "visits:work"),
            Page("township", "insight:region", {"code": "wangshi"}),
            Page("cases", "cases:cases"),
            Page("case", "cases:case", {"case_id": "wangshi_case"}),
        ),
    ),
    Journey(
        "4-county-dashboard",
        "county-centre",
        (
            Page("dashboard", "insight:home"),
            Page("county", "insight:region", {"code": "county"}),
            Page("township", "insight:region", {"code": "wangshi"}),
            Page("village", "insight:region", {"code": "qianpan"}),
            Page("children", "children:list", query=f"region={QIANPAN}"),
        ),
    ),
    Journey(
        "5-import",
        "county-centre",
        (Page("upload", "imports:upload"),),
    ),
)


def _qianpan_child():
    from shouhu.children.models import Child

    child = (
        Child.objects.filter(village_id=QIANPAN, categories__category_id="left_behind", exited_on=None)
        .order_by("name")
        .first()
    )
    return child and child.pk


def _gaozhai_child():
    from shouhu.children.models import Child
    from shouhu.demo.activity import HOUSEHOLD

    child = Child.objects.filter(village_id=GAOZHAI, name=HOUSEHOLD[0][0]).first()
    return child and child.pk


def _gaozhai_alert():
    from shouhu.cases.models import Alert, AlertStatus

    alert = (
        Alert.objects.filter(child__village_id=GAOZHAI, status=AlertStatus.OPEN)
        .order_by("-severity", "-opened_at")
        .first()
    )
    alert = (
        Alert.objects.filter(child__village_id=GAOZHAI, status=AlertStatus.OPEN, severity="urgent").first()
        or alert
    )
    return alert and alert.pk


def _wangshi_case():
    from shouhu.cases.models import Case, CaseStatus

    cases = Case.objects.filter(region_code__startswith=WANGSHI).exclude(status=CaseStatus.CLOSED)
    case = cases.filter(status=CaseStatus.CLOSE_REQUESTED).first() or cases.order_by("-opened_at").first()
    return case and case.pk


# What a URL's arguments are, found in the seeded demo; SAMPLES gives a value of the same kind for
# the test that reverses every page without a demo.
FINDERS: dict[str, Callable[[], object]] = {
    "qianpan_child": _qianpan_child,
    "gaozhai_child": _gaozhai_child,
    "gaozhai_alert": _gaozhai_alert,
    "wangshi_case": _wangshi_case,
    "county": lambda: COUNTY,
    "wangshi": lambda: WANGSHI,
    "qianpan": lambda: QIANPAN,
}
SAMPLES = {
    "qianpan_child": "00000000-0000-4000-8000-000000000001",
    "gaozhai_child": "00000000-0000-4000-8000-000000000002",
    "gaozhai_alert": "00000000-0000-4000-8000-000000000003",
    "wangshi_case": "00000000-0000-4000-8000-000000000004",
    "county": COUNTY,
    "wangshi": WANGSHI,
    "qianpan": QIANPAN,
}


def path_of(page: Page, values: dict[str, object]) -> str:
    from django.urls import reverse

    path = reverse(page.url_name, kwargs={arg: values[key] for arg, key in page.kwargs.items()})
    return f"{path}?{page.query}" if page.query else path


def usernames() -> set[str]:
    return {j.username for j in JOURNEYS} | {p.user for j in JOURNEYS for p in j.pages if p.user}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo_env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_OWNER_URL")}
    env.pop("CELERY_BROKER_URL", None)
    env.pop("SHOUHU_FIELD_KEY", None)  # the demo's own key, kept in var/field.key
    env.update(
        DJANGO_SETTINGS_MODULE="shouhu.settings",
        SHOUHU_VAR=str(var),
        SHOUHU_INSECURE_DEV_KEY="true",
        DEBUG="false",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])),
    )
    return env


def _serve(var: Path, port: int, children: int, log) -> subprocess.Popen:
    shouhu = Path(sys.executable).with_name("shouhu")
    command = [str(shouhu), "demo-ready", "--children", str(children), "--serve", f"127.0.0.1:{port}"]
    return subprocess.Popen(command, cwd=ROOT, env=_demo_env(var), stdout=log, stderr=subprocess.STDOUT)


def _wait_ready(url: str, server: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the demo server stopped (exit code {server.returncode}); see its log")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the demo server did not answer within {seconds:.0f} s")


def _sign_in(browser, url: str, username: str) -> dict:
    """Sign in once per persona (a TOTP code is accepted once): the session, for every context."""
    from django_otp.oath import totp

    from shouhu.demo import seed as demo

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.PASSWORD)
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    if "/account/otp/" in page.url:
        page.fill("#id_code", f"{totp(demo.OTP_KEY):06d}")
        with page.expect_navigation():
            page.press("#id_code", "Enter")
    if "/login/" in page.url or "/account/otp/" in page.url:
        said = page.locator("main").inner_text()[:500]
        raise SystemExit(f"could not sign in as {username} ({page.url}):\n{said}")
    state = context.storage_state()
    context.close()
    return state


def shoot(url: str, out: Path, chromium: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    values = {key: find() for key, find in FINDERS.items()}
    missing = sorted(key for key, value in values.items() if value is None)
    if missing:
        raise SystemExit(f"the demo lacks what these pages need: {', '.join(missing)}")
    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        states = {username: _sign_in(browser, url, username) for username in sorted(usernames())}
        for journey in JOURNEYS:
            for language in LANGUAGES:
                for width, height in VIEWPORTS:
                    contexts = {}
                    for n, page_spec in enumerate(journey.pages, start=1):
                        user = page_spec.user or journey.username
                        if user not in contexts:
                            contexts[user] = browser.new_context(
                                storage_state=states[user],
                                viewport={"width": width, "height": height},
                                is_mobile=width < 600,
                                has_touch=width < 600,
                                locale="zh-CN" if language == "zh-hans" else "en-GB",
                            )
                            contexts[user].add_cookies(
                                [{"name": "django_language", "value": language, "url": url}]
                            )
                        page = contexts[user].new_page()
                        page.goto(url + path_of(page_spec, values))
                        page.wait_for_load_state("networkidle")
                        target = (
                            out / journey.slug / f"{n:02d}-{page_spec.slug}.{language}.{width}x{height}.png"
                        )
                        target.parent.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(target), full_page=True)
                        page.close()
                        saved.append(target)
                        print(f"  {target.relative_to(out)}", flush=True)
                    for context in contexts.values():
                        context.close()
        browser.close()
    return saved


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    parser.add_argument("--keep", type=Path, help="seed the demo here and keep it (a second run reuses it)")
    parser.add_argument("--children", type=int, default=3000, help="children of the demo (default 3000)")
    args = parser.parse_args(argv)
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("needs Chromium (Debian package 'chromium'); none found on PATH")
    var = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="shouhu-screenshots-"))
    var.mkdir(parents=True, exist_ok=True)
    out = args.out.resolve()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = var / "server.log"
    print(f"Seeding (first run only) and serving a scratch demo in {var}; log in {log_path}", flush=True)
    with open(log_path, "ab") as log:
        server = _serve(var, port, args.children, log)
    try:
        _wait_ready(url, server, 1200)
        for name in ("DATABASE_URL", "DATABASE_OWNER_URL", "CELERY_BROKER_URL", "SHOUHU_FIELD_KEY"):
            os.environ.pop(name, None)
        os.environ.update(_demo_env(var))
        import django

        django.setup()
        saved = shoot(url, out, chromium)
        print(f"{len(saved)} screenshots in {out}")
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        if not args.keep:
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
