from django.urls import reverse

from tests import factories as f


def test_signing_in_with_the_right_password_opens_the_home_page(client, personas):
    response = client.post(reverse("login"), {"username": "dir_a", "password": f.PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_wrong_password_says_so_clearly(client, personas):
    response = client.post(reverse("login"), {"username": "dir_a", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_pages_ask_a_visitor_to_sign_in_first(client, personas):
    response = client.get(reverse("children:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_signing_out_is_a_post_and_ends_the_session(signed_in, personas):
    client = signed_in(personas.dir_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_the_interface_is_chinese_by_default_and_english_on_request(signed_in, personas):
    client = signed_in(personas.dir_a)
    assert '<html lang="zh-hans">' in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_the_pages_are_sized_for_phones_and_load_no_outside_resources(signed_in, personas):
    html = signed_in(personas.dir_a).get(reverse("children:list")).content.decode()
    assert 'name="viewport"' in html
    assert "/static/vendor/pico/pico.min.css" in html
    assert "http://" not in html and "https://" not in html


def test_healthz_answers_without_signing_in(client, db):
    assert client.get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "broker": "inline",
        "workers": "inline",
    }
