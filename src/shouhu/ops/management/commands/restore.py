"""``shouhu restore PATH [--database-url URL] [--yes]``: restore a backup made by ``shouhu backup``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shouhu.ops import backup as ops


class Command(BaseCommand):
    help = (
        "Restore a backup made by `shouhu backup` into the database in use, or into the one given by "
        "--database-url (for PostgreSQL, an empty database made with createdb). The same "
        "SHOUHU_FIELD_KEY must be set to read the encrypted fields."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup file")
        parser.add_argument("--database-url", help="restore into this database instead of the one in use")
        parser.add_argument(
            "--yes", action="store_true", help="replace the data of the database in use without asking"
        )

    def handle(self, *args, path: Path, database_url: str | None = None, yes: bool = False, **options):
        if not database_url and not yes:
            raise CommandError(
                "restoring replaces the data of the database in use: stop the site, then run again "
                "with --yes (or restore into another database with --database-url)"
            )
        try:
            target = ops.restore(path, database_url)
        except ops.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {path} into {target.name}")
