"""A real Celery worker killed (SIGKILL) in the middle of an import's commit: the registry holds
none of the file, the watchdog sends the commit again within minutes, and a worker started again
completes it. Figures are printed (run with -s, or tests/bench/killed_worker.py)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from shouhu.children.models import Child
from shouhu.imports import jobs
from shouhu.imports.models import ImportJob, JobStatus
from tests.ops.broker import REDIS_URL, broker_fixture  # noqa: F401
from tests.ops.world import COMMITTED, committed_personas_fixture  # noqa: F401

from .test_import import child_row, xlsx

ROOT = Path(__file__).resolve().parents[2]
ROWS = int(os.environ.get("SHOUHU_KILLED_WORKER_ROWS", "2500"))
SURNAME = "杀"  # every child of the file, and no other, bears it


def _rows(n: int) -> list[dict]:
    first = dt.date(2010, 1, 1)
    rows = []
    for i in range(n):
        birth = first + dt.timedelta(days=i // 400)
        seq = 100 + 2 * (i % 400)
        number = _id(f"341623{birth:%Y%m%d}{seq:03d}")
        rows.append(child_row(f"{SURNAME}{_given(i)}", id_number=number, 出生日期=birth))
    return rows


def _id(body: str) -> str:
    from shouhu.children import idnumber

    return idnumber.make(body)


def _given(i: int) -> str:
    digits = "零一二三四五六七八九"
    return "".join(digits[int(c)] for c in f"{i:04d}")


def _worker(media: Path) -> subprocess.Popen:
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgresql://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}",
        "CELERY_BROKER_URL": REDIS_URL,
        "SHOUHU_VAR": str(media.parent),  # tests.settings: MEDIA_ROOT = SHOUHU_VAR/test-media
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    command = [sys.executable, "-m", "celery", "-A", "shouhu", "worker", "-P", "solo", "-l", "warning"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(condition, seconds: float, what: str, worker: subprocess.Popen | None = None):
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    said = ""
    if worker is not None:
        worker.kill()
        said = worker.communicate(timeout=10)[1].decode(errors="replace")[-3000:]
    raise AssertionError(f"not within {seconds} s: {what}\n{said}")


def _children() -> int:
    return Child.objects.filter(name__startswith=SURNAME).count()


@pytest.mark.postgres
@COMMITTED
def test_a_worker_killed_mid_commit_leaves_nothing_and_the_commit_is_sent_again(
    committed_personas, settings, broker, tmp_path, time_machine
):
    settings.MEDIA_ROOT = media = tmp_path / "test-media"
    user = committed_personas.dir_a
    job = jobs.job_create(actor=user, upload=xlsx(_rows(ROWS)))
    jobs.job_check(job=job)
    assert job.status == JobStatus.CHECKED, job.problems[:3]
    assert jobs.job_commit_request(actor=user, job=job, confirmed=[])

    worker = _worker(media)
    try:
        jobs.job_enqueue(job=job)
        # Mid-commit: the worker claimed the step and has written rows it has not committed.
        mid = _wait(
            lambda: ImportJob.objects.filter(pk=job.pk, status=JobStatus.IMPORTING, rows_done__gt=0).first(),
            40,
            "the worker starts the commit",
            worker,
        )
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)

    time.sleep(0.5)  # PostgreSQL sees the connection gone and rolls its transaction back
    job.refresh_from_db()
    held_after_kill = _children()
    assert held_after_kill == 0 and job.status == JobStatus.IMPORTING

    # The watchdog runs every minute (beat); the clock moves from the last heartbeat.
    killed_at = job.heartbeat_at
    noticed_after = None
    for minute in range(1, 6):
        time_machine.move_to(killed_at + dt.timedelta(minutes=minute))
        if jobs.jobs_watch()["requeued"]:
            noticed_after = minute
            break
    assert noticed_after is not None and noticed_after <= 5
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.IMPORTING, 1)

    started = time.perf_counter()
    worker = _worker(media)
    try:
        _wait(
            lambda: ImportJob.objects.filter(
                pk=job.pk, status__in=(JobStatus.DONE, JobStatus.FAILED)
            ).exists(),
            60,
            "the commit sent again completes",
        )
    finally:
        worker.kill()
        worker.wait(10)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert _children() == ROWS
    print(
        f"\nkilled worker: {ROWS} rows, killed at {mid.rows_done} rows written (uncommitted); "
        f"children held after the kill: {held_after_kill} (none of the file); "
        f"noticed and sent again by the watchdog {noticed_after} min after the last heartbeat "
        f"(stale after {jobs.background.STALE_MINUTES} min, watchdog every minute); "
        f"second worker completed the commit in {time.perf_counter() - started:.1f} s; "
        f"children held after: {_children()} (all of the file)"
    )
