"""``shouhu demo-ready [--serve HOST:PORT]``: the demo brought up in one start of Django.

Migrates when a migration is pending (a restart with nothing to migrate skips ``migrate`` and its
post-migrate work), seeds the demo when it is missing (``seed-demo --if-missing``), prints the demo
accounts, and with ``--serve`` goes on to serve the demo from the same process (``runserver`` without
its reloader, which would start Django a second time). ``make demo`` runs it.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def pending_migrations(database: str = DEFAULT_DB_ALIAS) -> int:
    executor = MigrationExecutor(connections[database])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = (
        "Bring the demo up: migrate if needed, seed it if missing, list the demo accounts; with --serve, "
        "serve it. Demo only: never run it against a production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=3000, help="children of a new demo (3000)")
        parser.add_argument(
            "--serve", metavar="HOST:PORT", help="then serve the demo there (e.g. 127.0.0.1:8000)"
        )

    def handle(self, *args, children: int, serve: str | None, **options):
        verbosity = options.get("verbosity", 1)
        pending = pending_migrations()
        if pending:
            self.stdout.write(f"Applying {pending} migrations ...")
            call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0), stdout=self.stdout)
        call_command("seed_demo", if_missing=True, children=children, verbosity=verbosity, stdout=self.stdout)
        call_command("demo_accounts", stdout=self.stdout)
        if serve:
            self.stdout.write(f"Serving the demo on http://{serve}/ (Ctrl-C stops it)")
            call_command("runserver", serve, use_reloader=False)
