"""Two-factor set-up through the API: the same devices and rules as the set-up page. Start gives the
authenticator's URI and key (unconfirmed), a code confirms it; a user who has a device proves it
before changing devices; the roles that must use two-factor sign-in cannot remove theirs."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import code_for, device_for

DEVICES = "/api/v1/auth/devices/"
SETUP = f"{DEVICES}setup/"


def test_a_director_starts_setting_up_and_gets_the_uri_and_key_unconfirmed(personas, api):
    response = api(personas.dir_a).post(SETUP, {}, format="json")

    assert response.status_code == 201
    body = response.json()
    device = TOTPDevice.objects.get(user=personas.dir_a)
    assert body["id"] == device.pk and body["confirmed"] is False and body["required"] is False
    assert (
        body["uri"].startswith("otpauth://totp/Shouhu%3Adir_a?") and f"secret={body['secret']}" in body["uri"]
    )


def test_starting_twice_answers_the_same_device_until_it_is_confirmed(personas, api):
    client = api(personas.dir_a)

    first, second = client.post(SETUP).json(), client.post(SETUP).json()

    assert first["id"] == second["id"] and first["secret"] == second["secret"]


def test_a_code_from_the_new_device_confirms_it_and_the_token_endpoint_then_asks_for_codes(personas, api):
    client = api(personas.dir_a)
    pending = client.post(SETUP).json()
    device = TOTPDevice.objects.get(pk=pending["id"])

    response = client.post(f"{DEVICES}{device.pk}/confirm/", {"code": code_for(device)}, format="json")

    assert response.status_code == 200 and response.json()["confirmed"] is True
    signed = api().post(
        "/api/v1/auth/token/", {"username": "dir_a", "password": "correct-horse-battery-staple"}
    )
    assert signed.status_code == 400 and "otp" in signed.json()


def test_a_wrong_code_is_refused_naming_the_field(personas, api):
    client = api(personas.dir_a)
    pending = client.post(SETUP).json()

    response = client.post(f"{DEVICES}{pending['id']}/confirm/", {"code": "000000"}, format="json")
    missing = client.post(f"{DEVICES}{pending['id']}/confirm/", {}, format="json")

    assert response.status_code == 400 and set(response.json()) == {"code"}
    assert missing.status_code == 400 and set(missing.json()) == {"code"}
    assert not TOTPDevice.objects.get(pk=pending["id"]).confirmed


def test_confirming_a_confirmed_device_is_a_conflict(personas, api):
    device = device_for(personas.dir_a)

    response = api(personas.dir_a).post(
        f"{DEVICES}{device.pk}/confirm/", {"code": code_for(device)}, format="json"
    )

    assert response.status_code == 409


def test_anothers_device_is_not_found(personas, api):
    theirs = api(personas.dir_b).post(SETUP).json()
    mine = api(personas.dir_a)

    assert (
        mine.post(f"{DEVICES}{theirs['id']}/confirm/", {"code": "123456"}, format="json").status_code == 404
    )
    assert mine.post(f"{DEVICES}{theirs['id']}/remove/", {}, format="json").status_code == 404
    assert mine.post(f"{DEVICES}x/remove/", {}, format="json").status_code == 404
    assert TOTPDevice.objects.filter(pk=theirs["id"]).exists()


def test_a_user_with_a_device_gives_its_code_before_starting_another(personas, api):
    current = device_for(personas.county)
    client = api(personas.county)

    without = client.post(SETUP, {}, format="json")
    right = client.post(SETUP, {"otp": code_for(current)}, format="json")

    assert without.status_code == 400 and set(without.json()) == {"otp"}
    assert right.status_code == 201 and right.json()["required"] is True


def test_a_wrong_code_of_the_current_device_starts_nothing(personas, api):
    device_for(personas.county)

    response = api(personas.county).post(SETUP, {"otp": "000000"}, format="json")

    assert response.status_code == 400 and set(response.json()) == {"otp"}
    assert TOTPDevice.objects.filter(user=personas.county).count() == 1


def test_confirming_the_new_device_replaces_the_old_one(personas, api):
    old = device_for(personas.county)
    client = api(personas.county)
    pending = client.post(SETUP, {"otp": code_for(old)}, format="json").json()
    new = TOTPDevice.objects.get(pk=pending["id"])

    client.post(f"{DEVICES}{new.pk}/confirm/", {"code": code_for(new)}, format="json")

    assert [d["id"] for d in client.get(DEVICES).json()] == [new.pk]


def test_a_user_lists_only_their_own_devices(personas, api):
    mine = device_for(personas.dir_a)
    device_for(personas.dir_b)

    body = api(personas.dir_a).get(DEVICES).json()

    assert [(d["id"], d["confirmed"]) for d in body] == [(mine.pk, True)]
    assert "key" not in body[0]


def test_a_director_removes_her_device_with_its_code(personas, api):
    device = device_for(personas.dir_a)
    client = api(personas.dir_a)

    without = client.post(f"{DEVICES}{device.pk}/remove/", {}, format="json")
    response = client.post(f"{DEVICES}{device.pk}/remove/", {"otp": code_for(device)}, format="json")

    assert without.status_code == 400 and set(without.json()) == {"otp"}
    assert response.status_code == 204
    assert not TOTPDevice.objects.filter(user=personas.dir_a).exists()


def test_a_device_being_set_up_is_removed_without_a_code(personas, api):
    client = api(personas.dir_a)
    pending = client.post(SETUP).json()

    assert client.post(f"{DEVICES}{pending['id']}/remove/").status_code == 204
    assert not TOTPDevice.objects.filter(user=personas.dir_a).exists()


@pytest.mark.parametrize("persona", ["county", "civil", "admin"])
def test_a_role_that_must_use_two_factor_cannot_remove_its_device(personas, api, persona):
    user = getattr(personas, persona)
    device = device_for(user)

    response = api(user).post(f"{DEVICES}{device.pk}/remove/", {"otp": code_for(device)}, format="json")

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()


def test_without_credentials_nothing_is_answered(api):
    assert api().get(DEVICES).status_code == 401
    assert api().post(SETUP).status_code == 401
