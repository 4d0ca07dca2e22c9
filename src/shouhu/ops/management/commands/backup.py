"""``shouhu backup [--output PATH]``: a backup of the database in use (see docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shouhu.ops import backup as ops


class Command(BaseCommand):
    help = (
        "Back up the database: pg_dump --format=custom on PostgreSQL, SQLite's online backup otherwise. "
        "Keep SHOUHU_FIELD_KEY apart from the backup: without it ID and phone numbers cannot be read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="where to write it (default var/backups/shouhu-<time>)"
        )

    def handle(self, *args, output: Path | None = None, **options):
        try:
            path = ops.backup(output)
        except ops.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written to {path} ({path.stat().st_size} bytes)")
        self.stdout.write(
            "keep SHOUHU_FIELD_KEY apart from it: without the key, encrypted fields cannot be read"
        )
