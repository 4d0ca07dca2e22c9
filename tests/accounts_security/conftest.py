"""Helpers for the account-security tests: signing in through the real pages, and TOTP codes."""

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f


def code_for(device: TOTPDevice, *, later: int = 0) -> str:
    """The code an authenticator app shows now for ``device`` (``later`` steps ahead)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += later * device.step
    return f"{totp.token():0{device.digits}d}"


def device_for(user, **fields) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True, **fields)


def password_sign_in(username: str, *, client: Client | None = None, password: str = f.PASSWORD, **extra):
    """Sign in through the sign-in page with a password only (no force_login, no second factor)."""
    client = client or Client()
    response = client.post("/login/", {"username": username, "password": password}, **extra)
    return client, response


@pytest.fixture
def locked_after():
    from django.conf import settings

    return settings.AXES_FAILURE_LIMIT


@pytest.fixture
def api():
    """``api(user)``: an API client with a new token of ``user``; ``api()``: one with no credentials."""
    from rest_framework.test import APIClient

    from shouhu.accounts.models import ApiToken

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, secret = ApiToken.objects.create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return client

    return client_for
