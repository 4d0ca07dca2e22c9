"""Inactivity signs out: a session ends eight hours after the last request. Reading a page does not
write the session each time; its expiry moves forward at most every five minutes."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import clock


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def expiry(client: Client) -> dt.datetime:
    return Session.objects.get(pk=client.session.session_key).expire_date


@pytest.mark.time_machine(clock.NOW, tick=False)
def test_reading_pages_within_five_minutes_writes_no_session(personas, time_machine):
    client = signed_in(personas.dir_a)
    client.get("/children/")
    time_machine.shift(dt.timedelta(minutes=2))

    with CaptureQueriesContext(connection) as captured:
        assert client.get("/children/").status_code == 200

    assert not [q for q in captured if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


@pytest.mark.time_machine(clock.NOW, tick=False)
def test_a_request_after_five_minutes_moves_the_end_of_the_session(personas, time_machine, settings):
    client = signed_in(personas.dir_a)
    client.get("/children/")
    first = expiry(client)
    time_machine.shift(dt.timedelta(minutes=6))

    client.get("/children/")

    assert expiry(client) - first == dt.timedelta(minutes=6)
    assert expiry(client) == clock.NOW + dt.timedelta(minutes=6, seconds=settings.SESSION_COOKIE_AGE)


@pytest.mark.time_machine(clock.NOW, tick=False)
def test_eight_hours_without_a_request_sign_out_and_a_working_day_does_not(personas, time_machine):
    working, idle = signed_in(personas.dir_a), signed_in(personas.dir_b)
    for _hour in range(9):  # a page an hour for nine hours
        assert working.get("/children/").status_code == 200
        time_machine.shift(dt.timedelta(hours=1))

    assert working.get("/children/").status_code == 200
    response = idle.get("/children/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_first_page_after_signing_in_writes_no_session(personas):
    client = signed_in(personas.dir_a)

    with CaptureQueriesContext(connection) as captured:
        assert client.get("/children/").status_code == 200

    assert not [q for q in captured if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_a_request_with_an_api_token_makes_no_session(personas, api):
    client = api(personas.dir_a)

    assert client.get("/api/v1/children/").status_code == 200

    assert not Session.objects.exists()
    assert "sessionid" not in client.cookies
