"""Rotating the field key while the system runs (``shouhu rotate-field-key``; docs/operations.md).

Every process first runs with ``SHOUHU_FIELD_KEY`` = the new key and ``SHOUHU_FIELD_KEYS_OLD`` = the old
key(s): values are read with any key and written with the new one, and an exact search compares the
hash under each key (``crypto.keyed_hashes``), so nothing is missed while rows are half-way. This module
then rewrites every encrypted value and keyed hash still under an old key, table by table (the history
tables included) in primary-key order and in batches, one transaction per batch:

* resumable: after each batch the last primary key done is kept in ``var/field-key-rotation.json``
  (with a fingerprint of the new key); a run that was interrupted starts there;
* safe beside live writes: a row is rewritten only if it still holds what was read (a conditional
  UPDATE); one changed meanwhile was written under the new key by its writer, and is counted, not touched;
* idempotent: a value already under the new key with the right hash is left alone, so a second run
  rewrites nothing;
* logged: each run writes one access-log event with its counts (``rotate-field-key``).

The rows are rewritten by SQL, not ``save()``: a key change is not a change of a child's file (no
history entry, no new version), and the hash comes from the one derivation, ``crypto.keyed_hash``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from shouhu.audit.models import Action
from shouhu.audit.services import log_event
from shouhu.children import crypto

COMMAND = "rotate-field-key"


@dataclass
class Table:
    model: type
    encrypted: list  # EncryptedCharField
    hashes: dict  # source attname -> KeyedHashField

    @property
    def name(self) -> str:
        return self.model._meta.db_table


@dataclass
class Counts:
    tables: int = 0
    rows: int = 0
    rewritten: int = 0
    values: int = 0
    changed_meanwhile: int = 0
    done: bool = False

    def text(self) -> str:
        return (
            f"tables={self.tables} rows={self.rows} rewritten={self.rewritten} values={self.values} "
            f"changed_meanwhile={self.changed_meanwhile} finished={'yes' if self.done else 'no'}"
        )


def tables() -> list[Table]:
    """Every table with an encrypted value or a keyed hash, the history tables included."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        encrypted = [f for f in model._meta.concrete_fields if isinstance(f, crypto.EncryptedCharField)]
        if not encrypted:
            continue
        hashes = {source.attname: hash_field for source, hash_field in crypto.hash_pairs(model)}
        found.append(Table(model, encrypted, hashes))
    return sorted(found, key=lambda t: t.name)


def fingerprint() -> str:
    """Names the new key without revealing it: a hash of a value hashed with it."""
    return hashlib.sha256((crypto.keyed_hash("shouhu-key-rotation") or "").encode()).hexdigest()[:16]


def _progress_path():
    return settings.VAR_DIR / "field-key-rotation.json"


def _load() -> dict:
    path = _progress_path()
    if not path.exists():
        return {}
    kept = json.loads(path.read_text())
    return kept.get("tables", {}) if kept.get("key") == fingerprint() else {}


def _save(progress: dict) -> None:
    path = _progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"key": fingerprint(), "tables": progress}))


def _rewrite(table: Table, row: tuple) -> dict:
    """{column: new value} for what is still under an old key (or a stale hash); empty when current."""
    values = dict(zip([f.column for f in table.encrypted], row[1 : 1 + len(table.encrypted)], strict=True))
    stored_hashes = dict(
        zip([h.column for h in table.hashes.values()], row[1 + len(table.encrypted) :], strict=True)
    )
    new = {}
    for f in table.encrypted:
        token = values[f.column]
        if not token:
            continue
        plain, which = crypto.decrypt_with_key(token)
        if which != 0:
            new[f.column] = crypto.encrypt(plain)
        hash_field = table.hashes.get(f.attname)
        if hash_field is not None:
            wanted = crypto.keyed_hash(plain)
            if stored_hashes[hash_field.column] != wanted:
                new[hash_field.column] = wanted
    return new


def rotate(*, batch_size: int = 500, max_batches: int | None = None) -> Counts:
    """Rewrite what is still under an old key. ``max_batches`` stops early (to spread the work): the
    next run goes on from where this one stopped."""
    counts = Counts()
    progress = _load()
    q = connection.ops.quote_name
    batches = 0
    for table in tables():
        counts.tables += 1
        pk = table.model._meta.pk.column
        hash_columns = [h.column for h in table.hashes.values()]
        columns = [pk, *(f.column for f in table.encrypted), *hash_columns]
        # Quoted model names only (bandit: B608, see pyproject.toml).
        select = f"SELECT {', '.join(q(c) for c in columns)} FROM {q(table.name)}"  # nosec
        last = progress.get(table.name, {}).get("after")
        if progress.get(table.name, {}).get("done"):
            continue
        while True:
            if max_batches is not None and batches >= max_batches:
                _save(progress)
                return counts
            with transaction.atomic(), connection.cursor() as cursor:
                if last is None:
                    cursor.execute(f"{select} ORDER BY {q(pk)} LIMIT %s", [batch_size])
                else:
                    cursor.execute(
                        f"{select} WHERE {q(pk)} > %s ORDER BY {q(pk)} LIMIT %s", [last, batch_size]
                    )
                rows = cursor.fetchall()
                for row in rows:
                    counts.rows += 1
                    new = _rewrite(table, row)
                    if not new:
                        continue
                    old = dict(zip(columns, row, strict=True))
                    sets = ", ".join(f"{q(c)} = %s" for c in new)
                    same = " AND ".join(f"{q(c)} IS NOT DISTINCT FROM %s" for c in columns[1:])
                    cursor.execute(
                        # Quoted names, values as parameters (bandit: B608).
                        f"UPDATE {q(table.name)} SET {sets} WHERE {q(pk)} = %s AND {same}",  # nosec
                        [*new.values(), row[0], *(old[c] for c in columns[1:])],
                    )
                    if cursor.rowcount == 1:
                        counts.rewritten += 1
                        counts.values += len(new)
                    else:
                        counts.changed_meanwhile += 1
            batches += 1
            if rows:
                last = str(rows[-1][0])
            progress[table.name] = {"after": last, "done": len(rows) < batch_size}
            _save(progress)
            if len(rows) < batch_size:
                break
    counts.done = True
    _progress_path().unlink(missing_ok=True)
    return counts


def rotate_and_log(**options) -> Counts:
    counts = rotate(**options)
    log_event(action=Action.ROTATE_KEY, what=COMMAND, detail=counts.text())
    return counts
