"""Two database roles on PostgreSQL: the owner, which runs the migrations and owns every table, and the
application's role, which reads and writes rows and owns nothing (docs/security.md).

What the application's role may do, table by table:

* ``audit_accesslog``: SELECT and INSERT, and UPDATE of ``user_id`` alone (the trigger lets only a
  NULL through: a deleted account's rows keep its name). No DELETE, no TRUNCATE; not being the owner, it
  can neither disable nor drop the trigger. Rows past their period go through the owner's
  ``audit_accesslog_purge``, which refuses anything younger than three years (``audit/dbfunctions.py``).
* the history tables (``*_historical*``): SELECT, INSERT and UPDATE: anonymisation blanks the personal
  fields of old versions and a key rotation re-encrypts them; nothing deletes a version.
* ``django_migrations``: SELECT (the owner migrates).
* every other table: SELECT, INSERT, UPDATE, DELETE; never TRUNCATE, REFERENCES or TRIGGER.
* sequences: USAGE and SELECT; the two audit functions: EXECUTE.

Tables that a later migration makes get the plain DML rights by default privileges; run
``shouhu db-roles`` after each migration (``--migrate`` does both) to narrow the special ones again.
"""

from __future__ import annotations

from contextlib import contextmanager

import dj_database_url
from django.conf import settings
from django.db import connection, connections

from shouhu.audit import dbfunctions

APPEND_ONLY = ("audit_accesslog",)
OWNER_ONLY_WRITES = ("django_migrations",)


class RolesError(Exception):
    pass


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def owner_credentials() -> dict:
    """USER, PASSWORD, HOST, PORT of ``DATABASE_OWNER_URL``; the database is the one in use (a test
    database replaces the name), so only the role differs."""
    url = getattr(settings, "DATABASE_OWNER_URL", "")
    if not url:
        return {}
    parsed = dj_database_url.parse(url)
    return {k: parsed.get(k) or "" for k in ("USER", "PASSWORD", "HOST", "PORT")}


@contextmanager
def as_owner():
    """The default connection as the owner role for the block, as the application's role after."""
    creds = owner_credentials()
    if not creds:
        yield
        return
    conn = connections["default"]
    saved = {k: conn.settings_dict.get(k) for k in creds}
    conn.close()
    conn.settings_dict.update(creds)
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict.update(saved)


def apply(*, app_role: str) -> dict:
    """Grant ``app_role`` its rights on the database in use; run as the owner. Idempotent."""
    if connection.vendor != "postgresql":
        raise RolesError("database roles exist on PostgreSQL only; SQLite has one user")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        owner, database = cursor.fetchone()
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role])
        if cursor.fetchone() is None:
            raise RolesError(
                f"the role {app_role} does not exist; as a superuser: "
                f"CREATE ROLE {_q(app_role)} LOGIN PASSWORD '…';"
            )
        cursor.execute(
            "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = cursor.fetchall()
        foreign = [t for t, who in tables if who != owner]
        if foreign:
            raise RolesError(
                f"{len(foreign)} tables are not owned by {owner} (e.g. {foreign[0]}); as a superuser: "
                f"REASSIGN OWNED BY {_q(app_role)} TO {_q(owner)};"
            )
        if app_role == owner:
            raise RolesError("the application's role is the owner: give DATABASE_URL a role of its own")
        app = _q(app_role)
        statements = [
            f"GRANT CONNECT ON DATABASE {_q(database)} TO {app}",
            f"GRANT USAGE ON SCHEMA public TO {app}",
            f"REVOKE CREATE ON SCHEMA public FROM {app}",
        ]
        counts = {"tables": 0, "append_only": 0, "history": 0}
        for table, _owner in tables:
            t = _q(table)
            statements.append(f"REVOKE ALL ON TABLE {t} FROM {app}")
            counts["tables"] += 1
            if table in APPEND_ONLY:
                statements += [
                    f"GRANT SELECT, INSERT ON {t} TO {app}",
                    f"GRANT UPDATE (user_id) ON {t} TO {app}",
                ]
                counts["append_only"] += 1
            elif "_historical" in table:
                statements.append(f"GRANT SELECT, INSERT, UPDATE ON {t} TO {app}")
                counts["history"] += 1
            elif table in OWNER_ONLY_WRITES:
                statements.append(f"GRANT SELECT ON {t} TO {app}")
            else:
                statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {app}")
        statements += [
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {_q(owner)} IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {_q(owner)} IN SCHEMA public "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
            dbfunctions.create_sql(),
            f"GRANT EXECUTE ON FUNCTION {dbfunctions.PURGE}(timestamptz) TO {app}",
            f"GRANT EXECUTE ON FUNCTION {dbfunctions.BLANK}(uuid, text[]) TO {app}",
        ]
        for statement in statements:
            cursor.execute(statement)
    return {"owner": owner, "app": app_role, "database": database, **counts}
