"""``shouhu reconcile-rollups [--on DATE]``: rebuild the dashboards' rollups whole (the nightly job does
it after the day's other work; run it once after installing or restoring a database)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from shouhu.insight import rollups


class Command(BaseCommand):
    help = "Rebuild every dashboard rollup for a day (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, on=None, **options):
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError as exc:
            raise CommandError(f"--on: {on!r} is not a date (YYYY-MM-DD)") from exc
        started = time.perf_counter()
        result = rollups.reconcile(on=day)
        self.stdout.write(f"{result['rows']} rollup rows in {time.perf_counter() - started:.1f} s")
