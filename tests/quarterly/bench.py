"""Benchmark: generating a quarterly report (figures, both PDFs and both workbooks) for a township and
for the county of the demo population.

    DATABASE_URL=postgresql://…/scratch .venv/bin/python tests/quarterly/bench.py --children 3000

Migrates a scratch database, seeds the demo population (it refuses a database that already holds
children unless --reuse is given), then prints the median of several generations of 王市镇's report
and of 利辛县's, as the background job runs them (``services.report_generate``). Not part of the test
suite; timings depend on the machine and on what else runs on it.
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402

from shouhu.accounts.models import User  # noqa: E402
from shouhu.children.models import Child  # noqa: E402
from shouhu.demo.seed import seed  # noqa: E402
from shouhu.quarterly import selectors, services  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="quarterly-bench-"))
    call_command("migrate", verbosity=0)
    if Child.objects.exists() and not args.reuse:
        sys.exit("the database holds children: use a scratch database, or --reuse a seeded one")
    if not Child.objects.exists():
        started = time.monotonic()
        seed(children=args.children)
        print(f"seeded {args.children} children in {time.monotonic() - started:.0f} s")
    year, quarter = selectors.previous_quarter()
    cases = [
        ("王市镇 341623110", "supervisor-wangshi", "341623110"),
        ("利辛县 341623", "county-centre", "341623"),
    ]
    with translation.override("zh-hans"):
        for label, username, code in cases:
            user = User.objects.get(username=username)
            times = []
            for _run in range(args.runs):
                report = services.report_request(
                    actor=user, region_code=code, year=year, quarter=quarter, enqueue=False
                )
                started = time.monotonic()
                done = services.report_generate(report_id=report.pk)
                times.append(time.monotonic() - started)
                assert done.job_status == "done", done.error
            print(
                f"{label}: median {statistics.median(times):.2f} s over {args.runs} runs ({year}Q{quarter})"
            )


if __name__ == "__main__":
    main()
