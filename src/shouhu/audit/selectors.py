"""Reads of the access log, scoped to the reader's territory."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shouhu.accounts import access

from .models import AccessLog


def access_log_visible_to(*, user) -> QuerySet[AccessLog]:
    """The log rows ``user`` may read.

    Readers are those ``access.can_read_audit`` admits. A row belongs to the territory of the child it
    names (``region_code``); a row naming no child (a list or a search) belongs to the territory of
    the user who made it, so that a county sees what its own staff searched for. Administrators with
    no territory (superusers) read everything.
    """
    if not access.can_read_audit(user):
        return AccessLog.objects.none()
    if user.is_superuser:
        return AccessLog.objects.all()
    code = access.territory_code(user)
    if not code:
        return AccessLog.objects.none()
    return AccessLog.objects.filter(
        Q(region_code__startswith=code) | Q(region_code="", user__region__code__startswith=code)
    )
