"""``shouhu bench-data --children N``: a synthetic population for benchmarks, on a scratch database.

Children (with realistic shares of each category, most with an ID number, encrypted and hashed as the
registry stores it), their parents, categories and name tokens (for search) go in with COPY;
about twelve visits a child over the past year, three months of visit work items, alerts with their
deadlines and a few open cases are generated inside PostgreSQL (``INSERT … SELECT`` over the children
just loaded), all bypassing the per-row services. Secondary indexes and foreign keys of the big tables
are dropped for the load and rebuilt after it. Then the rollups are reconciled.

It refuses to run on a database holding children it did not make, and on anything but PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from shouhu.children import crypto, idnumber, names
from shouhu.children.models import CategoryEvent, Child, ChildCategory, NameToken, Parent
from shouhu.escalation.models import WorkItem
from shouhu.regions.codes import Level, county_of
from shouhu.regions.models import Region
from shouhu.visits.models import Visit

MARK = "bench-data"  # Child.address of every generated child: how the command knows its own
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏"
GIVEN = "建国华明丽芳强军伟敏静秀英玉兰桂梅霞萍红艳娟娜婷雪琳晨浩宇轩博文涛杰鹏辉亮磊欣怡梦巧嘉子涵"
# Shares of registered children holding each category (Lixin's proportions, seed 002, rounded).
SHARES = (
    ("left_behind", 0.20),
    ("difficulty_poverty", 0.06),
    ("difficulty_disability", 0.015),
    ("difficulty_guardianship", 0.01),
    ("de_facto_unsupported", 0.015),
    ("orphan", 0.003),
    ("living_alone", 0.002),
    ("dropout", 0.004),
)
EVENT_COLUMNS = ["child_id", "category_id", "gained", "on", "reason", "recorded_at"]
BIG_TABLES = (Child, Parent, ChildCategory, CategoryEvent, NameToken, Visit, WorkItem)
WITH_ID_NUMBER = 0.9  # the share of generated children with an ID number (encrypted, with its keyed hash)


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


# What every generated child and parent share; the other fields vary (``_template``).
CHILD_CONSTANTS = {
    "ethnicity": "汉族",
    "household_registered": True,
    "hukou_type": "rural",
    "address": MARK,
    "is_homeless": False,
    "found_region": None,
    "found_place": "",
    "placement": "",
    "school": None,
    "grade": "",
    "schooling": "primary",
    "boarding": False,
    "health": "healthy",
    "disability_type": "",
    "disability_grade": None,
    "illness": "",
    "guardianship_quality": "",
    "guardianship_concern": "",
    "income_sources": "[]",
    "assistance": "[]",
    "photo": "",
    "photo_consent": False,
    "version": 1,
}
PARENT_CONSTANTS = {
    "birth_date": None,
    "id_number": "",
    "id_number_hash": None,
    "phone": "",
    "situation_since": None,
    "situation_until": None,
    "police_report_date": None,
    "disability_type": "",
    "disability_grade": None,
    "contact_frequency": "",
    "return_frequency": "",
}


def _template(fields, constants: dict) -> str:
    """A COPY text line: the constants written once, a ``{name}`` slot for every other field (a field
    missing from both raises KeyError when the line is formatted: nothing is left out silently)."""
    parts = []
    for f in fields:
        if f.name in constants:
            parts.append(_text(constants[f.name]).replace("{", "{{").replace("}", "}}"))
        else:
            parts.append("{" + f.name + "}")
    return "\t".join(parts) + "\n"


class Command(BaseCommand):
    help = "Fill a scratch PostgreSQL database with N synthetic children, their visits and work (COPY)."

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, required=True)
        parser.add_argument("--visits", type=int, default=12, help="visits a child on average (default 12)")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, children: int, visits: int, seed: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench-data loads with COPY and needs PostgreSQL (DATABASE_URL).")
        if Child.objects.exclude(address=MARK).exists():
            raise CommandError("This database holds real children: run bench-data on a scratch database.")
        villages = list(Region.objects.filter(level=Level.VILLAGE).values_list("code", flat=True))
        if not villages:
            raise CommandError("No villages loaded: run `shouhu load-regions 34` (a province) first.")
        rng = random.Random(f"{seed}:{Child.objects.count()}")  # a second run adds other children
        today = timezone.localdate()
        started = time.perf_counter()
        visitor = self._visitor()
        with transaction.atomic():
            dropped = self._drop_indexes()
            t = time.perf_counter()
            n_children, n_parents, n_categories = self._copy_children(rng, children, villages, today)
            self._report("children (COPY)", n_children, t)
            self._report("parents (COPY)", n_parents, t)
            self._report("categories and their events (COPY)", n_categories, t)
            took = self.copy_seconds[Child._meta.db_table]
            rate = n_children / took
            self.stdout.write(f"  of which the COPY of the children: {took:.1f} s ({rate:,.0f} rows/s)")
            t = time.perf_counter()
            n = self._visits(visitor, visits, today)
            self._report("visits (INSERT … SELECT)", n, t)
            t = time.perf_counter()
            n = self._work(today)
            self._report("work items, alerts, cases (INSERT … SELECT)", n, t)
            t = time.perf_counter()
            self._restore(dropped)
            self.stdout.write(f"indexes and foreign keys rebuilt in {time.perf_counter() - t:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        from shouhu.insight import rollups

        t = time.perf_counter()
        result = rollups.reconcile(on=today)
        self.stdout.write(f"rollups reconciled: {result['rows']} rows in {time.perf_counter() - t:.1f} s")
        self.stdout.write(f"bench-data done in {time.perf_counter() - started:.1f} s")

    def _report(self, what: str, n: int, since: float) -> None:
        took = time.perf_counter() - since
        self.stdout.write(f"{what}: {n:,} rows in {took:.1f} s ({n / took:,.0f} rows/s)")

    def _visitor(self):
        from shouhu.accounts.models import Role, User

        user = User.objects.filter(username="bench-visitor").first()
        if user is None:
            user = User.objects.create_user("bench-visitor", password=None, role=Role.VILLAGE_DIRECTOR)
        return user

    def _drop_indexes(self) -> list[str]:
        """Drop the secondary indexes and foreign keys of the big tables; return how to rebuild them."""
        rebuild = []
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks may hold up ALTER TABLE
            for model in BIG_TABLES:
                table = model._meta.db_table
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                    rebuild.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                    [table, table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    rebuild.insert(0, definition)
        return rebuild

    def _restore(self, statements: list[str]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for sql in statements:
                cursor.execute(sql)

    def _copy_children(self, rng, count: int, villages: list[str], today: dt.date) -> tuple[int, int, int]:
        child_fields = [f for f in Child._meta.concrete_fields]
        parent_fields = [f for f in Parent._meta.concrete_fields]
        child_row = _template(child_fields, CHILD_CONSTANTS)
        parent_row = _template(parent_fields, PARENT_CONSTANTS)
        # A pool of given names, so that the pinyin of each full name is worked out once.
        given = sorted(
            {rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "") for _ in range(400)}
        )
        pinyin: dict[str, tuple[str, str]] = {}
        tokens_of: dict[str, list[str]] = {}
        # Keyed hashes of the ID numbers already stored (an earlier run's) and of this run's.
        numbers = set(Child.objects.exclude(id_number_hash=None).values_list("id_number_hash", flat=True))
        self.copy_seconds: dict[str, float] = {}
        now = timezone.now()
        n_parents = n_categories = 0
        batch = 20000
        with connection.cursor() as cursor:
            # The children of this run, for the visits and work generated from them.
            cursor.execute("CREATE TEMPORARY TABLE bench_new (id uuid PRIMARY KEY) ON COMMIT DROP")
            raw = cursor.cursor
            for first in range(0, count, batch):
                kids, parents, held, events, new, tokens = (io.StringIO() for _ in range(6))
                for _i in range(first, min(count, first + batch)):
                    pk = uuid.UUID(int=rng.getrandbits(128), version=4)
                    name = rng.choice(SURNAMES) + rng.choice(given)
                    if name not in pinyin:
                        pinyin[name] = (names.pinyin(name), names.initials(name))
                        tokens_of[name] = sorted(names.tokens(name))
                    village = villages[int(len(villages) * rng.random() ** 1.3)]  # some villages larger
                    birth = today - dt.timedelta(days=rng.randrange(1, 18 * 365 - 2))
                    gender = "male" if rng.random() < 0.5 else "female"
                    number, number_hash = self._id_number(rng, numbers, village, birth, gender)
                    exited = today - dt.timedelta(days=rng.randrange(1, 400)) if rng.random() < 0.03 else None
                    created = now - dt.timedelta(days=rng.randrange(0, 730), seconds=rng.randrange(86400))
                    cats = [code for code, share in SHARES if rng.random() < share]
                    left_behind = "left_behind" in cats
                    arrangement = "grandparents" if left_behind else "parents"
                    kids.write(
                        child_row.format(
                            id=pk,
                            name=name,
                            gender=gender,
                            id_number=crypto.encrypt(number) if number else "\\N",
                            id_number_hash=number_hash or "\\N",
                            birth_date=birth,
                            village=village,
                            region_code=village,
                            living_arrangement=arrangement,
                            exited_on=_text(exited),
                            exit_reason="moved" if exited else "",
                            name_pinyin=pinyin[name][0],
                            name_initials=pinyin[name][1],
                            created_at=created,
                            updated_at=created,
                        )
                    )
                    new.write(f"{pk}\n")
                    tokens.writelines(f"{pk}\t{token}\t{village}\n" for token in tokens_of[name])
                    situation, place = ("migrant", "浙江省宁波市") if left_behind else ("at_home", "")
                    for role in ("father", "mother"):
                        parents.write(
                            parent_row.format(
                                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                                child=pk,
                                role=role,
                                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                situation=situation,
                                work_place=place,
                            )
                        )
                        n_parents += 1
                    for code in cats:
                        since = max(birth, created.date() - dt.timedelta(days=rng.randrange(0, 30)))
                        held.write(f"{pk}\t{code}\t{since}\t{MARK}\n")
                        events.write(f"{pk}\t{code}\tt\t{since}\t{MARK}\t{created.isoformat()}\n")
                        n_categories += 1
                for model, columns, data in (
                    (Child, [f.column for f in child_fields], kids),
                    (Parent, [f.column for f in parent_fields], parents),
                    (ChildCategory, ["child_id", "category_id", "since", "reason"], held),
                    (CategoryEvent, EVENT_COLUMNS, events),
                    (NameToken, ["child_id", "token", "region_code"], tokens),
                    ("bench_new", ["id"], new),
                ):
                    table = model if isinstance(model, str) else model._meta.db_table
                    cols = ", ".join(f'"{c}"' for c in columns)
                    began = time.perf_counter()
                    with raw.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                        copy.write(data.getvalue())
                    self.copy_seconds[table] = self.copy_seconds.get(table, 0.0) + time.perf_counter() - began
        return count, n_parents, n_categories

    @staticmethod
    def _id_number(
        rng, taken: set[str], village: str, birth: dt.date, gender: str
    ) -> tuple[str, str] | tuple[None, None]:
        """A valid ID number of the village's county, birth date and sex, not yet stored (sequence
        numbers 100–899, never the demo's 900–999), and its keyed hash; none for the children
        registered without one."""
        if rng.random() >= WITH_ID_NUMBER:
            return None, None
        for _attempt in range(20):
            seq = 100 + 2 * rng.randrange(400) + (1 if gender == "male" else 0)
            number = idnumber.make(f"{county_of(village)}{birth:%Y%m%d}{seq:03d}")
            hashed = crypto.keyed_hash(number)
            if hashed not in taken:
                taken.add(hashed)
                return number, hashed
        return None, None

    def _visits(self, visitor, per_child: int, today: dt.date) -> int:
        """About ``per_child`` visits a child over the past year (a child's number from its id)."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO visits_visit (id, child_id, region_code, visited_on, kind, outcome, visitor_id,
                    saw_child, saw_guardian, guardian_capable, health, mood, safe, in_school, home_hazards,
                    parent_contact, notes, follow_up, photo, photo_consent, idempotency_key, created_at)
                SELECT gen_random_uuid(), c.id, c.region_code, v.day, 'home',
                    CASE WHEN random() < 0.05 THEN 'nobody_home' ELSE 'done' END, %(visitor)s,
                    true, true, '', '', '', '', '', false, '', '', false, '', false, NULL,
                    v.day + time '10:00'
                FROM children_child c JOIN bench_new USING (id)
                CROSS JOIN LATERAL (
                    SELECT %(today)s::date - (random() * 364)::int AS day
                    FROM generate_series(1, 1 + abs(hashtext(c.id::text)) %% (2 * %(per)s - 1))
                ) v
                """,
                {"visitor": visitor.pk, "today": today, "per": per_child},
            )
            return cursor.rowcount

    def _work(self, today: dt.date) -> int:
        """Director visits due at the end of this month and the two before (most done, some late or
        missed), alerts for one child in a hundred with their deadlines, open cases for one in 500."""
        tz = settings.TIME_ZONE
        total = 0
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO escalation_workitem (id, key, kind, title, child_id, region_code, responsible_id,
                    period_start, period_end, due_at, township_at, county_at, bureau_at, tier, status,
                    done_at, note, created_at)
                SELECT gen_random_uuid(), 'visit:' || c.id || ':director:' || m.start, 'visit.director',
                    '儿童主任走访', c.id, c.region_code, NULL, m.start, m.finish,
                    (m.finish + time '23:59:59') AT TIME ZONE %(tz)s,
                    (m.finish + 7 + time '23:59:59') AT TIME ZONE %(tz)s,
                    (m.finish + 14 + time '23:59:59') AT TIME ZONE %(tz)s,
                    NULL, 0,
                    CASE WHEN m.start = date_trunc('month', %(today)s::date) OR r.x < 0.1 THEN 'open'
                         ELSE 'done' END,
                    CASE WHEN m.start = date_trunc('month', %(today)s::date) OR r.x < 0.1 THEN NULL
                         WHEN r.x < 0.2 THEN (m.finish + 5 + time '10:00') AT TIME ZONE %(tz)s
                         ELSE (m.finish - 5 + time '10:00') AT TIME ZONE %(tz)s END,
                    '', m.start::timestamp AT TIME ZONE %(tz)s
                FROM children_child c JOIN bench_new USING (id)
                CROSS JOIN LATERAL (
                    SELECT s::date AS start, (s + interval '1 month' - interval '1 day')::date AS finish
                    FROM generate_series(date_trunc('month', %(today)s::date) - interval '2 months',
                                         date_trunc('month', %(today)s::date), interval '1 month') s
                ) m
                CROSS JOIN LATERAL (SELECT random() + 0 * length(m.start::text) AS x) r
                WHERE c.exited_on IS NULL
                """,
                {"tz": tz, "today": today},
            )
            total += cursor.rowcount
            cursor.execute(
                """
                WITH picked AS (
                    SELECT id AS child_id, region_code, gen_random_uuid() AS item_id,
                        gen_random_uuid() AS alert_id, (abs(hashtext(id::text || 'd')) % 10) AS age,
                        (ARRAY['urgent', 'high', 'medium', 'low'])[1 + abs(hashtext(id::text)) % 4]
                            AS severity
                    FROM children_child JOIN bench_new USING (id)
                    WHERE exited_on IS NULL AND abs(hashtext(id::text || 'a')) % 100 = 0
                ), items AS (
                    INSERT INTO escalation_workitem (id, key, kind, title, child_id, region_code,
                        responsible_id, period_start, period_end, due_at, township_at, county_at, bureau_at,
                        tier, status, done_at, note, created_at)
                    SELECT item_id, 'alert:' || alert_id, 'alert.alone_under_16', '风险预警', child_id,
                        region_code, NULL, NULL, NULL, now() - age * interval '1 day' + interval '48 hours',
                        now() - age * interval '1 day' + interval '72 hours',
                        now() - age * interval '1 day' + interval '96 hours',
                        now() - age * interval '1 day' + interval '120 hours', 0, 'open', NULL, '',
                        now() - age * interval '1 day'
                    FROM picked
                    RETURNING 1
                )
                INSERT INTO cases_alert (id, version, child_id, region_code, household_id, member_ids, rule,
                    severity, facts, status, opened_at, work_item_id, police_informed_at, notice_sent_at,
                    school_notified_at, guardian_urged_at, closed_at, closed_by_id, close_reason)
                SELECT alert_id, 1, child_id, region_code, NULL, '[]', 'alone_under_16', severity, '{}',
                    'open', now() - age * interval '1 day', item_id, NULL, NULL, NULL, NULL, NULL, NULL, ''
                FROM picked
                """
            )
            total += 2 * cursor.rowcount
            cursor.execute(
                """
                INSERT INTO cases_case (id, version, child_id, region_code, source, alert_id, report_id,
                    status, risk_level, parties, assessment, plan, outcome, opened_by_id, opened_at,
                    close_requested_by_id, closed_by_id, closed_at)
                SELECT gen_random_uuid(), 1, id, region_code, 'manual', NULL, NULL, 'in_service', 'high',
                    '[]', '{}', '', '', NULL, now() - interval '20 days', NULL, NULL, NULL
                FROM children_child JOIN bench_new USING (id)
                WHERE exited_on IS NULL AND abs(hashtext(id::text || 'c')) % 500 = 0
                """
            )
            total += cursor.rowcount
        return total
