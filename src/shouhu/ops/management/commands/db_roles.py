"""``shouhu db-roles [--migrate] [--app-role NAME]``: the owner and the application's role on PostgreSQL
(``shouhu.ops.dbroles``; docs/operations.md). Safe to run again: every grant is restated."""

import dj_database_url
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shouhu.ops import dbroles


class Command(BaseCommand):
    help = (
        "As the owner role (DATABASE_OWNER_URL): optionally migrate, then grant the application's role "
        "(DATABASE_URL's user) row rights only: INSERT and SELECT on the access log, no TRUNCATE anywhere, "
        "EXECUTE on the purge function. Run after every migration."
    )

    def add_arguments(self, parser):
        parser.add_argument("--migrate", action="store_true", help="run the migrations as the owner first")
        parser.add_argument("--app-role", help="the application's role (default: the user of DATABASE_URL)")

    def handle(self, *args, migrate=False, app_role=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("database roles exist on PostgreSQL only: SQLite has one user (nothing to do)")
        if not getattr(settings, "DATABASE_OWNER_URL", ""):
            raise CommandError(
                "DATABASE_OWNER_URL is not set: give the owner role's URL (the same database as DATABASE_URL)"
            )
        app_role = app_role or dj_database_url.parse(settings.DATABASE_URL).get("USER") or ""
        if not app_role:
            raise CommandError("no application role: DATABASE_URL names no user (or give --app-role)")
        with dbroles.as_owner():
            if migrate:
                call_command("migrate", interactive=False, verbosity=options.get("verbosity", 1))
            try:
                done = dbroles.apply(app_role=app_role)
            except dbroles.RolesError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{done['database']}: {done['app']} reads and writes rows of {done['tables']} tables owned by "
            f"{done['owner']}; the access log insert-and-read only, {done['history']} history tables "
            "without delete; the purge through audit_accesslog_purge"
        )
