"""Load benchmark: the lists, searches, files and dashboards users open most, over HTTP with concurrent
clients, each beside its SQL floor and the framework's own floor.

    DATABASE_URL=postgresql://shouhu:shouhu@127.0.0.1:5432/shouhu_bench \\
        .venv/bin/python tests/bench/load.py --children 300000 --rounds 3

On a scratch PostgreSQL database (as its owner): the population of ``tests/bench/scoping.py`` (Anhui's
divisions and ``shouhu bench-data``: children with encrypted ID numbers and search rows, visits, work
items, alerts; ``--children`` more are added with ``--add``), and its users, taken from the middle and
the end of the code order: a village director, a township supervisor, a county's staff, a mentor with
40 children paired anywhere in the province. Then it starts gunicorn (``--workers`` sync workers,
production settings, DEBUG off) on loopback and, for each operation, ``--clients`` concurrent clients
for ``--seconds`` (after a one-second warm-up), in ``--rounds`` rounds; right after each, its floors:

- **sql**: the SQL floor through pgbench with as many clients: for the children lists and searches the
  best hand-written SQL (``scoping.floor_sql``: count and first page), for the other operations the
  data queries the application itself sends for that request (recorded once in-process, replayed);
  both with the access-log INSERT the application writes;
- **fw**: the framework floor over HTTP: an endpoint that signs the user in (token or session, with
  two-factor), reads the user's area and grants, writes the access log and answers an empty list (the
  API) or the site's empty page (the web), and nothing else (``tests/bench/load_urls.py``).

Prints, as medians of the rounds: requests per second, p50/p95/p99 latency (ms) with that many
clients, the floors' requests per second, and the cost ratio ``app ÷ (fw + sql)``, where a cost is the
machine's time per request, 1 / (requests per second). Client, server and database share the machine.
Not part of the test suite; the figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.load_settings"

import django  # noqa: E402

django.setup()
logging.getLogger("axes").setLevel(logging.WARNING)  # one line per sign-in of the benchmark's users

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from shouhu.accounts import security  # noqa: E402
from shouhu.accounts.models import ApiToken, Role, User  # noqa: E402
from shouhu.accounts.services import token_issue  # noqa: E402
from shouhu.children.models import Child  # noqa: E402
from tests.bench import scoping  # noqa: E402

PGBENCH = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
ACCESS_LOG_INSERT = re.compile(r'^INSERT INTO "audit_accesslog"')
FIRST_UUID = re.compile(r"'[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}'(::uuid)?")
LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
TRANSACTION_CONTROL = re.compile(r"^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT)\b")


@dataclass
class Who:
    user: User
    headers: dict[str, str]  # the token (API) or the session cookie (pages)


@dataclass
class Operation:
    label: str
    path: str
    who: Who
    best_sql: list[tuple[str, list]] | None = None  # hand-written floor; else the app's own queries
    page: bool = False  # a web page (the page floor) rather than the API (the API floor)


@dataclass
class Figures:
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int = 0


# -- clients -------------------------------------------------------------------------------------------


def hammer(port: int, path: str, headers: dict[str, str], clients: int, seconds: float) -> Figures:
    """``clients`` threads, each sending the request again as soon as the last answer is read."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = [0.0]
    start = threading.Barrier(clients + 1)

    def client() -> None:
        mine: list[float] = []
        bad = 0
        start.wait()
        while True:
            t = time.perf_counter()
            if t >= stop_at[0]:
                break
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                bad += response.status != 200
            except OSError:
                bad += 1
            finally:
                conn.close()
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return summarise([x * 1000 for x in latencies], elapsed, errors[0])


def summarise(latencies_ms: list[float], elapsed: float, errors: int) -> Figures:
    if len(latencies_ms) < 2:
        return Figures(len(latencies_ms) / elapsed, *(latencies_ms or [0.0]) * 3, errors=errors)
    cuts = statistics.quantiles(latencies_ms, n=100)
    return Figures(len(latencies_ms) / elapsed, cuts[49], cuts[94], cuts[98], errors)


def pgbench(statements: list[str], clients: int, seconds: float) -> Figures:
    """The statements as one pgbench transaction script, ``clients`` connections, per-transaction log."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "floor.sql"
        script.write_text("".join(s.rstrip().rstrip(";") + ";\n" for s in statements))
        command = [PGBENCH, "-n", "-c", str(clients), "-j", "2", "-T", str(max(1, round(seconds)))]
        command += ["-f", str(script), "-l", f"--log-prefix={tmp}/log", connection_uri()]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0 or "aborted" in done.stdout + done.stderr:
            raise SystemExit(f"pgbench failed:\n{done.stdout}\n{done.stderr}\n{script.read_text()}")
        latencies = [
            int(line.split()[2]) / 1000
            for log in Path(tmp).glob("log.*")
            for line in log.read_text().splitlines()
        ]
    tps = float(re.search(r"tps = ([\d.]+)", done.stdout).group(1))
    figures = summarise(latencies, 1.0, 0)
    figures.rps = tps
    return figures


def connection_uri() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgresql://{quote(db['USER'])}:{quote(db['PASSWORD'])}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


# -- what the application sends --------------------------------------------------------------------------


def literal(sql: str, params) -> str:
    """``sql`` with its parameters written in, as the database would receive it."""
    return connection.ops.compose_sql(sql, params)


def recorded(op: Operation) -> list[str]:
    """The SQL the application sends for ``op``, recorded in this process through the test client."""
    client = Client()
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in op.who.headers.items()}
    client.get(op.path, **headers)  # warm: a session's first page also moves its expiry forward
    with CaptureQueriesContext(connection) as captured:
        response = client.get(op.path, **headers)
    if response.status_code != 200:
        raise SystemExit(f"{op.path} answered {response.status_code}")
    return [q["sql"] for q in captured.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]


def shape(sql: str) -> str:
    return LITERAL.sub("?", sql)


def replayable(statements: list[str]) -> list[str]:
    """The access-log INSERT with a fresh key each time (its recorded key would collide)."""
    return [
        FIRST_UUID.sub("gen_random_uuid()", s, count=1) if ACCESS_LOG_INSERT.match(s) else s
        for s in statements
    ]


def sql_floor(op: Operation, framework: list[str]) -> list[str]:
    """The floor's statements: the hand-written best, or the app's own data queries (those that the
    framework floor does not send too), with the access-log INSERT either way."""
    sent = recorded(op)
    log = [s for s in sent if ACCESS_LOG_INSERT.match(s)]
    if op.best_sql is not None:
        return replayable([literal(sql, params) for sql, params in op.best_sql] + log)
    common = {shape(s) for s in framework if not ACCESS_LOG_INSERT.match(s)}
    return replayable([s for s in sent if shape(s) not in common])


# -- users and operations --------------------------------------------------------------------------------


def api_user(user: User) -> Who:
    ApiToken.objects.filter(user=user).delete()
    _record, secret = token_issue(user=user)
    return Who(user, {"Authorization": f"Token {secret}"})


def page_user(user: User) -> Who:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if security.requires_2fa(user):
        device, _made = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Who(user, {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"})


def operations() -> list[Operation]:
    people = {u.role: u for u in scoping.personas().values()}
    director, supervisor = people[Role.VILLAGE_DIRECTOR], people[Role.TOWNSHIP_SUPERVISOR]
    county, mentor = people[Role.COUNTY_STAFF], people[Role.MENTOR]
    api = {role: api_user(u) for role, u in people.items()}
    county_page, director_page = page_user(county), page_user(director)
    child = Child.objects.filter(region_code=director.region_id).order_by("name").first()
    wang, wangjian = quote("王"), quote("王建")
    return [
        Operation(
            f"director's list (village {director.region_id})",
            "/api/v1/children/",
            api[Role.VILLAGE_DIRECTOR],
            scoping.floor_sql(director),
        ),
        Operation(
            f"county's list (county {county.region_id})",
            "/api/v1/children/",
            api[Role.COUNTY_STAFF],
            scoping.floor_sql(county),
        ),
        Operation(
            "mentor's list (40 paired children)",
            "/api/v1/children/",
            api[Role.MENTOR],
            scoping.floor_sql(mentor),
        ),
        Operation("web child list (county)", "/children/", county_page, scoping.floor_sql(county), page=True),
        Operation(
            "search 王 in the county",
            f"/api/v1/children/?search={wang}",
            api[Role.COUNTY_STAFF],
            scoping.floor_sql(county, "王"),
        ),
        Operation(
            "search 王建 in the county",
            f"/api/v1/children/?search={wangjian}",
            api[Role.COUNTY_STAFF],
            scoping.floor_sql(county, "王建"),
        ),
        Operation(
            "search 王 in the township",
            f"/api/v1/children/?search={wang}",
            api[Role.TOWNSHIP_SUPERVISOR],
            scoping.floor_sql(supervisor, "王"),
        ),
        Operation("a child's file (API)", f"/api/v1/children/{child.pk}/", api[Role.VILLAGE_DIRECTOR]),
        Operation("a child's file (web)", f"/children/{child.pk}/", director_page, page=True),
        Operation("county: visits", "/api/v1/visits/", api[Role.COUNTY_STAFF]),
        Operation("county: work items", "/api/v1/work/", api[Role.COUNTY_STAFF]),
        Operation("county: alerts", "/api/v1/alerts/", api[Role.COUNTY_STAFF]),
        Operation(
            "township dashboard",
            f"/api/v1/regions/{supervisor.region_id}/dashboard/",
            api[Role.TOWNSHIP_SUPERVISOR],
        ),
        Operation(
            "county dashboard", f"/api/v1/regions/{county.region_id}/dashboard/", api[Role.COUNTY_STAFF]
        ),
    ]


# -- the server ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.bench.load_settings",
        "DEBUG": "false",
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "shouhu.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
        "--timeout",
        "120",
    ]
    server = subprocess.Popen(command, env=env)  # noqa: S603
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def median(rounds: list[Figures]) -> Figures:
    return Figures(
        *(statistics.median(getattr(r, f) for r in rounds) for f in ("rps", "p50", "p95", "p99")),
        errors=sum(r.errors for r in rounds),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=300000)
    parser.add_argument("--add", action="store_true", help="add --children more to a filled database")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--only", default="", help="run only the operations whose label holds one of these (comma-separated)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL to a scratch database (as its owner).")
    scoping.populate(args.children, args.add)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    wanted = [w for w in args.only.split(",") if w] or [""]
    ops = [op for op in operations() if any(w in op.label for w in wanted)]
    county = next(o.who for o in ops if o.who.user.role == Role.COUNTY_STAFF and not o.page)
    county_page = page_user(county.user)
    floors = {
        False: Operation("API floor", "/bench/api-floor/", county),
        True: Operation("page floor", "/bench/page-floor/", county_page, page=True),
    }
    framework = {page: recorded(op) for page, op in floors.items()}
    scripts = {op.label: sql_floor(op, framework[op.page]) for op in ops}

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )
    print(f"command: {' '.join(sys.argv)}")
    print(
        f"children: {Child.objects.count():,}; gunicorn {args.workers} sync workers, {args.clients} clients, "
        f"{args.seconds:g} s per run, medians of {args.rounds} rounds\n"
    )
    server, port = serve(args.workers)
    try:
        fw: dict[bool, list[Figures]] = {False: [], True: []}
        results: dict[str, tuple[list[Figures], list[Figures]]] = {op.label: ([], []) for op in ops}
        for _round in range(args.rounds):
            for page, floor in floors.items():
                hammer(port, floor.path, floor.who.headers, args.clients, 1)
                fw[page].append(hammer(port, floor.path, floor.who.headers, args.clients, args.seconds))
            for op in ops:
                hammer(port, op.path, op.who.headers, args.clients, 1)  # warm-up
                results[op.label][0].append(hammer(port, op.path, op.who.headers, args.clients, args.seconds))
                results[op.label][1].append(pgbench(scripts[op.label], args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait()

    print(f"{'operation':44} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7}", end=" ")
    print(f"{'sql r/s':>8} {'fw r/s':>7} {'app÷(fw+sql)':>13}")
    for page, rounds in fw.items():
        f = median(rounds)
        print(
            f"{'framework floor (' + ('page' if page else 'API') + ')':44} {f.rps:7.1f} {f.p50:7.0f} "
            f"{f.p95:7.0f} {f.p99:7.0f}"
        )
    for op in ops:
        app, sql = (median(r) for r in results[op.label])
        base = median(fw[op.page])
        ratio = (1 / app.rps) / (1 / base.rps + 1 / sql.rps) if app.rps else float("inf")
        flag = f"  ({app.errors} errors)" if app.errors else ""
        print(
            f"{op.label:44} {app.rps:7.1f} {app.p50:7.0f} {app.p95:7.0f} {app.p99:7.0f} {sql.rps:8.0f} "
            f"{base.rps:7.1f} {ratio:13.2f}{flag}"
        )


if __name__ == "__main__":
    main()
