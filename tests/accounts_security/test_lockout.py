"""Lock-out after repeated failed sign-ins (django-axes), on the web and on the API, and the unlock."""

from django.core.management import call_command
from django.test import Client

from tests import factories as f

from .conftest import password_sign_in

TOKEN = "/api/v1/auth/token/"


def fail(times: int, username: str = "dir_a", **extra):
    responses = []
    client = Client()
    for _ in range(times):
        responses.append(password_sign_in(username, client=client, password="wrong-password", **extra)[1])
    return responses


def test_four_failures_still_let_the_right_password_in(personas, locked_after):
    fail(locked_after - 1)

    _client, response = password_sign_in("dir_a")

    assert response.status_code == 302


def test_the_fifth_failure_locks_the_account_and_says_whom_to_ask(personas, locked_after):
    assert locked_after == 5
    *earlier, last = fail(locked_after)

    assert [r.status_code for r in earlier] == [200] * 4
    assert last.status_code == 429
    text = last.content.decode()
    assert "已被暂时锁定" in text
    assert "30 分钟" in text
    assert "系统管理员" in text


def test_a_locked_account_refuses_even_the_right_password(personas, locked_after):
    fail(locked_after)

    client, response = password_sign_in("dir_a")

    assert response.status_code == 429
    assert "已被暂时锁定" in response.content.decode()
    assert client.get("/children/").status_code == 302  # not signed in


def test_the_lock_is_per_username_and_address(personas, locked_after):
    fail(locked_after, REMOTE_ADDR="10.0.0.1")

    _client, from_elsewhere = password_sign_in("dir_a", REMOTE_ADDR="10.0.0.2")
    _client, other_user = password_sign_in("dir_b", REMOTE_ADDR="10.0.0.1")

    assert from_elsewhere.status_code == 302
    assert other_user.status_code == 302


def test_the_unlock_command_lets_the_user_in_again(personas, locked_after, capsys):
    fail(locked_after)

    call_command("unlock_account", "dir_a")

    _client, response = password_sign_in("dir_a")
    assert response.status_code == 302
    assert "dir_a can sign in again" in capsys.readouterr().out


def test_the_api_token_endpoint_locks_too(personas, locked_after, api):
    client = api()
    for _ in range(locked_after - 1):
        assert client.post(TOKEN, {"username": "dir_a", "password": "nope"}, format="json").status_code == 400

    last = client.post(TOKEN, {"username": "dir_a", "password": "nope"}, format="json")
    right = client.post(TOKEN, {"username": "dir_a", "password": f.PASSWORD}, format="json")

    assert last.status_code == 429
    assert right.status_code == 429
    assert "已被暂时锁定" in right.json()["non_field_errors"][0]
    assert "token" not in right.json()


def test_failures_on_the_web_and_the_api_count_together(personas, locked_after, api):
    fail(locked_after - 1)

    response = api().post(TOKEN, {"username": "dir_a", "password": "nope"}, format="json")

    assert response.status_code == 429


def test_a_password_checked_without_a_request_is_not_counted_nor_blocked(personas, locked_after):
    from django.contrib.auth import authenticate

    fail(locked_after)

    assert authenticate(username="dir_a", password=f.PASSWORD) == personas.dir_a
