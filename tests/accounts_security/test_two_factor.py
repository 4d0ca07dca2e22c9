"""Two-factor sign-in: required for county, bureau and administrator roles, optional for others."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts import security
from shouhu.accounts.models import Role
from tests import factories as f

from .conftest import code_for, device_for, password_sign_in

TOKEN = "/api/v1/auth/token/"
VERIFY = "/account/otp/"
SETUP = "/account/otp/setup/"


def test_the_roles_that_must_use_two_factor_are_county_bureau_and_admin():
    assert security.TWO_FACTOR_ROLES == {Role.COUNTY_STAFF, Role.CIVIL_AFFAIRS, Role.ADMIN}


# --- web --------------------------------------------------------------------------------------------


def test_after_the_password_a_county_user_with_a_device_is_asked_for_the_code(personas):
    device_for(personas.county)
    client, response = password_sign_in("county")

    page = client.get("/children/")

    assert response.status_code == 302
    assert page.status_code == 302
    assert page["Location"].startswith(VERIFY)
    assert "动态验证码" in client.get(page["Location"]).content.decode()


@pytest.mark.parametrize("path", ["/", "/children/", "/audit/", "/account/", "/admin/"])
def test_an_unverified_county_user_reaches_no_page_but_the_code_pages(personas, path):
    device_for(personas.county)
    client, _response = password_sign_in("county")

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_an_unverified_county_user_gets_no_data_from_the_api_with_the_session(personas):
    device_for(personas.county)
    client, _response = password_sign_in("county")

    response = client.get("/api/v1/children/")

    assert response.status_code == 403
    assert "两步验证" in response.json()["detail"]
    assert personas.child_a.name not in response.content.decode()


def test_an_unverified_user_can_still_sign_out(personas):
    device_for(personas.county)
    client, _response = password_sign_in("county")

    response = client.post("/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_right_code_opens_the_pages_and_returns_to_where_the_user_was_going(personas):
    device = device_for(personas.county)
    client, _response = password_sign_in("county")

    response = client.post(VERIFY, {"code": code_for(device), "next": "/children/"})

    assert response.status_code == 302
    assert response["Location"] == "/children/"
    assert client.get("/children/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message(personas):
    device = device_for(personas.county)
    client, _response = password_sign_in("county")

    response = client.post(VERIFY, {"code": code_for(device, later=20)})

    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert client.get("/children/").status_code == 302


def test_a_county_user_without_a_device_is_sent_to_set_one_up(personas):
    client, _response = password_sign_in("county")

    response = client.get("/children/")

    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_the_setup_page_shows_the_uri_the_secret_and_a_qr_code_and_no_script(personas):
    client, _response = password_sign_in("county")

    page = client.get(SETUP).content.decode()

    device = TOTPDevice.objects.get(user=personas.county, confirmed=False)
    assert security.totp_secret_base32(device) in page
    assert "otpauth://totp/Shouhu%3Acounty?secret=" in page.replace("&amp;", "&")
    assert "<svg" in page
    assert "<script" not in page


def test_setting_up_a_device_with_its_code_opens_the_pages(personas):
    client, _response = password_sign_in("county")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=personas.county, confirmed=False)

    response = client.post(SETUP, {"code": code_for(device)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/children/").status_code == 200


def test_a_user_with_a_device_cannot_add_another_before_giving_a_code(personas):
    device_for(personas.county)
    client, _response = password_sign_in("county")

    response = client.get(SETUP)

    assert response["Location"].startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=personas.county, confirmed=False).exists()


def test_a_director_signs_in_with_the_password_alone(personas):
    client, response = password_sign_in("dir_a")

    assert response.status_code == 302
    assert client.get("/children/").status_code == 200


def test_a_director_who_set_up_a_device_is_asked_for_the_code(personas):
    device_for(personas.dir_a)
    client, _response = password_sign_in("dir_a")

    response = client.get("/children/")

    assert response["Location"].startswith(VERIFY)


# --- API --------------------------------------------------------------------------------------------


def test_the_api_asks_a_county_user_for_the_code(personas, api):
    device_for(personas.county)

    response = api().post(TOKEN, {"username": "county", "password": f.PASSWORD}, format="json")

    assert response.status_code == 400
    assert "otp" in response.json()["otp"][0]
    assert "token" not in response.json()


def test_the_api_refuses_a_wrong_code(personas, api):
    device = device_for(personas.county)

    response = api().post(
        TOKEN,
        {"username": "county", "password": f.PASSWORD, "otp": code_for(device, later=20)},
        format="json",
    )

    assert response.status_code == 400
    assert "动态验证码不正确" in response.json()["otp"][0]


def test_the_api_gives_a_county_user_a_token_with_the_right_code(personas, api):
    device = device_for(personas.county)

    response = api().post(
        TOKEN, {"username": "county", "password": f.PASSWORD, "otp": code_for(device)}, format="json"
    )

    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{64}", response.json()["token"])


def test_the_api_tells_a_county_user_without_a_device_to_set_one_up(personas, api):
    response = api().post(TOKEN, {"username": "civil", "password": f.PASSWORD}, format="json")

    assert response.status_code == 400
    assert "还没有设置验证器" in response.json()["otp"][0]


def test_the_api_gives_a_director_a_token_without_a_code(personas, api):
    response = api().post(TOKEN, {"username": "dir_a", "password": f.PASSWORD}, format="json")

    assert response.status_code == 200


def test_the_code_is_not_asked_before_the_password_is_right(personas, api):
    device_for(personas.county)

    response = api().post(TOKEN, {"username": "county", "password": "wrong-password"}, format="json")

    assert response.status_code == 400
    assert "otp" not in response.json()
