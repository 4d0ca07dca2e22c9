"""Benchmark: importing a 100,000-row register (dry run, then commit) into PostgreSQL.

    DATABASE_URL=postgresql://shouhu:shouhu@127.0.0.1:5432/shouhu_bench_imports \
        .venv/bin/python tests/bench/imports.py --rows 100000 --runs 3

Generates an .xlsx in the import template's layout (openpyxl, write-only) with realistic values
across the real villages of Lixin County (341623): one child per row, ID numbers valid in form
(sequence numbers 100–899, never the demo's 900–999), parents often migrant, grandparents as carers,
village and township written by name as counties write them. The scratch database is migrated and
the county's divisions loaded; before each run the tables an import writes are emptied (TRUNCATE;
``--reuse`` allows a database that already holds children), so every run imports the same 100,000
new children. Each run goes through the import job as a user's import does, and prints the time of
the dry run (``jobs.job_check``: store the upload, read, validate, match, keep the checked rows) and
of the commit (``jobs.job_commit``: match again, write in sets, classify, derive visits, evaluate the
risk rules), and the process's peak memory (ru_maxrss); then
the medians, with this process's CPU time beside each wall time (on a shared machine the two differ
by what the other processes take). With ``--profile`` one commit runs under cProfile and the top
functions are printed.

Not part of the test suite. Timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "建国华明丽芳强军伟敏静秀英玉兰桂梅霞萍红艳娟娜婷雪琳晨浩宇轩博文涛杰鹏辉亮磊欣怡梦巧嘉子涵"
CITIES = ("浙江省宁波市", "江苏省苏州市", "上海市", "广东省东莞市", "安徽省合肥市", "北京市", "福建省泉州市")


def villages() -> list[tuple[str, str, str]]:
    """(code, township name, village name) of Lixin County's villages, from the shipped divisions."""
    from shouhu.regions.loader import read_rows, select

    names = select(read_rows(), "341623")
    out = []
    for code, name in sorted(names.items()):
        if len(code) == 12 and code[6:9] not in ("401", "402"):  # the two statistics-only parks
            out.append((code, names[code[:9]], name))
    return out


def write_xlsx(path: Path, rows: int, seed: int = 2026, broken: bool = False) -> None:
    """The register; ``broken``: every row with three problems (a wrong check character, a birth date
    in the future, a village that does not exist), for the error sheet's benchmark."""
    import openpyxl

    from shouhu.children import idnumber
    from shouhu.imports.columns import COLUMNS

    rnd = random.Random(seed)
    places = villages()
    today = dt.date.today()
    used: set[str] = set()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("儿童名册")
    sheet.append(["农村留守儿童基本情况登记表"])
    sheet.append([c.header for c in COLUMNS])
    keys = [c.key for c in COLUMNS]

    def name(surname: str) -> str:
        return surname + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))

    def phone() -> str:
        return f"1{rnd.choice('3589')}{rnd.randrange(10**9):09d}"

    def person_id(birth_year: int, male: bool) -> str:
        born = dt.date(birth_year, rnd.randint(1, 12), rnd.randint(1, 28))
        seq = rnd.randrange(50, 449) * 2 + (1 if male else 0)
        return idnumber.make(f"341623{born:%Y%m%d}{seq:03d}")

    for _ in range(rows):
        code, township, village = rnd.choice(places)
        while True:
            born = today - dt.timedelta(days=rnd.randint(200, 17 * 365))
            male = rnd.random() < 0.52
            seq = rnd.randrange(50, 449) * 2 + (1 if male else 0)
            number = idnumber.make(f"341623{born:%Y%m%d}{seq:03d}")
            if number not in used:
                used.add(number)
                break
        surname = rnd.choice(SURNAMES)
        age = (today - born).days // 365
        left_behind = rnd.random() < 0.12
        father_away = left_behind or rnd.random() < 0.25
        mother_away = left_behind or rnd.random() < 0.1
        row = {
            "name": name(surname),
            "gender": "男" if male else "女",
            "ethnicity": "汉族",
            "birth_date": born,
            "id_number": number,
            "township": township,
            "village": village,
            "address": f"{village}{rnd.randint(1, 12)}组{rnd.randint(1, 60)}号",
            "hukou_type": "农村居民户口" if rnd.random() < 0.95 else "城镇居民户口",
            "health": rnd.choices(("健康", "一般或较弱", "慢性病", "重病"), (90, 6, 3, 1))[0],
            "schooling": "幼儿园" if age < 6 else "小学" if age < 12 else "初中" if age < 15 else "高中",
            "grade": "",
            "living_arrangement": "祖父母、外祖父母" if left_behind else "父母或一方父母",
            "father.name": name(surname),
            "father.phone": phone(),
            "father.id_number": person_id(born.year - rnd.randint(22, 35), True),
            "father.situation": "外出务工" if father_away else "在家",
            "father.work_place": rnd.choice(CITIES) if father_away else "",
            "mother.name": name(rnd.choice(SURNAMES)),
            "mother.phone": phone(),
            "mother.id_number": person_id(born.year - rnd.randint(20, 33), False),
            "mother.situation": "外出务工" if mother_away else "在家",
            "mother.work_place": rnd.choice(CITIES) if mother_away else "",
        }
        if broken:
            row["id_number"] = number[:-1] + ("0" if number[-1] != "0" else "1")
            row["birth_date"] = today + dt.timedelta(days=rnd.randint(1, 300))
            row["village"] = village + "新"
        if left_behind:
            row.update(
                {
                    "carer.name": name(surname),
                    "carer.phone": phone(),
                    "carer.id_number": person_id(born.year - rnd.randint(45, 60), rnd.random() < 0.5),
                    "carer.relation": "祖父母",
                    "carer.address": row["address"],
                }
            )
        sheet.append([row.get(k, "") for k in keys])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file", type=Path, default=Path("/tmp/shouhu-bench-imports.xlsx"))
    parser.add_argument("--reuse", action="store_true", help="empty the children of a scratch database first")
    parser.add_argument(
        "--profile", action="store_true", help="profile one commit and print the top functions"
    )
    parser.add_argument(
        "--profile-check", action="store_true", help="profile one dry run and print the top functions"
    )
    parser.add_argument(
        "--error-rows",
        type=int,
        default=0,
        help="instead: check a register of this many rows, each with problems, and time its error sheet",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import UploadedFile
    from django.core.management import call_command
    from django.db import connection

    from shouhu.accounts.models import Role, User
    from shouhu.children.models import Child
    from shouhu.imports import jobs, services
    from shouhu.imports.models import JobStatus
    from shouhu.regions.loader import load_regions

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database (e.g. …/shouhu_bench_imports).")
    settings.IMPORT_MAX_BYTES = 200 * 1024 * 1024
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(f"command: {' '.join(sys.argv)}")
    print(f"database: PostgreSQL {connection.cursor().connection.info.server_version}")

    call_command("migrate", verbosity=0)
    load_regions("341623")
    if Child.objects.exists() and not args.reuse:
        sys.exit("The database already holds children: use a scratch database, or --reuse to empty it.")
    actor, _created = User.objects.get_or_create(
        username="bench-county", defaults={"role": Role.COUNTY_STAFF, "region_id": "341623"}
    )
    if args.error_rows:
        errors_bench(args, actor, jobs)
        return
    if not args.file.exists() or args.file.stat().st_mtime < time.time() - 86400:
        started = time.perf_counter()
        write_xlsx(args.file, args.rows)
        print(f"generated {args.file} ({args.rows} rows) in {time.perf_counter() - started:.1f} s")
    print(f"file: {args.file}, {args.file.stat().st_size / 1024 / 1024:.1f} MB")

    def upload():
        fh = open(args.file, "rb")  # noqa: SIM115
        return UploadedFile(fh, name=args.file.name, size=args.file.stat().st_size)

    def reset():
        """Empty what an import writes (a scratch database: TRUNCATE, not a delete row by row)."""
        from shouhu.cases.models import Alert, Case, ChildRisk
        from shouhu.children import models as m
        from shouhu.escalation.models import WorkItem

        tables = [model._meta.db_table for model in (m.Child, m.Parent, m.Carer)]
        tables += [model.history.model._meta.db_table for model in (m.Child, m.Parent, m.Carer)]
        tables += [
            WorkItem._meta.db_table,
            Alert._meta.db_table,
            Case._meta.db_table,
            ChildRisk._meta.db_table,
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")

    if args.profile_check:
        import cProfile
        import pstats
        import tempfile

        profile = cProfile.Profile()
        with tempfile.TemporaryDirectory() as folder:
            profile.enable()
            result = services.import_register(
                actor=actor, upload=upload(), keep=Path(folder) / "kept", rejected=Path(folder) / "refused"
            )
            profile.disable()
        print(f"profiled dry run: {dict(result.counts)}, problems {len(result.problems)}")
        pstats.Stats(profile).sort_stats("tottime").print_stats(35)
        return
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        result = services.import_register(actor=actor, upload=upload(), commit=True)
        profile.disable()
        print(f"profiled commit: {dict(result.counts)}, problems {len(result.problems)}")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        reset()
        return

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    dry, commit = [], []
    for run in range(1, args.runs + 1):
        reset()
        print(f"run {run}: load average {os.getloadavg()[0]:.1f}", flush=True)
        # As a user's import runs: the job stores the upload, checks it (the dry run), and commits.
        started, used = time.perf_counter(), cpu()
        job = jobs.job_create(actor=actor, upload=upload())
        jobs.job_check(job=job)
        dry.append(time.perf_counter() - started)
        print(
            f"run {run}: dry run {dry[-1]:.1f} s (this process's CPU {cpu() - used:.1f} s), "
            f"{job.rows_total} rows, {dict(job.counts)}",
            flush=True,
        )
        assert job.status == JobStatus.CHECKED, job.problems[:5]
        started, used = time.perf_counter(), cpu()
        jobs.job_commit_request(actor=actor, job=job, confirmed=[])
        jobs.job_commit(job=job)
        commit.append(time.perf_counter() - started)
        print(f"run {run}: commit {commit[-1]:.1f} s (this process's CPU {cpu() - used:.1f} s)", flush=True)
        assert job.status == JobStatus.DONE, (job.error, job.problems[:5])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"run {run}: dry run {dry[-1]:.1f} s, commit {commit[-1]:.1f} s, "
            f"total {dry[-1] + commit[-1]:.1f} s; {dict(job.counts)}; peak memory {peak:.0f} MiB; "
            f"children now {Child.objects.count()}"
        )
    print(
        f"median of {args.runs}: dry run {statistics.median(dry):.1f} s, "
        f"commit {statistics.median(commit):.1f} s, "
        f"total {statistics.median(a + b for a, b in zip(dry, commit, strict=True)):.1f} s; "
        f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    reset()


def errors_bench(args, actor, jobs) -> None:
    """A register whose every row has problems: the check, then the error sheet (median of runs)."""
    from django.core.files.uploadedfile import UploadedFile

    from shouhu.imports.errorsheet import error_sheet

    path = args.file.with_name(f"shouhu-bench-errors-{args.error_rows}.xlsx")
    if not path.exists():
        write_xlsx(path, args.error_rows, broken=True)
    print(f"file: {path}, {args.error_rows} rows, each with problems")
    checks, sheets = [], []
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        with open(path, "rb") as fh:
            job = jobs.job_create(
                actor=actor, upload=UploadedFile(fh, name=path.name, size=path.stat().st_size)
            )
        jobs.job_check(job=job)
        checks.append(time.perf_counter() - started)
        started = time.perf_counter()
        data = error_sheet(jobs.rejected_path(job))
        sheets.append(time.perf_counter() - started)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"run {run}: check {checks[-1]:.1f} s ({job.rows_rejected} rows refused, "
            f"{len(job.problems)} problems kept on the job), error sheet {sheets[-1]:.1f} s "
            f"({len(data) / 1024 / 1024:.1f} MB); peak memory {peak:.0f} MiB",
            flush=True,
        )
        jobs.job_cancel(actor=actor, job=job)
    print(
        f"median of {args.runs}: check {statistics.median(checks):.1f} s, "
        f"error sheet {statistics.median(sheets):.1f} s"
    )


if __name__ == "__main__":
    main()
