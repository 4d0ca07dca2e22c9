"""A real broker for the tests of background work: Redis (``SHOUHU_TEST_REDIS_URL``, db 5 of the
local server by default, 6 for pytest-xdist's second worker) with no worker, so that a sent task waits
in the queue; or a broker at a closed port, which refuses every task as a broker that is down does.
Import the fixtures (``broker_fixture``, ``broker_down_fixture``) into the test module that uses them."""

from __future__ import annotations

import os

import pytest

# Under pytest-xdist each worker (gw0, gw1, …) has a Redis database of its own, so that one worker's
# flush or count never meets another's tasks.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
REDIS_URL = os.environ.get("SHOUHU_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{5 + WORKER}")
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once


def _use(settings, url: str | None) -> None:
    from shouhu.celery import app

    app._pool = None  # kombu keeps one pool per broker URL: dropping ours picks the new URL's
    app.amqp._producer_pool = None
    settings.CELERY_BROKER_URL = url or ""
    app.conf.broker_url = url
    app.conf.task_always_eager = not url


def _redis_or_skip(url: str = REDIS_URL, variable: str = "SHOUHU_TEST_REDIS_URL"):
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        reason = f"needs Redis at {url} ({variable})"
        if os.environ.get("SHOUHU_REQUIRE_ALL", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"SHOUHU_REQUIRE_ALL is set but this test cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    return client


@pytest.fixture(name="broker_down")
def broker_down_fixture(settings):
    _use(settings, CLOSED_PORT)
    yield CLOSED_PORT
    _use(settings, None)


@pytest.fixture(name="broker")
def broker_fixture(settings):
    """The real Redis broker, emptied before and after; yields its client (to count queued tasks)."""
    client = _redis_or_skip()
    client.flushdb()
    _use(settings, REDIS_URL)
    yield client
    _use(settings, None)
    client.flushdb()
    client.close()


def queued(client) -> int:
    """Tasks waiting in the default queue."""
    return client.llen("celery")
