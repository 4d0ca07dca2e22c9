"""Benchmark: finding a child by name, pinyin and ID number in a large registry.

    DATABASE_URL=postgresql://… .venv/bin/python tests/bench/search.py --children 200000

Fills a scratch database (it refuses to run against one that already holds children unless
--reuse is given), then prints the median of repeated searches as a user of each level would run
them. Not part of the test suite.
"""

import argparse
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

from shouhu.accounts.models import Role, User  # noqa: E402
from shouhu.children import idnumber, names  # noqa: E402
from shouhu.children.models import Child, NameToken  # noqa: E402
from shouhu.children.selectors import children_list  # noqa: E402
from shouhu.regions.loader import load_regions  # noqa: E402
from shouhu.regions.models import Region  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "建国华明丽芳强军伟敏静秀英玉兰桂梅霞萍红艳娟娜婷雪琳晨浩宇轩博文涛杰鹏辉亮磊欣怡梦巧嘉子涵"


def fill(n: int) -> None:
    rng = random.Random(7)
    villages = list(Region.objects.filter(code__startswith="341623", level=5).values_list("code", flat=True))
    batch, tokens, used = [], [], set()
    started = time.perf_counter()
    for i in range(n):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        birth = f"{rng.randint(2009, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        village = rng.choice(villages)
        number = idnumber.make(f"341623{birth.replace('-', '')}{i % 1000:03d}") if i % 3 else None
        if number in used:
            number = None
        used.add(number)
        child = Child(
            id=uuid.uuid4(),
            name=name,
            gender="female",
            birth_date=birth,
            village_id=village,
            id_number=number,
            region_code=village,
            name_pinyin=names.pinyin(name),
            name_initials=names.initials(name),
        )
        batch.append(child)
        tokens += [NameToken(child_id=child.id, token=t, region_code=village) for t in names.tokens(name)]
        if len(batch) == 5000:
            Child.objects.bulk_create(batch)
            NameToken.objects.bulk_create(tokens)
            batch, tokens = [], []
    Child.objects.bulk_create(batch)
    NameToken.objects.bulk_create(tokens)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    print(f"filled {n} children in {time.perf_counter() - started:.1f} s")


def median_ms(fn, runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    load_regions("341623")
    if Child.objects.exists() and not args.reuse:
        sys.exit("this database already holds children; use a scratch database or --reuse")
    if not Child.objects.exists():
        fill(args.children)
    county, _ = User.objects.get_or_create(
        username="bench-county", defaults={"role": Role.COUNTY_STAFF, "region_id": "341623"}
    )
    village = Child.objects.values_list("region_code", flat=True).first()
    director, _ = User.objects.get_or_create(
        username="bench-village", defaults={"role": Role.VILLAGE_DIRECTOR, "region_id": village}
    )
    number = Child.objects.exclude(id_number=None).values_list("id_number", flat=True).first()
    total = Child.objects.count()
    print(f"{connection.vendor}, {total} children; median of 15 runs, first page of 50:")
    cases = [
        ("county: 2-character name part '建国'", county, "建国"),
        ("county: 1 character '梦'", county, "梦"),
        ("county: full pinyin 'zhangjianguo'", county, "zhangjianguo"),
        ("county: initials 'zjg'", county, "zjg"),
        ("county: exact ID number", county, number),
        ("village: list, no search", director, ""),
        ("village: 2-character name part '建国'", director, "建国"),
    ]
    for label, user, q in cases:
        ms = median_ms(lambda u=user, q=q: list(children_list(user=u, q=q)[:50]))
        print(f"  {label:45s} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
