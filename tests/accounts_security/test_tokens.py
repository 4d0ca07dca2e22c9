"""API tokens: hashed, expiring, listed without their secrets, revoked one by one or all at once."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from shouhu.accounts.models import ApiToken
from tests import factories as f

TOKEN = "/api/v1/auth/token/"
TOKENS = "/api/v1/auth/tokens/"
CHILDREN = "/api/v1/children/"


def issue(api, username="dir_a") -> dict:
    response = api().post(TOKEN, {"username": username, "password": f.PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def with_token(api, secret: str):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_token_comes_with_its_expiry_and_only_its_hash_is_stored(personas, api, settings):
    before = timezone.now()
    body = issue(api)

    stored = ApiToken.objects.get(pk=body["id"])
    expiry = dt.datetime.fromisoformat(body["expiry"])
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert before + ttl <= expiry <= timezone.now() + ttl
    assert body["token"] not in (stored.digest, stored.token_key)
    assert with_token(api, body["token"]).get(CHILDREN).status_code == 200


def test_an_expired_token_is_refused(personas, api):
    body = issue(api)
    ApiToken.objects.filter(pk=body["id"]).update(expiry=timezone.now() - dt.timedelta(seconds=1))

    response = with_token(api, body["token"]).get(CHILDREN)

    assert response.status_code == 401
    assert not ApiToken.objects.filter(pk=body["id"]).exists()


def test_a_token_still_valid_just_before_its_expiry_works(personas, api):
    body = issue(api)
    ApiToken.objects.filter(pk=body["id"]).update(expiry=timezone.now() + dt.timedelta(minutes=1))

    assert with_token(api, body["token"]).get(CHILDREN).status_code == 200


def test_the_list_shows_my_tokens_without_their_secrets(personas, api):
    mine = [issue(api), issue(api)]
    issue(api, "dir_b")

    response = with_token(api, mine[0]["token"]).get(TOKENS)

    assert response.status_code == 200
    rows = response.json()
    assert {r["id"] for r in rows} == {t["id"] for t in mine}
    assert all(set(r) == {"id", "created", "expiry", "current"} for r in rows)
    assert [r["current"] for r in rows if r["id"] == mine[0]["id"]] == [True]
    assert mine[1]["token"] not in response.content.decode()


def test_revoking_a_token_closes_it_and_leaves_the_others(personas, api):
    first, second = issue(api), issue(api)

    response = with_token(api, first["token"]).delete(f"{TOKENS}{second['id']}/")

    assert response.status_code == 204
    assert with_token(api, second["token"]).get(CHILDREN).status_code == 401
    assert with_token(api, first["token"]).get(CHILDREN).status_code == 200


def test_another_user_s_token_cannot_be_revoked_and_is_not_found(personas, api):
    mine, theirs = issue(api), issue(api, "dir_b")

    response = with_token(api, mine["token"]).delete(f"{TOKENS}{theirs['id']}/")

    assert response.status_code == 404
    assert with_token(api, theirs["token"]).get(CHILDREN).status_code == 200


def test_revoke_all_closes_every_token_of_mine_only(personas, api):
    mine = [issue(api), issue(api)]
    theirs = issue(api, "dir_b")

    response = with_token(api, mine[0]["token"]).post(f"{TOKENS}revoke-all/")

    assert response.json() == {"revoked": 2}
    assert [with_token(api, t["token"]).get(CHILDREN).status_code for t in mine] == [401, 401]
    assert with_token(api, theirs["token"]).get(CHILDREN).status_code == 200


def test_a_user_holds_a_limited_number_of_tokens(personas, api, settings):
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    for _ in range(limit):
        ApiToken.objects.create(user=personas.dir_a)

    response = api().post(TOKEN, {"username": "dir_a", "password": f.PASSWORD}, format="json")

    assert response.status_code == 400
    assert "达到上限" in response.json()["non_field_errors"][0]


def test_the_account_page_lists_and_revokes_tokens(personas):
    token, _secret = ApiToken.objects.create(user=personas.dir_a)
    client = Client()
    client.force_login(personas.dir_a)

    page = client.get("/account/")
    response = client.post("/account/tokens/revoke/", {"token": str(token.pk)})

    assert str(token.pk) in page.content.decode()
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_the_account_page_cannot_revoke_someone_else_s_token(personas):
    token, _secret = ApiToken.objects.create(user=personas.dir_b)
    client = Client()
    client.force_login(personas.dir_a)

    response = client.post("/account/tokens/revoke/", {"token": str(token.pk)})

    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_token_endpoint_is_rate_limited(personas, api, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    throttled = 3
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "auth", f"{throttled}/minute")
    client = api()
    statuses = [
        client.post(TOKEN, {"username": "dir_a", "password": f.PASSWORD}, format="json").status_code
        for _ in range(throttled + 1)
    ]

    assert statuses == [200] * throttled + [429]
