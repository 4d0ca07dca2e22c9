"""Versions of the records several people edit: no lost update, and a decision taken once.

Every such record (child, case, alert, referral, assistance application) is ``Versioned``: an integer
``version``, 1 when created, one more on every save. A service that changes one reads it again with
``locked`` inside its transaction (``SELECT … FOR UPDATE``), so two writers of one record take turns,
and compares what the writer saw:

- ``expected`` — the version the writer's form or If-Match carried. A different version means someone
  saved in between: ``Stale`` (the API answers 412, the web shows what changed since), nothing written.
- ``seen_status`` — for a decision (approve, return, close, accept), the status the writer acted on.
  If the record has moved on from it (or the writer's version is older than the record the caller
  read, so the status the writer saw is not known), the decision was taken by someone else:
  ``Conflict`` (the API answers 409 with the current record, the web says so). A decision whose
  status still holds but whose record was changed since the writer's version is ``Stale`` (412).

The write is then made to the record as saved (the caller's object is refreshed from the locked row),
so a field the writer did not send keeps what was saved. ``Versioned.save`` adds one to the version
(also with ``update_fields``); a set-based ``update()`` of versioned rows adds ``bump()``.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound="Versioned")


class Versioned(models.Model):
    # A database default too: rows written with SQL (bench-data, a data migration's historical model)
    # start at 1 like the others.
    version = models.PositiveIntegerField(_("版本"), default=1, db_default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


class Stale(Exception):
    """The writer's version is not the record's: someone saved in between. Nothing was written."""

    def __init__(self, current: Versioned, expected: int):
        super().__init__(f"version {expected} is stale, the record is at {current.version}")
        self.current = current
        self.expected = expected


class Conflict(Exception):
    """A decision met a record someone else has already decided (or, for a report, already made a
    case of): ``current`` is the record as it now is, ``message`` says so to the user."""

    def __init__(self, current, message: str):
        super().__init__(message)
        self.current = current
        self.message = message


def bump() -> dict:
    """The version's increment for a set-based ``update(**fields, **bump())``."""
    return {"version": F("version") + 1}


def locked(
    obj: M,
    *,
    expected: int | None = None,
    seen_status: str | None = None,
    message=None,
    queryset=None,
) -> M:
    """``obj`` read again (``refresh_from_db``) and its row locked until the transaction ends (open
    one first), after the comparisons described above; returns ``obj``, now the record as saved.
    ``message`` (a callable of the current record) words the ``Conflict``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked() needs a transaction")
    qs = queryset if queryset is not None else type(obj)._default_manager
    read_version = obj.version
    obj.refresh_from_db(from_queryset=qs.select_for_update(of=("self",)))
    moved = seen_status is not None and (
        obj.status != seen_status or (expected is not None and read_version != expected)
    )
    if moved:
        text = message(obj) if message else _("该记录已被他人处理，请查看当前状态。")
        raise Conflict(obj, str(text))
    if expected is not None and obj.version != expected:
        raise Stale(obj, expected)
    return obj


def parse(value) -> int | None:
    """A version as the web's hidden field or the API's body carries it: a positive integer, or
    nothing. ``ValueError`` for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    number = int(str(value).strip())
    if number < 1:
        raise ValueError(value)
    return number


def etag(version: int) -> str:
    """The ETag of a version: weak, as what a user receives of a record depends on what they may see."""
    return f'W/"{version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version an If-Match header names: ``W/"3"`` or ``"3"`` (``*`` and no header: any).
    ``ValueError`` for anything else, and for a list of several."""
    if header is None:
        return None
    text = header.strip()
    if text == "*":
        return None
    if text.startswith("W/"):
        text = text[2:]
    if len(text) < 3 or text[0] != '"' or text[-1] != '"' or not text[1:-1].isdigit():
        raise ValueError(header)
    return parse(text[1:-1])
