"""Benchmark: the lists users open most, at province scale, each beside its raw-SQL floor.

    DATABASE_URL=postgresql://shouhu:shouhu@127.0.0.1:5432/shouhu_bench_scoping \
        .venv/bin/python tests/bench/scoping.py --children 300000 --runs 7

On a scratch database (as the owner role): loads Anhui's divisions and ``shouhu bench-data`` (children
with ID numbers and name tokens, visits, work items, alerts) unless the database already holds them
(``--children`` more are added with ``--add``). Then, for users taken from the middle and the end of
the code order, never the first village — a village director, a township supervisor, a county's
staff, a mentor with 40 paired children anywhere in the province — it times in this process:

- **app**: what the list page asks the database, built by the application's own selectors
  (``children_list`` with its count and first page; a one-character and a two-character search; the
  county's open work items and alerts), executed and fetched;
- **floor**: the best hand-written SQL for the same rows (a range on the region code, the granted ids
  as an array), through the same connection;
- **before**: the same list as the earlier scoping wrote it (``LIKE 'code%'`` OR a grants subquery),
  for comparison.

Prints the medians of ``--runs`` rounds in milliseconds, and EXPLAIN of the director's list. In-process:
no HTTP, no template (``tests/bench/search.py`` and the dashboard benchmark cover those parts).
Not part of the test suite; figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import platform
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
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from shouhu.accounts import access  # noqa: E402
from shouhu.accounts.models import Grant, GrantReason, Role, User  # noqa: E402
from shouhu.cases.models import Alert  # noqa: E402
from shouhu.children.models import Child  # noqa: E402
from shouhu.children.selectors import children_list  # noqa: E402
from shouhu.escalation.models import Status, WorkItem  # noqa: E402
from shouhu.regions.codes import Level  # noqa: E402
from shouhu.regions.loader import load_regions  # noqa: E402
from shouhu.regions.lookups import upper_bound  # noqa: E402
from shouhu.regions.models import Region  # noqa: E402

PAGE = 50
CHILD_COLUMNS = "id, name, gender, birth_date, region_code, village_id"


def populate(children: int, add: bool) -> None:
    if not Region.objects.filter(level=Level.VILLAGE, code__startswith="34").exists():
        t = time.perf_counter()
        load_regions("34")
        print(f"Anhui's divisions loaded in {time.perf_counter() - t:.0f} s")
    have = Child.objects.count()
    if have and not add:
        print(f"reusing {have:,} children")
        return
    call_command("bench_data", children=children, visits=4)


def user(username: str, role: str, region: str | None) -> User:
    found = User.objects.filter(username=username).first()
    if found is None:
        return User.objects.create_user(username=username, password=None, role=role, region_id=region)
    found.role, found.region_id = role, region  # the area picked for this population
    found.save(update_fields=["role", "region"])
    return found


def middle(codes: list[str]) -> str:
    return codes[len(codes) // 2]


def personas() -> dict[str, User]:
    villages = list(Child.objects.values_list("region_code", flat=True).order_by("region_code").distinct())
    village = villages[int(len(villages) * 0.9)]  # near the end of the code order
    township, county = middle(sorted({v[:9] for v in villages})), middle(sorted({v[:6] for v in villages}))
    mentor = user("bench-mentor", Role.MENTOR, None)
    if not Grant.objects.filter(user=mentor).exists():
        rng = random.Random(3)
        ids = list(Child.objects.values_list("id", flat=True)[:200000])
        Grant.objects.bulk_create(
            Grant(user=mentor, child_id=pk, reason=GrantReason.PAIRING) for pk in rng.sample(ids, 40)
        )
    return {
        f"director of {village}": user("bench-director", Role.VILLAGE_DIRECTOR, village),
        f"supervisor of {township}": user("bench-supervisor", Role.TOWNSHIP_SUPERVISOR, township),
        f"county staff of {county}": user("bench-county", Role.COUNTY_STAFF, county),
        "mentor (40 paired children)": mentor,
    }


def run(sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


def app_list(u: User, q: str = ""):
    """The list page's two queries: the count and the first page, as the selectors build them."""
    qs = children_list(user=u, q=q)
    count_sql = qs.order_by().values("pk").query.sql_with_params()
    page_sql = qs[:PAGE].query.sql_with_params()

    def go():
        run(f"SELECT count(*) FROM ({count_sql[0]}) t", count_sql[1])  # noqa: S608
        run(*page_sql)

    return go


def floor_sql(u: User, q: str = "") -> list[tuple[str, list]]:
    """The best hand-written SQL for a list page (count, then the first page): a range on the region
    code, the granted ids read first and passed as an array, the search rows of the user's area."""
    code = access.territory_code(u)
    granted = list(access.granted_child_ids(u, timezone.now()))
    where, params = ["exited_on IS NULL"], []
    scope = []
    if code:
        scope.append("(region_code >= %s AND region_code < %s)")
        params += [code, upper_bound(code)]
    if granted:
        scope.append("id = ANY(%s::uuid[])")
        params.append(granted)
    where.append("(" + " OR ".join(scope) + ")")
    if q:
        where.append("name LIKE %s")
        params.append(f"%{q}%")
        token_scope = "AND t.region_code >= %s AND t.region_code < %s" if code and not granted else ""
        where.append(f"id IN (SELECT t.child_id FROM children_nametoken t WHERE t.token = %s {token_scope})")
        params += [q[:2]] + ([code, upper_bound(code)] if token_scope else [])
    sql_where = " AND ".join(where)
    return [
        (f"SELECT count(*) FROM children_child WHERE {sql_where}", params),  # noqa: S608
        (
            f"SELECT {CHILD_COLUMNS} FROM children_child WHERE {sql_where} "  # noqa: S608
            f"ORDER BY region_code, name, id LIMIT {PAGE}",
            params,
        ),
    ]


def floor_list(u: User, q: str = ""):
    queries = floor_sql(u, q)

    def go():
        for sql, params in queries:
            run(sql, params)

    return go


def before_list(u: User, q: str = ""):
    """As scoping was written before: a prefix LIKE, OR the grants as a subquery."""
    code = access.territory_code(u)
    grants = (
        "id IN (SELECT child_id FROM accounts_grant WHERE user_id = %s AND starts_at <= now() "
        "AND (ends_at IS NULL OR ends_at > now()))"
    )
    scope = f"(region_code LIKE %s OR {grants})" if code else grants
    params = ([f"{code}%"] if code else []) + [u.pk]
    where = f"exited_on IS NULL AND {scope}"
    if q:
        where += " AND name LIKE %s AND id IN (SELECT child_id FROM children_nametoken WHERE token = %s)"
        params += [f"%{q}%", q[:2]]

    def go():
        run(f"SELECT count(*) FROM children_child WHERE {where}", params)  # noqa: S608
        run(
            f"SELECT {CHILD_COLUMNS} FROM children_child WHERE {where} "  # noqa: S608
            f"ORDER BY region_code, name, id LIMIT {PAGE}",
            params,
        )

    return go


def app_queryset(qs):
    sql = qs.query.sql_with_params()
    return lambda: run(*sql)


def median_ms(fn, runs: int) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=300000)
    parser.add_argument("--add", action="store_true", help="add --children more to a filled database")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL to a scratch database (as its owner).")
    call_command("migrate", verbosity=0)
    populate(args.children, args.add)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = Child.objects.count()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"command: {' '.join(sys.argv)}")
    print(f"children: {total:,}; medians of {args.runs} runs, ms\n")
    print(f"{'list':58} {'app':>8} {'floor':>8} {'before':>8}")
    people = personas()
    for label, u in people.items():
        for q, what in (("", "children list (count + page)"), ("王", "search 王"), ("王建", "search 王建")):
            row = [median_ms(fn(u, q), args.runs) for fn in (app_list, floor_list, before_list)]
            print(f"{label + ': ' + what:58} {row[0]:8.1f} {row[1]:8.1f} {row[2]:8.1f}")
    county = people[next(k for k in people if k.startswith("county"))]
    code = access.territory_code(county)
    for what, qs in (
        (
            "county: open work by deadline (page)",
            access.work_items_visible_to(county).filter(status=Status.OPEN).order_by("due_at")[:PAGE],
        ),
        (
            "county: open alerts (page)",
            access.alerts_visible_to(county).filter(status="open").order_by("-opened_at")[:PAGE],
        ),
    ):
        print(f"{what:58} {median_ms(app_queryset(qs), args.runs):8.1f}")
    director = people[next(k for k in people if k.startswith("director"))]
    print("\nEXPLAIN ANALYZE of the director's list page:")
    print(children_list(user=director)[:PAGE].explain(analyze=True))
    print(f"\n(county {code}; work items {WorkItem.objects.count():,}, alerts {Alert.objects.count():,})")


if __name__ == "__main__":
    main()
