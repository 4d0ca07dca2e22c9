"""Benchmark: lost updates. Pairs of people change different fields of one child's file at the same
moment through the API, each pair with the same If-Match.

    DATABASE_URL=postgresql://…/scratch .venv/bin/python tests/bench/lost_updates.py --pairs 100

On a scratch PostgreSQL database (it refuses one that already holds children unless --reuse is
given): the county, its reference data, a village director and the township's supervisor, one child.
Then, ``--pairs`` times, the two send a PATCH each in threads released together
(``tests.concurrency``) and the row is read back (``--without-if-match``: as older clients, without
it). Prints the pairs, how many changes were saved (200) and refused (412), how many answered 200
but are not in the row (lost: must be 0), and the median time of a request.

Not part of the test suite. Timings depend on the machine and on what else runs on it.
"""

import argparse
import os
import sys
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from shouhu.accounts.models import ApiToken, User  # noqa: E402
from shouhu.children.models import Child  # noqa: E402
from shouhu.regions.loader import load_regions  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.concurrency import patch_pairs  # noqa: E402

REFERENCE_DATA = (
    ("children.migrations.0002_national_categories", "load"),
    ("cases.migrations.0002_harm_types", "load"),
)


def client_for(user) -> APIClient:
    client = APIClient()
    _token, secret = ApiToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--without-if-match", action="store_true", help="as an older client: no If-Match")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL: set DATABASE_URL=postgresql://… (a scratch database)")
    call_command("migrate", verbosity=0)
    if Child.objects.exists() and not args.reuse:
        sys.exit("this database already holds children; use a scratch database or --reuse")
    load_regions(f.COUNTY)
    for module, function in REFERENCE_DATA:
        getattr(import_module(f"shouhu.{module}"), function)(apps, None)
    director = User.objects.filter(username="dir_a").first()
    if director is None:
        personas = f.Personas.create()
        director, supervisor, child = personas.dir_a, personas.supervisor, personas.child_a
    else:
        supervisor = User.objects.get(username="supervisor")
        child = Child.objects.filter(village_id=f.VILLAGE_A).order_by("created_at").first()
    clients = [client_for(director), client_for(supervisor)]
    result = patch_pairs(clients=clients, child=child, pairs=args.pairs, if_match=not args.without_if_match)
    sent = "without If-Match" if args.without_if_match else "with the same If-Match"
    print(f"PostgreSQL, one child, {args.pairs} pairs of concurrent PATCHes of different fields {sent}:")
    print(f"  pairs            {result.pairs}")
    print(f"  saved (200)      {result.saved}")
    print(f"  refused (412)    {result.refused}")
    print(f"  lost             {result.lost}")
    print(f"  other answers    {len(result.other)} {result.other[:5] if result.other else ''}")
    print(f"  median request   {result.median_ms:.1f} ms")
    if result.lost or result.other:
        sys.exit(1)


if __name__ == "__main__":
    main()
