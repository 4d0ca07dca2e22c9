"""``shouhu archive-files [--as-of DATE]``: archive the files of children who turned 18 or left."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from shouhu.privacy import services


class Command(BaseCommand):
    help = "Archive the files of children who have turned 18 or left the register (normally done on exit)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="the day to archive for (YYYY-MM-DD); today by default")

    def handle(self, *args, as_of: str | None = None, **options):
        try:
            on = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"--as-of must be a date written YYYY-MM-DD, not {as_of!r}") from exc
        count = services.archive_due(on=on)
        self.stdout.write(f"archived {count} files")
