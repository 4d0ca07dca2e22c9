"""Web security: the Content-Security-Policy and other headers, CSRF on every form, and the production
switch (HTTPS only: HSTS, secure cookies, redirect)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


def csp_of(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


def test_pages_carry_a_strict_content_security_policy(personas):
    client = Client()
    client.force_login(personas.dir_a)

    for response in (Client().get("/login/"), client.get("/children/")):
        policy = csp_of(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_pages_carry_the_other_security_headers():
    response = Client().get("/login/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "geolocation=()" in response["Permissions-Policy"]


# Printed documents are rendered to PDF on the server and never sent to a browser as HTML: the
# documents module's templates, and any other named *_pdf.html (the quarterly report's).
PDF_TEMPLATES = ROOT / "src" / "shouhu" / "documents" / "templates"


def printed(path) -> bool:
    return path.is_relative_to(PDF_TEMPLATES) or path.name.endswith("_pdf.html")


INLINE = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=")


def test_the_page_templates_hold_no_inline_script_or_style():
    """The policy forbids them: a page that used one would break in the browser."""
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "src" / "shouhu").rglob("templates/**/*.html")
        if not printed(path)
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]

    assert offenders == []


def test_the_api_docs_page_loads_its_script_from_a_file_and_relaxes_only_styles():
    response = Client().get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", page) == []
    policy = csp_of(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]
    script = re.search(r'<script src="([^"]*script[^"]*)"', page).group(1).replace("&amp;", "&")
    assert Client().get(script)["Content-Type"].startswith("application/javascript")


def test_the_api_docs_script_points_at_the_schema():
    page = Client().get("/api/docs/").content.decode()
    script = re.search(r'<script src="([^"]*script[^"]*)"', page).group(1).replace("&amp;", "&")

    assert "/api/schema/" in Client().get(script).content.decode()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login/", {"username": "dir_a", "password": f.PASSWORD}),
        ("/account/sign-out-everywhere/", {}),
        ("/account/tokens/revoke-all/", {}),
        ("/account/otp/setup/", {"code": "123456"}),
        ("/children/new/", {"name": "李梅"}),
        ("/logout/", {}),
    ],
)
def test_a_form_posted_without_the_csrf_token_is_refused(personas, path, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.dir_a)

    response = client.post(path, data)

    assert response.status_code == 403
    assert client.get("/children/").status_code == 200  # still signed in: nothing was done


def test_the_session_and_csrf_cookies_are_http_only(personas):
    client = Client()
    response = client.get("/login/")
    client.post("/login/", {"username": "dir_a", "password": f.PASSWORD})

    assert response.cookies["csrftoken"]["httponly"]
    assert client.cookies["sessionid"]["httponly"]


def _settings_with(**env) -> dict:
    code = (
        "import json, shouhu.settings as s; print(json.dumps({k: getattr(s, k) for k in ("
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY')}))"
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("SHOUHU_PRODUCTION", "SECURE_COOKIES")}
    environ.update({"SHOUHU_INSECURE_DEV_KEY": "true", "PYTHONPATH": str(ROOT / "src"), **env})
    out = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_production_switch_turns_on_hsts_secure_cookies_and_the_https_redirect():
    values = _settings_with(SHOUHU_PRODUCTION="true")

    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True


def test_without_the_production_switch_plain_http_works_for_the_demo():
    values = _settings_with()

    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False


def test_a_malformed_production_switch_stops_the_start():
    with pytest.raises(subprocess.CalledProcessError) as error:
        _settings_with(SHOUHU_PRODUCTION="perhaps")

    assert "SHOUHU_PRODUCTION must be true or false" in error.value.stderr


def test_under_https_the_answer_carries_hsts(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = Client().get("/login/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
