"""Reads about the workforce, scoped through ``accounts.access``."""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.regions.codes import Level, level_of
from shouhu.regions.models import Region

from . import access, responsible
from .models import Role, User


def watches_director_gaps(user: User) -> bool:
    """Township supervisors and everyone above them answer for villages without a child director."""
    if user.is_superuser:
        return True
    code = access.territory_code(user)
    if not code:
        return False
    return level_of(code) <= Level.TOWNSHIP


def villages_without_director(*, user: User) -> QuerySet[Region]:
    """Villages in ``user``'s jurisdiction with no active child director (儿童主任).

    Every village is to have a child director (民发〔2019〕34号); a village without one is a gap in the
    network that the township and the county must see. Staffed: a director who answers for the village's
    work (``accounts.responsible``: in office, with an active account); a post without an account, or
    with a closed one, leaves the village's work to the township, so it is a gap too.
    """
    staffed = responsible.directors_in_office().order_by().values("region_id")
    return (
        access.regions_visible_to(user)
        .filter(level=Level.VILLAGE)
        .exclude(code__in=staffed)
        .select_related("parent")
        .order_by("code")
    )


def townships_without_supervisor(*, user: User | None = None, within: str | None = None) -> QuerySet[Region]:
    """Townships in ``user``'s jurisdiction (or under the region code ``within``, already checked)
    where no active account of a child supervisor (儿童督导员) answers: their missed work and urgent
    alerts pass straight to the county (escalation.recipients)."""
    staffed = User.objects.filter(is_active=True, role=Role.TOWNSHIP_SUPERVISOR).values("region_id")
    if within is not None:
        regions = Region.objects.filter(code__within=within)
    elif user is not None:
        regions = access.regions_visible_to(user)
    else:
        raise TypeError("townships_without_supervisor needs user or within")
    return regions.filter(level=Level.TOWNSHIP).exclude(code__in=staffed).order_by("code")
