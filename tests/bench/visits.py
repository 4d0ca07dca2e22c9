"""Benchmark: visit schedules, escalation, quarterly investigations and the work lists of a county.

    DATABASE_URL=postgresql://… .venv/bin/python tests/bench/visits.py --children 100000

Fills a scratch database (it refuses to run against one that already holds children unless
--reuse is given) with one county's children — about one in ten left behind, a few percent in
difficulty, a few orphans, de-facto unsupported children and children living alone — a child
director for most villages, a supervisor per township, county staff, and half a year of visits;
derives the schedules of the past months, then prints the median of several runs of:

1. the nightly recomputation in steady state (every item already exists): ``schedules_refresh``
   followed by ``escalate``, and ``escalate`` when a month's missed visits reach the township at once;
2. the first refresh of a new month, which creates the month's visit items;
3. opening a quarterly investigation of every child of the county;
4. a director's "my visits" list and a township's overdue count per village, as the pages ask them.

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
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from shouhu.accounts import access  # noqa: E402
from shouhu.accounts.models import Role, User, WelfareWorker, WorkerKind  # noqa: E402
from shouhu.children import classify as c  # noqa: E402
from shouhu.children import names  # noqa: E402
from shouhu.children.models import CategoryEvent, Child, ChildCategory  # noqa: E402
from shouhu.escalation import services as escalation  # noqa: E402
from shouhu.escalation.models import Notification, Status, Tier, WorkItem  # noqa: E402
from shouhu.regions.loader import load_regions  # noqa: E402
from shouhu.regions.models import Region  # noqa: E402
from shouhu.visits import investigations, services  # noqa: E402
from shouhu.visits.models import Investigation, InvestigationItem, Outcome, Visit, VisitKind  # noqa: E402

COUNTY = "341623"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "建国华明丽芳强军伟敏静秀英玉兰桂梅霞萍红艳娟娜婷雪琳晨浩宇轩博文涛杰鹏辉亮磊欣怡梦巧嘉子涵"
# Share of children holding each category (a child may hold several), after the national figures.
SHARES = [
    (c.LEFT_BEHIND, 0.10),
    (c.DIFFICULTY_POVERTY, 0.03),
    (c.DIFFICULTY_DISABILITY, 0.01),
    (c.DIFFICULTY_GUARDIANSHIP, 0.005),
    (c.DE_FACTO_UNSUPPORTED, 0.003),
    (c.ORPHAN, 0.002),
    (c.DROPOUT, 0.004),
    (c.LIVING_ALONE, 0.001),
]
BATCH = 5000


def months_back(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def staff() -> dict:
    """A director for 97 % of villages, a supervisor per township (with e-mail and phone, so that
    escalation notifies on every channel), and the county centre."""
    rng = random.Random(11)
    villages = list(Region.objects.filter(code__startswith=COUNTY, level=5).values_list("code", flat=True))
    townships = list(Region.objects.filter(code__startswith=COUNTY, level=4).values_list("code", flat=True))
    users, workers = [], []
    directors = {}
    for code in villages:
        if rng.random() < 0.03:
            continue
        user = User(id=uuid.uuid4(), username=f"dir-{code}", role=Role.VILLAGE_DIRECTOR, region_id=code)
        users.append(user)
        workers.append(
            WelfareWorker(kind=WorkerKind.DIRECTOR, user=user, name=f"主任{code[-3:]}", region_id=code)
        )
        directors[code] = user.id
    for code in townships:
        users.append(
            User(
                id=uuid.uuid4(),
                username=f"sup-{code}",
                role=Role.TOWNSHIP_SUPERVISOR,
                region_id=code,
                email=f"sup-{code}@example.org",
                phone="13800000000",
            )
        )
    county = User(
        id=uuid.uuid4(),
        username="bench-county",
        role=Role.COUNTY_STAFF,
        region_id=COUNTY,
        email="centre@example.org",
        phone="13900000000",
    )
    users.append(county)
    User.objects.bulk_create(users)
    WelfareWorker.objects.bulk_create(workers)
    return {"villages": villages, "directors": directors, "county": county.id}


def fill(n: int) -> None:
    rng = random.Random(7)
    started = time.perf_counter()
    people = staff()
    villages, directors = people["villages"], people["directors"]
    today = timezone.localdate()
    now = timezone.now()
    children, memberships, events, visits = [], [], [], []
    totals = {"children": 0, "categories": 0, "visits": 0}

    def flush():
        Child.objects.bulk_create(children, batch_size=BATCH)
        ChildCategory.objects.bulk_create(memberships, batch_size=BATCH)
        CategoryEvent.objects.bulk_create(events, batch_size=BATCH)
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        totals["children"] += len(children)
        totals["categories"] += len(memberships)
        totals["visits"] += len(visits)
        for rows in (children, memberships, events, visits):
            rows.clear()

    for _i in range(n):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        village = rng.choice(villages)
        age_days = rng.randint(30, 17 * 365)
        child = Child(
            id=uuid.uuid4(),
            name=name,
            gender=rng.choice(("female", "male")),
            birth_date=today - dt.timedelta(days=age_days),
            village_id=village,
            region_code=village,
            name_pinyin=names.pinyin(name),
            name_initials=names.initials(name),
        )
        children.append(child)
        held = {code for code, share in SHARES if rng.random() < share}
        for code in held:
            memberships.append(
                ChildCategory(child_id=child.id, category_id=code, since=today, reason="bench")
            )
            if code == c.LIVING_ALONE:
                events.append(
                    CategoryEvent(
                        child_id=child.id,
                        category_id=code,
                        gained=True,
                        on=today,
                        reason="bench",
                        recorded_at=now - dt.timedelta(days=rng.randint(0, 60)),
                    )
                )
        visitor = directors.get(village, people["county"])
        if held & services.rules.LISTED:
            # Half a year of monthly visits, some missed and some failed attempts.
            for back in range(6):
                if rng.random() < 0.85:
                    first = months_back(today, back)
                    last_day = min(today, months_back(today, back - 1) - dt.timedelta(days=1))
                    day = first + dt.timedelta(days=rng.randint(0, (last_day - first).days))
                    failed = rng.random() < 0.05
                    visits.append(
                        Visit(
                            child_id=child.id,
                            region_code=village,
                            visited_on=day,
                            visitor_id=visitor,
                            outcome=Outcome.LOCKED if failed else Outcome.DONE,
                            kind=VisitKind.HOME,
                            saw_child=not failed,
                            saw_guardian=not failed,
                        )
                    )
        elif rng.random() < 0.6:
            day = today.replace(month=1, day=1) + dt.timedelta(
                days=rng.randint(0, today.timetuple().tm_yday - 1)
            )
            visits.append(Visit(child_id=child.id, region_code=village, visited_on=day, visitor_id=visitor))
        if len(children) == BATCH:
            flush()
    flush()
    analyze()
    print(
        f"filled {totals['children']} children, {totals['categories']} category memberships, "
        f"{totals['visits']} visits, {len(directors)} directors in {time.perf_counter() - started:.1f} s"
    )


def analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def median(values) -> float:
    return statistics.median(values)


def history(today: dt.date, now: dt.datetime) -> None:
    """The items of the past five months and of this one, as the nightly job would have left them."""
    for back in range(5, -1, -1):
        on = months_back(today, back) + dt.timedelta(days=14) if back else today
        seconds, result = timed(lambda on=on: services.schedules_refresh(on=on, now=now))
        print(f"  schedule of {on:%Y-%m}: {seconds:6.2f} s  {result}")
    seconds, result = timed(lambda: escalation.escalate(now=now))
    print(f"  first escalation: {seconds:6.2f} s  {result}")
    analyze()


def last_month_missed(today: dt.date):
    """Last month's director visits that were not made, put back at the village tier with the
    notifications about them forgotten: as on the night they reach the township."""
    missed = WorkItem.objects.filter(
        status=Status.OPEN, kind=services.DIRECTOR_VISIT, period_start=months_back(today, 1)
    )
    Notification.objects.filter(item__in=missed).delete()
    missed.update(tier=Tier.VILLAGE)
    return missed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="runs of each job (queries: 3 × as many)")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    load_regions(COUNTY)
    logging.getLogger("shouhu.notifications").setLevel(logging.WARNING)  # one line per SMS otherwise
    if Child.objects.exists() and not args.reuse:
        sys.exit("this database already holds children; use a scratch database or --reuse")
    if not Child.objects.exists():
        fill(args.children)
    today = timezone.localdate()
    now = timezone.now()
    if not WorkItem.objects.exists():
        print("deriving the schedules of the past months:")
        history(today, now)
    runs = args.runs
    total = Child.objects.count()
    print(
        f"{connection.vendor}, {total} children, {WorkItem.objects.count()} work items, "
        f"{Visit.objects.count()} visits; medians of {runs} runs (2 cores shared with other work)"
    )

    # 1. Steady state: the nightly refresh when every item exists, and the hourly escalation.
    refresh, escalate, both = [], [], []
    for _run in range(runs):
        r, _result = timed(lambda: services.schedules_refresh(on=today, now=now))
        e, _result = timed(lambda: escalation.escalate(now=now))
        refresh.append(r)
        escalate.append(e)
        both.append(r + e)
    print(f"  1. steady state: schedules_refresh + escalate       {median(both):8.2f} s   (target < 3 s)")
    print(f"       schedules_refresh (100 % of items exist)        {median(refresh):8.2f} s")
    print(f"       escalate (nothing to move)                     {median(escalate):8.2f} s")
    moving, moved, sent = [], 0, 0
    for _run in range(runs):
        missed = last_month_missed(today)
        night = missed.first().township_at + dt.timedelta(minutes=1)
        e, result = timed(lambda night=night: escalation.escalate(now=night))
        moving.append(e)
        moved, sent = result["to_township"], result["notices"]
    print(
        f"       escalate, the night last month's {moved} missed visits reach the township "
        f"({sent} notices into the outbox)  {median(moving):8.2f} s"
    )

    # 2. The first refresh of a new month creates the month's items.
    first = months_back(today, -1)
    first_now = timezone.make_aware(dt.datetime.combine(first, dt.time(2, 0)))
    new_month, created = [], 0
    for _run in range(runs):
        m, result = timed(lambda: services.schedules_refresh(on=first, now=first_now))
        new_month.append(m)
        created = result["created"]
        WorkItem.objects.filter(period_start=first).delete()
    print(f"  2. first refresh of {first:%Y-%m} ({created} items created) {median(new_month):8.2f} s")

    # 3. A quarterly investigation of every child of the county.
    county = User.objects.get(username="bench-county")
    opening, items = [], 0
    quarter = (today.month - 1) // 3 + 1
    for _run in range(runs):
        Investigation.objects.filter(county_id=COUNTY, year=today.year, quarter=quarter).delete()
        o, inv = timed(
            lambda: investigations.investigation_open(
                actor=county, county_code=COUNTY, year=today.year, quarter=quarter, all_children=True
            )
        )
        opening.append(o)
        items = InvestigationItem.objects.filter(investigation=inv).count()
        InvestigationItem.objects.filter(investigation=inv)._raw_delete(InvestigationItem.objects.db)
        inv.delete()
    print(f"  3. investigation_open, all {items} children          {median(opening):8.2f} s   (target < 5 s)")

    # 4. The pages' queries.
    analyze()
    busiest = (
        WorkItem.objects.filter(status=Status.OPEN, responsible__isnull=False)
        .values("responsible_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    director = User.objects.get(pk=busiest["responsible_id"])
    supervisor = User.objects.get(username=f"sup-{director.region_id[:9]}")
    month_end = timezone.make_aware(dt.datetime.combine(months_back(today, -1), dt.time(0, 0)))

    def my_visits():
        qs = (
            access.work_items_visible_to(director)
            .filter(responsible=director, status=Status.OPEN, due_at__lt=month_end)
            .select_related("child")
            .order_by("due_at", "pk")
        )
        return qs.count(), list(qs[:50])

    def overdue_per_village():
        return list(
            access.work_items_visible_to(supervisor)
            .filter(status=Status.OPEN, due_at__lt=now)
            .values("region_code")
            .annotate(n=Count("pk"))
            .order_by("region_code")
        )

    def overdue_per_township():
        from django.db.models.functions import Substr

        return list(
            access.work_items_visible_to(county)
            .filter(status=Status.OPEN, due_at__lt=now)
            .annotate(township=Substr("region_code", 1, 9))
            .values("township")
            .annotate(n=Count("pk"))
            .order_by("township")
        )

    queries = [
        (f"director's open visits due this month ({my_visits()[0]}), count + first 50", my_visits),
        (f"township overdue per village ({len(overdue_per_village())} villages)", overdue_per_village),
        (f"county overdue per township ({len(overdue_per_township())} townships)", overdue_per_township),
    ]
    print(f"  4. page queries (median of {3 * runs} runs):")
    for label, fn in queries:
        ms = median([timed(fn)[0] * 1000 for _run in range(3 * runs)])
        target = "   (target < 100 ms)" if "county" not in label else ""
        print(f"       {label:58s} {ms:8.1f} ms{target}")


if __name__ == "__main__":
    main()
