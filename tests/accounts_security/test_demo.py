"""The demo's county account signs in with a code from the published demo secret."""

import base64

from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts.models import Role
from shouhu.demo import seed as demo
from tests import factories as f

from .conftest import code_for


def test_the_demo_county_account_gets_a_device_from_the_printed_secret(db):
    user = f.make_user(demo.OTP_ACCOUNT, Role.COUNTY_STAFF, f.COUNTY)

    demo._demo_second_factor(user)
    demo._demo_second_factor(user)  # seeding again keeps one device

    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert device.bin_key == base64.b32decode(demo.OTP_SECRET)


def test_the_printed_secret_opens_the_api_for_the_demo_county_account(db, api):
    user = f.make_user(demo.OTP_ACCOUNT, Role.COUNTY_STAFF, f.COUNTY)
    demo._demo_second_factor(user)

    response = api().post(
        "/api/v1/auth/token/",
        {
            "username": demo.OTP_ACCOUNT,
            "password": f.PASSWORD,
            "otp": code_for(TOTPDevice.objects.get(user=user)),
        },
        format="json",
    )

    assert response.status_code == 200
