"""Reads of the registry, always scoped through ``accounts.access``."""

from __future__ import annotations

import re
import uuid

from django.db.models import Prefetch, Q, QuerySet

from shouhu.accounts import access
from shouhu.accounts.models import User

from . import idnumber, names
from .models import CategoryEvent, Child, ChildCategory, NameToken

_LATIN = re.compile(r"^[a-zA-Z ]+$")


def search_filter(*, q: str, within: str | None = None) -> Q:
    """Name (any part, two characters included), pinyin or its initials, or a whole ID number.

    ID numbers are encrypted at rest: they are found only whole, through their keyed hash (the
    ``exact`` lookup of ``crypto.EncryptedCharField``); a part of a number finds nothing. ``within``,
    the searcher's region, limits the name tokens read to that region's."""
    q = names.query(q)
    if not q:
        return Q()
    normalised = idnumber.normalise(q)
    if normalised[:17].isdigit() and len(normalised) >= 6:
        return Q(id_number=normalised) if len(normalised) == 18 else Q(pk__in=[])
    if _LATIN.match(q):
        latin = q.replace(" ", "").lower()
        return Q(name_initials__startswith=latin) | Q(name_pinyin__startswith=latin)
    wanted = names.query_tokens(q)
    if not wanted:
        return Q(name__contains=q)
    # One semi-join per token: the planner estimates these well (a GROUP BY … HAVING count = n it
    # does not, and then picks nested loops over thousands of rows).
    condition = Q(name__contains=q)
    for token in sorted(wanted):
        tokens = NameToken.objects.filter(token=token)
        if within:
            tokens = tokens.filter(region_code__within=within)
        condition &= Q(pk__in=tokens.values("child_id"))
    return condition


def children_list(
    *,
    user: User,
    q: str = "",
    region: str = "",
    category: str = "",
    schooling: str = "",
    include_exited: bool = False,
    visible: QuerySet[Child] | None = None,
) -> QuerySet[Child]:
    """``visible``: the user's visible children when the caller has them already."""
    qs = access.children_visible_to(user) if visible is None else visible
    if q:
        # Children reached through a grant may lie outside the territory: only a territory-only
        # searcher (no grants) reads the territory's tokens alone.
        code = access.territory_code(user)
        scope = code if code and not access.has_grants(user) else None
        qs = qs.filter(search_filter(q=q, within=region or scope))
    if region:
        qs = qs.filter(region_code__within=region)
    if category:
        qs = qs.filter(categories__category_id=category)
    if schooling:
        qs = qs.filter(schooling=schooling)
    if not include_exited:
        qs = qs.filter(exited_on__isnull=True)
    return (
        qs.select_related("village__parent", "found_region")
        .prefetch_related(Prefetch("categories", queryset=ChildCategory.objects.select_related("category")))
        .order_by("region_code", "name", "pk")
    )


def child_file(*, user: User, pk: uuid.UUID | str) -> Child:
    """One child's file with everything the file page shows, or 404: read once, with its place up to
    the county (the full names), its school, carer, risk level, parents, contacts and categories."""
    return access.get_child_for(
        user,
        pk,
        select_related=(
            "village__parent__parent__parent",
            "found_region__parent__parent__parent",
            "school",
            "carer",
            "risk",
        ),
        prefetch_related=(
            "parents",
            "contacts",
            Prefetch("categories", queryset=ChildCategory.objects.select_related("category")),
            Prefetch("category_events", queryset=CategoryEvent.objects.select_related("category")),
        ),
    )
