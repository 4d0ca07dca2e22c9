"""Benchmark: exporting a county's children list to CSV and Excel.

    DATABASE_URL=postgresql://… .venv/bin/python tests/bench/export.py --children 100000

Fills a scratch database with ``tests/bench/visits.py``'s filler (it refuses one that already holds
children unless --reuse is given), then gives every child what an export reads and decrypts: an ID
number, a father and a mother with names, phones, ID numbers and work places, and a carer with phone
and ID number for the children whose parents are both away. Then prints, for the county's whole list
(every child) in the register layout and in the national form's layout:

1. the median time of several exports to CSV and to Excel, read to the last byte as a response would be
   (target: under 30 s for 100,000 rows), and the CPU time the exporting process itself used (on a
   machine shared with other work the wall time also counts the waits for a core);
2. the peak of Python memory (tracemalloc) of one export of the whole county and of one township,
   which should be about the same: rows are read in chunks and written out as they come.

Not part of the test suite. Timings depend on the machine and on what else runs on it.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from shouhu.accounts.models import User  # noqa: E402
from shouhu.children import idnumber  # noqa: E402
from shouhu.children.crypto import keyed_hash  # noqa: E402
from shouhu.children.models import Carer, Child, Parent  # noqa: E402
from shouhu.exports import services  # noqa: E402
from shouhu.regions.loader import load_regions  # noqa: E402
from tests.bench import visits as bench  # noqa: E402

PLACES = ("浙江省宁波市", "江苏省苏州市", "广东省东莞市", "上海市", "安徽省合肥市")


def give_families() -> None:
    """ID numbers for the children, two parents each, a carer when both are away: in sets."""
    rng = random.Random(17)
    started = time.perf_counter()
    rows = list(Child.objects.order_by("pk").values_list("pk", "birth_date"))
    used: dict = {}
    for start in range(0, len(rows), bench.BATCH):
        batch = rows[start : start + bench.BATCH]
        children, parents, carers = [], [], []
        for pk, birth in batch:
            seq = used[birth] = used.get(birth, -1) + 1  # unique: one sequence per birth date
            number = idnumber.make(f"341623{birth:%Y%m%d}{seq % 1000:03d}")
            children.append(Child(pk=pk, id_number=number, id_number_hash=keyed_hash(number)))
            away = rng.random() < 0.25
            for role, year in (("father", 1985), ("mother", 1987)):
                parents.append(
                    Parent(
                        child_id=pk,
                        role=role,
                        name=rng.choice(bench.SURNAMES) + rng.choice(bench.GIVEN) * 2,
                        phone=f"13{rng.randint(100000000, 999999999)}",
                        id_number=idnumber.make(f"341623{year}0101{rng.randint(0, 999):03d}"),
                        situation="migrant" if away else "at_home",
                        work_place=rng.choice(PLACES) if away else "",
                    )
                )
            if away:
                carers.append(
                    Carer(
                        child_id=pk,
                        name=rng.choice(bench.SURNAMES) + "奶奶",
                        relation="grandparent",
                        phone=f"15{rng.randint(100000000, 999999999)}",
                        id_number=idnumber.make(
                            f"3416231955{rng.randint(1, 12):02d}01{rng.randint(0, 999):03d}"
                        ),
                        address="村东头",
                    )
                )
        with transaction.atomic():
            # The hash is computed above: bulk_update does not run the field's pre_save.
            Child.objects.bulk_update(children, ["id_number", "id_number_hash"])
            Parent.objects.bulk_create(parents)
            Carer.objects.bulk_create(carers)
    bench.analyze()
    print(
        f"gave {len(rows)} children ID numbers, parents and carers in {time.perf_counter() - started:.1f} s"
    )


def export_once(user, fmt: str, layout: str, filters: dict) -> tuple[int, int]:
    """One export read to its last byte, as the response sends it: (rows, bytes)."""
    export = services.children_export(user=user, filters=filters, layout=layout, fmt=fmt)
    size = 0
    if export.file is not None:
        while block := export.file.read(1 << 20):
            size += len(block)
        export.file.close()
    else:
        for block in export.content:
            size += len(block)
    return export.rows, size


def peak_mb(user, fmt: str, layout: str, filters: dict) -> tuple[int, float]:
    tracemalloc.start()
    rows, _size = export_once(user, fmt, layout, filters)
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows, peak / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--layouts", default="register,national")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    load_regions(bench.COUNTY)
    if Child.objects.exists() and not args.reuse:
        sys.exit("this database already holds children; use a scratch database or --reuse")
    if not Child.objects.exists():
        bench.fill(args.children)
    if not Parent.objects.exists():
        give_families()
    county = User.objects.get(username="bench-county")
    everyone = {"q": "", "region": "", "category": "", "schooling": ""}
    township = dict(everyone, region=bench.COUNTY + "100")
    total = Child.objects.count()
    print(
        f"{connection.vendor}, {total} children, {Parent.objects.count()} parents, {Carer.objects.count()} "
        f"carers; medians of {args.runs} runs (2 cores shared with other work)"
    )
    for layout in args.layouts.split(","):
        for fmt in (services.CSV, services.XLSX):
            times, cpu = [], []
            for _run in range(args.runs):
                started, used = time.perf_counter(), time.process_time()
                rows, size = export_once(county, fmt, layout, everyone)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - used)
            print(
                f"  {layout:9s} {fmt:4s} {rows} rows, {size / 1024 / 1024:6.1f} MB  "
                f"median {statistics.median(times):6.2f} s  (runs: {', '.join(f'{t:.1f}' for t in times)}; "
                f"this process's CPU {statistics.median(cpu):.1f} s)   (target < 30 s)"
            )
    print("  peak Python memory of one export (tracemalloc; slower while tracing):")
    for fmt in (services.CSV, services.XLSX):
        small_rows, small = peak_mb(county, fmt, "national", township)
        rows, peak = peak_mb(county, fmt, "national", everyone)
        print(
            f"    {fmt:4s} one township ({small_rows} rows) {small:6.1f} MB;"
            f" county ({rows} rows) {peak:6.1f} MB"
        )
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process peak resident memory (filling included): {maxrss:.0f} MB")


if __name__ == "__main__":
    main()
