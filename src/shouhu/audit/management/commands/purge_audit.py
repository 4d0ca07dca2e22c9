"""``shouhu purge-audit [--dry-run]``: delete access-log rows past the retention period, and log it."""

from django.core.management.base import BaseCommand

from shouhu.audit import retention


class Command(BaseCommand):
    help = "Delete access-log rows older than AUDIT_RETENTION_DAYS (at least 3 years); the purge is logged."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count the rows, delete nothing")

    def handle(self, *args, dry_run: bool = False, **options):
        result = retention.purge(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(
            f"{verb} {result['count']} access-log rows older than {result['before']:%Y-%m-%d %H:%M} "
            f"(retention {result['days']} days)"
        )
