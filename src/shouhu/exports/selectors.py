"""What an export reads: the rows of the children list, in chunks, with their parents and carers.

The rows are exactly those of ``children.selectors.children_list`` for the same filters, in the same
order, so the export of a filtered list holds the children that list shows on all its pages. They are
read as plain values through three cursors in the list's order (children, parents, carers) and merged
as they come: three queries whatever the number of rows, and memory bounded by the cursors' chunks,
not by the list.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast

from django.db.models import QuerySet

from shouhu.accounts import access
from shouhu.accounts.models import User
from shouhu.children.models import Carer, Child, Parent
from shouhu.children.selectors import children_list

from .layouts import Record

CHUNK = 2000

CHILD_FIELDS = (
    "id",
    "region_code",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "household_registered",
    "hukou_type",
    "village_id",
    "village__name",
    "village__parent__name",
    "village__parent__parent__name",
    "found_region__name",
    "address",
    "health",
    "disability_type",
    "disability_grade",
    "illness",
    "boarding",
    "schooling",
    "grade",
    "living_arrangement",
    "guardianship_quality",
    "income_sources",
    "assistance",
)
PARENT_FIELDS = (
    "child_id",
    "role",
    "name",
    "birth_date",
    "id_number",
    "phone",
    "situation",
    "disability_type",
    "disability_grade",
    "work_place",
)
CARER_FIELDS = ("child_id", "name", "relation", "birth_date", "phone", "id_number", "address")


@dataclass(frozen=True)
class _Ref:
    """What ``access.tiers_for`` reads of a child: its key and its place."""

    pk: object
    region_code: str


def export_children(*, user: User, filters: dict[str, Any]) -> QuerySet[Child]:
    """The children list behind an export, scoped and filtered as the list page is (a queryset)."""
    return children_list(user=user, **filters)


def export_count(*, user: User, filters: dict[str, Any]) -> int:
    return export_children(user=user, filters=filters).prefetch_related(None).count()


def export_records(*, user: User, filters: dict[str, Any], full_numbers: bool = False) -> Iterator[Record]:
    """The list's children, one ``Record`` each, in the list's order.

    Three cursors read side by side in the same order — the children, their parents, their carers —
    and are merged as they go (the parents of the next child are the next rows of the parents' cursor),
    so nothing is held but the current rows, and no query is repeated per chunk. ``full_numbers`` asks
    for whole ID and phone numbers; each record gets them only where
    ``access.can_export_full_numbers`` allows it for that child."""
    children = export_children(user=user, filters=filters).prefetch_related(None).select_related(None)
    order = [
        _through_child(cast(str, key)) for key in children.query.order_by
    ]  # children_list orders by names
    wanted = children.values("pk")
    rows = children.values_list(*CHILD_FIELDS).iterator(chunk_size=CHUNK)
    parents = _Follow(
        Parent.objects.filter(child__in=wanted).order_by(*order, "role").values_list(*PARENT_FIELDS)
    )
    carers = _Follow(Carer.objects.filter(child__in=wanted).order_by(*order).values_list(*CARER_FIELDS))
    grants = access.grants_once(user)  # at most once, not per row
    for number, row in enumerate(rows, start=1):
        child = dict(zip(CHILD_FIELDS, row, strict=True))
        ref = _Ref(child["id"], child["region_code"])
        seen = access.tiers_for(user, ref, grants=grants)  # type: ignore[arg-type]  # reads pk and region_code
        carer = carers.take(child["id"])
        yield Record(
            child=child,
            parents={p[1]: dict(zip(PARENT_FIELDS, p, strict=True)) for p in parents.take(child["id"])},
            carer=dict(zip(CARER_FIELDS, carer[0], strict=True)) if carer else None,
            seen=seen,
            full=full_numbers and access.can_export_full_numbers(user, seen),
            number=number,
        )
    if parents.left() or carers.left():  # the cursors' orders disagreed: never hand out a mixed file
        raise RuntimeError("export: parents or carers left over after the last child")


def _through_child(key: str) -> str:
    """The list's ordering key as seen from a parent or a carer (``name`` → ``child__name``)."""
    sign, name = ("-", key[1:]) if key.startswith("-") else ("", key)
    return sign + ("child_id" if name in ("pk", "id") else f"child__{name}")


class _Follow:
    """Rows ordered as the children are, handed out child by child (the first column is the child)."""

    def __init__(self, rows: QuerySet[Any, tuple[Any, ...]]) -> None:
        self.groups = itertools.groupby(rows.iterator(chunk_size=CHUNK), key=itemgetter(0))
        self.ahead = next(self.groups, None)

    def take(self, child_id: object) -> list[tuple[Any, ...]]:
        if self.ahead is None or self.ahead[0] != child_id:
            return []
        rows = list(self.ahead[1])
        self.ahead = next(self.groups, None)
        return rows

    def left(self) -> bool:
        return self.ahead is not None
