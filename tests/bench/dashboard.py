"""Benchmark: township, county and province dashboards read from rollups, against raw SQL over the live
tables, at a million children and twelve million visits.

    DATABASE_URL=postgresql://shouhu:shouhu@127.0.0.1:5432/shouhu_bench_rollups \\
        .venv/bin/python tests/bench/dashboard.py --children 1000000

On a scratch PostgreSQL database: loads the divisions of a province (Anhui, 34) and runs
``shouhu bench-data`` when the children are not there yet. Then, for the township and the county with
the most children and for the province by county, prints the median of ``--runs`` warm runs of:

1. ``insight.selectors.dashboard`` — the figures the page shows, for the current quarter;
2. the SQL it sends (recorded once, then replayed): what reading the rollups costs in the database;
3. raw SQL aggregates over the live tables giving the same headline figures (children by category and
   age band, visits recorded and due in the quarter, overdue work, and the areas one level down).

and the ratio of (3) to (1). Also the nightly ``reconcile`` and the recomputation of one village
after a change. Not part of the test suite: timings depend on the machine and on what else runs on it.
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from shouhu.accounts.models import Role, User  # noqa: E402
from shouhu.children.models import Child  # noqa: E402
from shouhu.insight import rollups, selectors  # noqa: E402
from shouhu.regions.models import Region  # noqa: E402

PROVINCE = "34"


def median_ms(fn, runs: int) -> float:
    fn()  # warm
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.platform()}; "
        f"{version}, shared_buffers {buffers}, jit {jit}; load average {load}"
    )


def raw_sql(prefix: str, length: int | None, start: dt.date, end: dt.date) -> list[str]:
    """The aggregates over the live tables that give the dashboard's headline figures."""
    today = timezone.localdate()
    bands = ", ".join(
        f"count(*) FILTER (WHERE birth_date > '{selectors.born_after(today, high + 1)}' "
        f"AND birth_date <= '{selectors.born_after(today, low)}')"
        for _label, low, high in selectors.AGE_BANDS
    )
    like = f"'{prefix}%'"
    window = f"'{start}' AND '{end}'"
    sql = [
        f"SELECT count(*), {bands} FROM children_child WHERE region_code LIKE {like} AND exited_on IS NULL",
        "SELECT cc.category_id, count(*) FROM children_childcategory cc JOIN children_child c "
        f"ON c.id = cc.child_id WHERE c.region_code LIKE {like} AND c.exited_on IS NULL GROUP BY 1",
        f"SELECT count(*) FROM visits_visit WHERE region_code LIKE {like} AND visited_on BETWEEN {window}",
        "SELECT count(*) FILTER (WHERE status <> 'cancelled'), "
        "count(*) FILTER (WHERE status = 'done' AND done_at <= due_at), "
        "count(*) FILTER (WHERE status = 'done' AND done_at > due_at), "
        "count(*) FILTER (WHERE status = 'open' AND due_at < now()) FROM escalation_workitem "
        f"WHERE region_code LIKE {like} AND kind LIKE 'visit.%' "
        f"AND (due_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN {window}",
        "SELECT severity, count(*) FROM cases_alert WHERE status = 'open' "
        f"AND region_code LIKE {like} GROUP BY 1",
    ]
    if length:
        area = f"substr(region_code, 1, {length})"
        sql += [
            f"SELECT {area}, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 "
            "FROM children_childcategory cc WHERE cc.child_id = c.id AND cc.category_id = 'left_behind')) "
            "FROM children_child c "
            f"WHERE region_code LIKE {like} AND exited_on IS NULL GROUP BY 1",
            f"SELECT {area}, count(*) FROM escalation_workitem WHERE status = 'open' AND due_at < now() "
            f"AND region_code LIKE {like} GROUP BY 1",
        ]
    return sql


def run_all(statements: list[tuple[str, list]]) -> None:
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params or None)
            cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database (e.g. shouhu_bench_rollups).")
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print("database:", connection.settings_dict["NAME"])
    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code__startswith=PROVINCE, level=5).exists():
        call_command("load_regions", PROVINCE)
    have = Child.objects.count()
    if have < args.children:
        print(f"loading {args.children - have:,} children with bench-data …", flush=True)
        call_command("bench_data", children=args.children - have)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM children_child")
        n_children = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM visits_visit")
        n_visits = cursor.fetchone()[0]
    print(f"machine: {machine()}")
    print(f"data: {n_children:,} children, {n_visits:,} visits")
    rollups.ensure_current()

    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", password=None, role=Role.ADMIN
    )
    biggest = "SELECT substr(region_code, 1, %s), count(*) FROM children_child GROUP BY 1 ORDER BY 2 DESC"
    with connection.cursor() as cursor:
        cursor.execute(biggest + " LIMIT 1", [9])
        township = cursor.fetchone()[0]
        cursor.execute(biggest + " LIMIT 1", [6])
        county = cursor.fetchone()[0]
    start, end = selectors.quarter_of(timezone.localdate())
    print(f"period: {start} to {end}; median of {args.runs} warm runs each\n")
    print(f"{'view':<34}{'dashboard()':>13}{'its SQL':>10}{'raw SQL':>11}{'raw/dash':>10}  target")
    for label, code, length, target in (
        ("township " + township, township, 12, 50),
        ("county " + county, county, 9, 100),
        ("province 34 by county", PROVINCE, 6, 300),
    ):
        region = Region.objects.get(code=code)

        def board(region=region):
            return selectors.dashboard(user=admin, region=region, start=start, end=end)

        board()
        with CaptureQueriesContext(connection) as captured:
            board()
        replay = [(q["sql"], []) for q in captured.captured_queries]
        dash = median_ms(board, args.runs)
        own = median_ms(lambda replay=replay: run_all(replay), args.runs)
        raw = [(s, []) for s in raw_sql(code, length, start, end)]
        live = median_ms(lambda raw=raw: run_all(raw), max(3, args.runs // 3))
        verdict = "ok" if dash < target else "MISSED"
        print(
            f"{label:<34}{dash:>10.1f} ms{own:>7.1f} ms{live:>8.0f} ms{live / dash:>9.0f}×  "
            f"< {target} ms {verdict} ({len(replay)} queries)"
        )

    village = Region.objects.filter(code__startswith=township, level=5).order_by("code").first().code
    one = median_ms(lambda: rollups.refresh([village]), args.runs)
    print(f"\nrecomputing one village after a change (refresh): {one:.1f} ms")
    t = time.perf_counter()
    result = rollups.reconcile()
    print(f"nightly reconcile of every rollup: {time.perf_counter() - t:.1f} s ({result['rows']:,} rows)")
    subprocess.run(["df", "-h", "/"], check=False)


if __name__ == "__main__":
    main()
