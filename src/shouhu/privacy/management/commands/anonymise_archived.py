"""``shouhu anonymise-archived [--dry-run]``: anonymise the archived files past their retention period."""

from django.core.management.base import BaseCommand

from shouhu.privacy import services


class Command(BaseCommand):
    help = (
        "Replace the personal fields of children's files archived more than CHILD_RETENTION_YEARS ago with "
        "neutral values, in the live rows, their history and the access-log rows naming them; logged."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list the files, change nothing")

    def handle(self, *args, dry_run: bool = False, **options):
        due = services.anonymise_due(dry_run=dry_run)
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(
            f"{verb} {len(due)} archived files (retention {services.retention_years()} years after archiving)"
        )
        for child in due:
            self.stdout.write(f"  {child.pk}")
