"""Benchmark: the risk rules for a county's children — the nightly run, one child's change, an import batch.

    DATABASE_URL=postgresql://… .venv/bin/python tests/bench/rules.py --children 100000

Fills a scratch database the way ``tests/bench/visits.py`` does (it refuses one that already holds
children unless --reuse is given), then gives the children the facts the rules read: migrant parents for
about one in five, a parent out of contact, in prison or dead for a few in a thousand, some children
living alone or with minor siblings, some out of school, and failed visit attempts. Prints the median
of several runs of:

1. the nightly evaluation of every child: the first night (when the alerts are opened) and a night
   when nothing changed (targets: under 10 s for 100,000 children);
2. one child's change: ``evaluate_child`` after a registry save (target: under 50 ms);
3. an import batch of 10,000 children through ``evaluate_children`` (target: under 5 s).

Not part of the test suite. Timings depend on the machine and on what else runs on it.
"""

import argparse
import datetime as dt
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from shouhu.accounts.models import User  # noqa: E402
from shouhu.cases import services  # noqa: E402
from shouhu.cases.models import Alert, AlertStatus  # noqa: E402
from shouhu.children.models import Child, Parent  # noqa: E402
from shouhu.regions.loader import load_regions  # noqa: E402
from shouhu.visits.models import Outcome, Visit, VisitKind  # noqa: E402
from tests.bench import visits as bench  # noqa: E402

UNABLE = ("out_of_contact", "imprisoned", "deceased", "seriously_ill")


def give_facts() -> dict[str, int]:
    """The registry facts the rules read, in sets (bulk), not one save at a time."""
    rng = random.Random(13)
    today = timezone.localdate()
    visitor = User.objects.get(username="bench-county").pk
    ids = list(Child.objects.order_by("pk").values_list("pk", "region_code"))
    parents, attempts = [], []
    counts = {"migrant parents": 0, "unable parent": 0, "alone": 0, "out of school": 0, "failed visits": 0}
    alone, siblings, dropped, grandparents = [], [], [], []
    for pk, region in ids:
        if rng.random() >= 0.2:
            continue
        father = "migrant"
        if rng.random() < 0.02:
            father = rng.choice(UNABLE)
            counts["unable parent"] += 1
        since = today - dt.timedelta(days=rng.randint(10, 400))
        parents.append(
            Parent(
                child_id=pk,
                role="father",
                situation=father,
                situation_since=since,
                police_report_date=since if father == "out_of_contact" else None,
            )
        )
        parents.append(Parent(child_id=pk, role="mother", situation="migrant", situation_since=since))
        counts["migrant parents"] += 1
        draw = rng.random()
        if draw < 0.01:
            (alone if draw < 0.005 else siblings).append(pk)
            counts["alone"] += 1
        elif draw < 0.995:  # the rest "with parents" though both are away: a carer not recorded
            grandparents.append(pk)
        if rng.random() < 0.02:
            dropped.append(pk)
            counts["out of school"] += 1
        if rng.random() < 0.02:
            for days in (5, 20):
                attempts.append(
                    Visit(
                        child_id=pk,
                        region_code=region,
                        visited_on=today - dt.timedelta(days=days),
                        outcome=Outcome.NOBODY_HOME,
                        kind=VisitKind.HOME,
                        visitor_id=visitor,
                    )
                )
            counts["failed visits"] += 1
    with transaction.atomic():
        _write(parents, attempts, alone, siblings, dropped)
        Child.objects.filter(pk__in=grandparents).update(living_arrangement="grandparents")
    bench.analyze()
    return counts


def _write(parents, attempts, alone, siblings, dropped) -> None:
    Parent.objects.bulk_create(parents, batch_size=5000)
    Visit.objects.bulk_create(attempts, batch_size=5000)
    Child.objects.filter(pk__in=alone).update(living_arrangement="alone")
    Child.objects.filter(pk__in=siblings).update(living_arrangement="minor_siblings")
    Child.objects.filter(pk__in=dropped).update(schooling="dropped_out")


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    load_regions(bench.COUNTY)
    logging.getLogger("shouhu.notifications").setLevel(logging.WARNING)
    if Child.objects.exists() and not args.reuse:
        sys.exit("this database already holds children; use a scratch database or --reuse")
    if not Child.objects.exists():
        bench.fill(args.children)
    if not Parent.objects.exists():
        print("facts given:", give_facts())
    total = Child.objects.count()
    print(
        f"{connection.vendor}, {total} children; medians of {args.runs} runs (2 cores shared with other work)"
    )

    # 1. The nightly evaluation: the first night opens the alerts; later nights find nothing new.
    everyone = Child.objects.all()
    if not Alert.objects.exists():
        first, result = timed(lambda: services.evaluate_children(children=everyone))
        print(f"  1. first night, every child ({result['opened']} alerts opened)  {first:8.2f} s")
    nights = []
    for _run in range(args.runs):
        t, result = timed(lambda: services.evaluate_children(children=everyone))
        nights.append(t)
    open_alerts = Alert.objects.filter(status=AlertStatus.OPEN).count()
    print(
        f"     a night when nothing changed, {result['children']} children, {open_alerts} open alerts "
        f"{statistics.median(nights):8.2f} s   (target < 10 s)"
    )

    # 2. One child's change, as a registry save or a visit triggers it.
    rng = random.Random(5)
    sample = rng.sample(list(Child.objects.values_list("pk", flat=True)[:20000]), 50)
    ones = []
    for pk in sample:
        child = Child.objects.get(pk=pk)
        t, _result = timed(lambda child=child: services.evaluate_child(child=child))
        ones.append(t * 1000)
    print(f"  2. one child's change (evaluate_child, 50 children)  {statistics.median(ones):8.1f} ms", end="")
    print("  (target < 50 ms)")

    # 3. An import batch of 10,000 children: the ids of the rows an import wrote.
    batch_ids = list(Child.objects.order_by("?").values_list("pk", flat=True)[:10000])
    batches = []
    for _run in range(args.runs):
        t, result = timed(lambda: services.evaluate_children(children=batch_ids))
        batches.append(t)
    print(
        f"  3. an import batch of {result['children']} children     {statistics.median(batches):8.2f} s",
        end="",
    )
    print("   (target < 5 s)")


if __name__ == "__main__":
    main()
