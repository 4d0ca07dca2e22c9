"""Signing out everywhere ends every session and every token; so does deactivating the account."""

from django.test import Client

from shouhu.accounts import services
from shouhu.accounts.models import ApiToken, User


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_sign_out_everywhere_ends_the_other_sessions_and_the_tokens(personas, api):
    phone, desk = signed_in(personas.dir_a), signed_in(personas.dir_a)
    token_client = api(personas.dir_a)
    assert desk.get("/children/").status_code == 200

    response = phone.post("/account/sign-out-everywhere/")

    assert response.status_code == 302
    assert desk.get("/children/").status_code == 302
    assert phone.get("/children/").status_code == 302
    assert token_client.get("/api/v1/children/").status_code == 401
    assert not ApiToken.objects.filter(user=personas.dir_a).exists()


def test_sign_out_everywhere_leaves_other_users_signed_in(personas, api):
    other = signed_in(personas.dir_b)
    other_token = api(personas.dir_b)

    signed_in(personas.dir_a).post("/account/sign-out-everywhere/")

    assert other.get("/children/").status_code == 200
    assert other_token.get("/api/v1/children/").status_code == 200


def test_signing_in_again_after_signing_out_everywhere_works(personas):
    services.sign_out_everywhere(user=personas.dir_a)

    client = signed_in(User.objects.get(pk=personas.dir_a.pk))

    assert client.get("/children/").status_code == 200


def test_the_account_page_offers_sign_out_everywhere(personas):
    page = signed_in(personas.dir_a).get("/account/").content.decode()

    assert 'action="/account/sign-out-everywhere/"' in page


def test_unticking_active_in_the_admin_site_ends_sessions_and_tokens(personas, api):
    session = signed_in(personas.dir_a)
    token_client = api(personas.dir_a)
    user = User.objects.get(pk=personas.dir_a.pk)

    user.is_active = False
    user.save()
    User.objects.filter(pk=user.pk).update(is_active=True)  # even if it were switched back on

    assert session.get("/children/").status_code == 302
    assert token_client.get("/api/v1/children/").status_code == 401
