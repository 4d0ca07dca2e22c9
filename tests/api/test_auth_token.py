"""Signing in to the API: username and password for a token, then the token on every request."""

from shouhu.accounts.models import User
from tests import factories as f

from .conftest import CHILDREN

TOKEN = "/api/v1/auth/token/"


def test_the_right_password_gives_a_token(personas, api):
    response = api().post(TOKEN, {"username": "dir_a", "password": f.PASSWORD}, format="json")

    assert response.status_code == 200
    assert len(response.json()["token"]) == 64


def test_the_token_opens_the_api(personas, api):
    token = api().post(TOKEN, {"username": "dir_a", "password": f.PASSWORD}, format="json").json()["token"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get(CHILDREN).status_code == 200


def test_a_wrong_password_is_a_400_that_says_what_is_wrong(personas, api):
    response = api().post(TOKEN, {"username": "dir_a", "password": "wrong-password"}, format="json")

    assert response.status_code == 400
    assert "用户名或密码不正确" in response.json()["non_field_errors"][0]
    assert "token" not in response.json()


def test_a_missing_password_is_a_field_error(personas, api):
    response = api().post(TOKEN, {"username": "dir_a"}, format="json")

    assert response.status_code == 400
    assert "password" in response.json()


def test_a_disabled_account_gets_no_token(personas, api):
    User.objects.filter(pk=personas.dir_a.pk).update(is_active=False)

    response = api().post(TOKEN, {"username": "dir_a", "password": f.PASSWORD}, format="json")

    assert response.status_code == 400


def test_without_credentials_the_api_answers_401(personas, api):
    assert api().get(CHILDREN).status_code == 401


def test_a_made_up_token_is_refused(personas, api):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)

    assert client.get(CHILDREN).status_code == 401
