"""Figures: a real Celery worker killed (SIGKILL) in the middle of an import's commit.

    DATABASE_URL=postgresql://shouhu:shouhu@127.0.0.1:5432/shouhu_jobs \\
        .venv/bin/python tests/bench/killed_worker.py [--rows 2500]

Runs tests/imports/test_killed_worker.py (a transactional test on the pytest test database, with a
worker started as a subprocess on the Redis broker SHOUHU_TEST_REDIS_URL, db 5 by default) and prints
its figures: the rows written and not committed when the worker was killed, the children the database
held after the kill (none of the file) and after the second worker (all of it), the minutes from the
last heartbeat to the watchdog sending the commit again (the clock moved a minute at a time, as beat
runs it), and the second worker's time. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2500)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL=postgresql://… (the test database is made from it)")
    env = {**os.environ, "SHOUHU_KILLED_WORKER_ROWS": str(args.rows)}
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider"]
    command += ["tests/imports/test_killed_worker.py"]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    figures = [line for line in run.stdout.splitlines() if line.startswith("killed worker:")]
    for line in figures:
        print(line.replace("; ", "\n  "))
    print(run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-2000:])
    return run.returncode


if __name__ == "__main__":
    raise SystemExit(main())
