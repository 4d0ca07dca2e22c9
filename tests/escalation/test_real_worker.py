"""The task queue as in production: recording an alert commits its text message to the outbox, the
commit asks the Redis broker for a delivery, and a real Celery worker (its own process, the solo pool,
the application's database role) sends the message and records it sent. Redis db 15 of the local
server by default, 14 for pytest-xdist's second worker (``SHOUHU_TEST_WORKER_REDIS_URL``); skipped
without Redis, a failure in CI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from shouhu.cases.models import Alert, AlertStatus
from shouhu.children.services import child_update
from shouhu.escalation.models import Channel, Delivery, Notification
from tests.ops.broker import WORKER, _redis_or_skip, _use
from tests.ops.world import COMMITTED, committed_personas_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("SHOUHU_TEST_WORKER_REDIS_URL", f"redis://127.0.0.1:6379/{15 - WORKER}")
READY_SECONDS = 90  # a worker's start on a busy 2-core machine: Django, the apps, the broker
SENT_SECONDS = 60

pytestmark = [pytest.mark.postgres, COMMITTED]


def _worker_env() -> dict[str, str]:
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        # The test database, as the role the tests run as (the application's, in CI).
        "DATABASE_URL": f"postgresql://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}",
        "CELERY_BROKER_URL": REDIS_URL,
        "SHOUHU_SMS_SENDER": "shouhu.escalation.senders.LoggingSmsSender",
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    env.pop("DATABASE_OWNER_URL", None)
    return env


@pytest.fixture
def worker(settings, tmp_path):
    client = _redis_or_skip(REDIS_URL, "SHOUHU_TEST_WORKER_REDIS_URL")
    client.flushdb()
    _use(settings, REDIS_URL)  # this process sends tasks to the broker; it runs none itself
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "shouhu", "worker", "-P", "solo", "-l", "info"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += ["-n", f"outbox-{os.getpid()}@%h"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=_worker_env(), stdout=out, stderr=subprocess.STDOUT)
    proc.log = log
    try:
        ready = lambda: " ready." in log.read_text(errors="replace")  # noqa: E731
        _wait(ready, READY_SECONDS, "the worker is ready", proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        _use(settings, None)
        client.flushdb()
        client.close()


def _wait(condition, seconds: float, what: str, proc: subprocess.Popen):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    said = proc.log.read_text(errors="replace")[-3000:]
    raise AssertionError(f"not within {seconds} s: {what} (worker exit code {proc.poll()})\n{said}")


def test_a_worker_delivers_the_text_message_of_an_alert_after_its_commit(committed_personas, worker):
    personas = committed_personas
    child_update(actor=personas.dir_b, child=personas.child_b, fields={"living_arrangement": "alone"})
    alert = Alert.objects.get(child=personas.child_b, rule="alone_under_16", status=AlertStatus.OPEN)
    sms = Notification.objects.filter(user=personas.supervisor, item=alert.work_item, channel=Channel.SMS)
    assert sms.count() == 1

    _wait(
        lambda: sms.filter(status=Delivery.SENT).exists(),
        SENT_SECONDS,
        "the supervisor's text message is sent",
        worker,
    )

    (sent,) = sms
    assert sent.attempts == 1 and sent.sent_at is not None and sent.last_error == ""
    said = worker.log.read_text(errors="replace")
    assert re.search(r"tasks\.deliver_notifications\[.*\] succeeded .*'sent': [1-9]", said), said
    assert f"SMS to {personas.supervisor.phone}" in said
