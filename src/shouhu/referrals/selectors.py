"""Reads of the referral pages and API, scoped by ``accounts.access``. What a referral shows of the
child is decided once here: the organisation sees only what the referral needs — the need, the
service, the child's age, gender and village, and, once it has accepted and while its grant lasts, the
child's name and the guardian's contact. Never the ID number, never the case or the child's other
records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Case as Choose
from django.db.models import IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404

from shouhu.accounts import access
from shouhu.accounts.models import User
from shouhu.children.models import Carer, Child
from shouhu.regions.models import Region

from . import permissions
from .models import Provider, Referral, ReferralStatus, ServiceType

if TYPE_CHECKING:
    from shouhu.cases.models import Case

STATUS_ORDER = [
    ReferralStatus.PENDING,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.CLOSED,
    ReferralStatus.REVOKED,
]


def referrals_for(*, user: User, status: str = "") -> QuerySet[Referral]:
    """The referrals the user may see: pending ones first, then the newest; with what ``child_view``
    reads of each child (place, carer, parents), so that a page asks the same whatever its length."""
    qs = (
        permissions.referrals.queryset(user)
        .select_related(
            "provider__organisation",
            "service",
            "child__village__parent",
            "child__found_region__parent",
            "child__carer",
            "work_item",
        )
        .prefetch_related("child__parents")
    )
    if status:
        qs = qs.filter(status=status)
    rank = Choose(
        *[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)], output_field=IntegerField()
    )
    ranked: QuerySet[Referral] = qs.annotate(rank=rank).order_by("rank", "-referred_at")
    return ranked


def get_referral_for(*, user: User, pk: uuid.UUID | str) -> Referral:
    """A referral the user may see; 404 for missing and out of reach alike (and a malformed id)."""
    try:
        return referrals_for(user=user).get(pk=pk)
    except (Referral.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def providers() -> QuerySet[Provider]:
    """The registry of organisations: a directory, holding no children's data. Each area is read with
    its parents up to the county, which its full name shows."""
    areas = Region.objects.select_related("parent__parent__parent")
    return (
        Provider.objects.select_related("organisation__region")
        .prefetch_related("services", Prefetch("areas", queryset=areas))
        .order_by("organisation__name")
    )


def service_types() -> QuerySet[ServiceType]:
    return ServiceType.objects.filter(active=True)


@dataclass(frozen=True)
class ChildView:
    """What one reader may see of the referred child."""

    identified: bool
    name: str
    age: int
    gender: str
    place: str
    guardians: list[dict[str, str]]


def _guardians(child: Child) -> list[dict[str, str]]:
    """Who to contact about the child: the entrusted carer, else the parents with a phone."""
    carer: Carer | None
    try:
        carer = child.carer
    except Carer.DoesNotExist:
        carer = None
    if carer is not None:
        return [{"name": carer.name, "relation": carer.get_relation_display(), "phone": carer.phone}]
    return [
        {"name": p.name, "relation": p.get_role_display(), "phone": p.phone}
        for p in child.parents.all()
        if p.phone
    ]


def child_view(user: User, referral: Referral, *, grants: object = None) -> ChildView:
    """``grants``: the user's ``access.grants_once``, for a list (read once, not once per row)."""
    child = referral.child
    identified = permissions.referrals.can_see_child(user, referral, grants=grants)
    village = child.village if child.village_id else child.found_region
    place = ""
    if village is not None:
        place = f"{village.parent.name} / {village.name}" if village.parent is not None else village.name
    return ChildView(
        identified=identified,
        name=child.name if identified else "",
        age=child.age,
        gender=child.get_gender_display(),
        place=place,
        guardians=_guardians(child) if identified else [],
    )


def can_answer(*, user: User, referral: Referral) -> bool:
    return referral.status == ReferralStatus.PENDING and access.is_provider_staff(user, referral.provider_id)


def can_serve(*, user: User, referral: Referral) -> bool:
    return referral.status == ReferralStatus.ACCEPTED and access.is_provider_staff(user, referral.provider_id)


def can_revoke(*, user: User, referral: Referral) -> bool:
    return referral.is_open and access.can_edit(user, referral.child)


def case_referrals(case: Case) -> QuerySet[Referral]:
    """The referrals made from a case, for the case page (shown to those who see the case)."""
    return case.referrals.select_related("provider__organisation", "service").order_by("-referred_at")
