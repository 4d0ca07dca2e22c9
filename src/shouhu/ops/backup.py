"""Backing the database up and restoring it: PostgreSQL with pg_dump/pg_restore (custom format), SQLite
with SQLite's online backup API (a consistent copy while the site runs).

A backup holds ID and phone numbers encrypted with SHOUHU_FIELD_KEY: keep that key apart from the
backups (docs/operations.md); without it those fields cannot be read.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.db import connection
from django.utils import timezone

POSTGRESQL = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"
PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Target:
    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def of(cls, config: dict) -> Target:
        engine = config["ENGINE"]
        if engine not in (POSTGRESQL, SQLITE):
            raise BackupError(f"cannot back up a database of engine {engine}")
        return cls(
            engine=engine,
            name=str(config["NAME"]),
            user=config.get("USER") or "",
            password=config.get("PASSWORD") or "",
            host=config.get("HOST") or "",
            port=str(config.get("PORT") or ""),
        )

    @classmethod
    def from_url(cls, url: str | None) -> Target:
        """The database named by ``url``, or the configured one (the one in use) when none is given."""
        if url:
            return cls.of(dj_database_url.parse(url))
        # As the owner role when there is one (DATABASE_OWNER_URL): a restore recreates tables.
        from .dbroles import owner_credentials

        return cls.of({**connection.settings_dict, **owner_credentials()})

    def pg_args(self) -> list[str]:
        args = ["--dbname", self.name]
        for flag, value in (("--host", self.host), ("--port", self.port), ("--username", self.user)):
            if value:
                args += [flag, value]
        return args

    def pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password  # not on the command line, where `ps` would show it
        return env


def _current_name() -> str:
    # A test database replaces NAME in the connection's settings, not in settings.DATABASES.
    return str(connection.settings_dict["NAME"])


def default_path(engine: str, when=None) -> Path:
    when = when or timezone.localtime()
    suffix = "dump" if engine == POSTGRESQL else "sqlite3"
    return Path(settings.VAR_DIR) / "backups" / f"shouhu-{when:%Y%m%d-%H%M%S}.{suffix}"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip() or result.returncode}")


def backup(path: Path | None = None) -> Path:
    """Write a backup of the database in use to ``path`` (by default var/backups/shouhu-<time>.*)."""
    source = Target.from_url(None)
    path = Path(path or default_path(source.engine))
    path.parent.mkdir(parents=True, exist_ok=True)
    if source.engine == POSTGRESQL:
        _run([_tool("pg_dump"), "--format=custom", "--file", str(path), *source.pg_args()], source.pg_env())
    else:
        if connection.in_atomic_block:  # SQLite's backup would wait for the transaction's lock forever
            raise BackupError("cannot back up SQLite from inside a transaction")
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        copy.close()
    os.chmod(path, 0o600)  # children's data: readable by its owner only
    return path


def restore(path: Path, url: str | None = None) -> Target:
    """Restore the backup at ``path`` into the database named by ``url`` (by default the one in use).

    PostgreSQL: into an empty database (made with ``createdb``), or over the tables of an existing one
    (``--clean``). SQLite: the whole file is replaced."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    target = Target.from_url(url)
    with open(path, "rb") as fh:
        head = fh.read(16)
    if target.engine == POSTGRESQL:
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{path} is not a PostgreSQL backup (pg_dump --format=custom)")
        args = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--clean", "--if-exists"]
        _run([*args, "--exit-on-error", *target.pg_args(), str(path)], target.pg_env())
        return target
    if not head.startswith(SQLITE_MAGIC):
        raise BackupError(f"{path} is not an SQLite backup")
    with sqlite3.connect(path) as source:
        if url and target.name != _current_name():
            with sqlite3.connect(target.name) as copy:
                source.backup(copy)
            copy.close()
        else:
            connection.ensure_connection()
            source.backup(connection.connection)
    source.close()
    return target
