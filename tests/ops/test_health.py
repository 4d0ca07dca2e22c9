"""/healthz tells the truth about each part: the database (down: 503, the load balancer takes the
instance out), the broker and the workers (down: 200 "degraded", the site serves and background work
waits), "inline" for both without a broker; fast, and nothing in it but those words."""

import datetime as dt
import time

import pytest
from django.db import connection

from shouhu import jobs
from tests.ops.broker import REDIS_URL, broker_down_fixture, broker_fixture  # noqa: F401
from tests.ops.world import COMMITTED


def _health(client):
    started = time.perf_counter()
    response = client.get("/healthz")
    return response, time.perf_counter() - started


def test_without_a_broker_the_work_runs_inline_and_all_is_ok(client, db):
    response, _took = _health(client)

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "inline", "workers": "inline"}


def test_a_broker_that_is_down_is_degraded_fast_and_tells_no_address(client, db, broker_down):
    response, took = _health(client)

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "down", "workers": "unknown"}
    assert took < 2.5
    assert "127.0.0.1" not in response.content.decode() and "redis" not in response.content.decode()


def test_workers_are_ok_while_they_run_the_watchdog_and_down_when_it_stops(client, db, broker, time_machine):
    response, _took = _health(client)
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "ok", "workers": "down"}

    jobs.watchdog()  # what a worker does every minute, sent by beat

    assert _health(client)[0].json() == {"status": "ok", "database": "ok", "broker": "ok", "workers": "ok"}
    time_machine.shift(dt.timedelta(minutes=2))
    assert _health(client)[0].json()["workers"] == "ok"
    time_machine.shift(dt.timedelta(minutes=2))  # three runs missed: no worker takes tasks
    assert _health(client)[0].json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "ok",
        "workers": "down",
    }
    assert REDIS_URL not in _health(client)[0].content.decode()


@pytest.mark.postgres
@COMMITTED
def test_a_database_that_does_not_answer_is_down_with_503(client):
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = 1  # nothing listens there: connection refused
    try:
        response, took = _health(client)
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    assert response.status_code == 503 and took < 2.5
    assert response.json() == {"status": "down", "database": "down", "broker": "inline", "workers": "inline"}
    assert "shouhu" not in response.content.decode()  # no user, database or host named
