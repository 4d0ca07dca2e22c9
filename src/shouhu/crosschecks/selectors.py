"""Reads of cross-check runs and their differences, always scoped by ``accounts.access``."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from shouhu.accounts.models import User

from . import permissions
from .models import CrossCheck, Difference, DifferenceKind


def runs_for(*, user: User) -> QuerySet[CrossCheck]:
    return (
        permissions.crosschecks.queryset(user)
        .select_related("school", "uploaded_by")
        .order_by("-uploaded_at")
    )


def get_run_for(user: User, pk: uuid.UUID | str) -> CrossCheck:
    try:
        return runs_for(user=user).get(pk=pk)
    except (CrossCheck.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def differences_for(
    *, user: User, run: CrossCheck | None = None, kind: str = "", state: str = ""
) -> QuerySet[Difference]:
    """The differences ``user`` may see; of one run, of one kind, open or closed."""
    qs = permissions.differences.queryset(user).select_related(
        "child", "work_item__responsible", "closed_by", "first_run"
    )
    if run is not None:
        qs = qs.filter(runs=run)
    if kind:
        qs = qs.filter(kind=kind)
    if state == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_at__isnull=False)
    return qs.order_by("kind", "region_code", "created_at", "pk")


def get_difference_for(user: User, pk: uuid.UUID | str) -> Difference:
    try:
        return differences_for(user=user).get(pk=pk)
    except (Difference.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def counts_by_kind(differences: QuerySet[Difference]) -> list[tuple[str, str, int, int]]:
    """(kind, label, all, open) for every kind, in the order of ``DifferenceKind``."""
    rows = {
        r["kind"]: r
        for r in differences.order_by()
        .values("kind")
        .annotate(n=Count("pk"), open=Count("pk", filter=Q(closed_at__isnull=True)))
    }
    return _by_kind(rows)


def counts_by_run(*, user: User, runs: Iterable[CrossCheck]) -> dict[Any, list[tuple[str, str, int, int]]]:
    """``counts_by_kind`` of the differences ``user`` may see, for each of ``runs`` (a page of them),
    in one query: run id → [(kind, label, all, open), …]."""
    found: dict[Any, dict[str, Mapping[str, int]]] = {run.pk: {} for run in runs}
    rows = (
        permissions.differences.queryset(user)
        .filter(runs__in=list(found))
        .order_by()
        .values("runs", "kind")
        .annotate(n=Count("pk"), open=Count("pk", filter=Q(closed_at__isnull=True)))
    )
    for row in rows:
        found[row["runs"]][row["kind"]] = row
    return {run_id: _by_kind(kinds) for run_id, kinds in found.items()}


def _by_kind(rows: Mapping[str, Mapping[str, int]]) -> list[tuple[str, str, int, int]]:
    return [
        (
            kind.value,
            str(kind.label),
            rows.get(kind.value, {}).get("n", 0),
            rows.get(kind.value, {}).get("open", 0),
        )
        for kind in DifferenceKind
    ]
