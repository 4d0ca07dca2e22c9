"""THE rules of who may see and change what. Nothing else filters by region for permission purposes.

Jurisdiction (管辖范围) is a region subtree: a user whose role works a territory (child director,
supervisor, county staff, civil-affairs official, administrator) sees every child whose household
village — or, for a homeless minor, the place where they were found — lies in their region or below.
Everyone may also see children granted to them (``Grant``: assignment, referral, pairing) while the
grant is active; social workers, mentors, teachers and health workers see only those.

``get_*_for`` functions fetch and check in one step and raise ``Http404`` both for "missing" and for
"not yours", so that a record outside one's jurisdiction does not reveal that it exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Grant, Role

if TYPE_CHECKING:
    from shouhu.children.models import Child
    from shouhu.regions.models import Region

    from .models import User

TERRITORIAL_ROLES = frozenset(
    {Role.VILLAGE_DIRECTOR, Role.TOWNSHIP_SUPERVISOR, Role.COUNTY_STAFF, Role.CIVIL_AFFAIRS, Role.ADMIN}
)
EDITING_ROLES = frozenset({Role.VILLAGE_DIRECTOR, Role.TOWNSHIP_SUPERVISOR, Role.COUNTY_STAFF, Role.ADMIN})
AUDIT_READING_ROLES = frozenset({Role.COUNTY_STAFF, Role.CIVIL_AFFAIRS, Role.ADMIN})
SUPERVISING_ROLES = frozenset({Role.TOWNSHIP_SUPERVISOR, Role.COUNTY_STAFF, Role.ADMIN})


def _is_everywhere(user: User) -> bool:
    return bool(user.is_superuser)


def territory_code(user: User) -> str | None:
    """The code of the region whose subtree the user works, or None (grant-only or no region)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role in TERRITORIAL_ROLES and user.region_id:
        return user.region_id
    return None


def child_filter(user: User) -> Q:
    """A ``Q`` over ``Child`` selecting what ``user`` may see."""
    from django.utils import timezone

    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if _is_everywhere(user):
        return Q()
    now = timezone.now()
    granted = Q(
        pk__in=Grant.objects.active(now).filter(user_id=user.pk).values("child_id"),
    )
    code = territory_code(user)
    if code:
        return Q(region_code__startswith=code) | granted
    return granted


def children_visible_to(user: User) -> QuerySet[Child]:
    from shouhu.children.models import Child

    return Child.objects.filter(child_filter(user))


def can_view(user: User, child: Child) -> bool:
    return children_visible_to(user).filter(pk=child.pk).exists()


def in_territory(user: User, region_code: str | None) -> bool:
    if _is_everywhere(user):
        return True
    code = territory_code(user)
    return bool(code and region_code and region_code.startswith(code))


def can_edit(user: User, child: Child) -> bool:
    """Editing needs a territorial editing role over the child's region; a grant alone never suffices."""
    if _is_everywhere(user):
        return True
    return user.role in EDITING_ROLES and in_territory(user, child.region_code)


def can_register_in(user: User, region_code: str | None) -> bool:
    """Whether ``user`` may place a child (new or moved) in ``region_code``."""
    if _is_everywhere(user):
        return True
    return user.role in EDITING_ROLES and in_territory(user, region_code)


def can_create_children(user: User) -> bool:
    return _is_everywhere(user) or (user.role in EDITING_ROLES and territory_code(user) is not None)


def sees_sensitive_fields(user: User, child: Child) -> bool:
    """ID numbers, parents' phones and health details: territorial staff only, not grant-only access."""
    return _is_everywhere(user) or in_territory(user, child.region_code)


def can_read_audit(user: User) -> bool:
    """The access log: county-level staff and administrators, for their territory."""
    from shouhu.regions.codes import Level, level_of

    if _is_everywhere(user):
        return True
    code = territory_code(user)
    return bool(code and user.role in AUDIT_READING_ROLES and level_of(code) <= Level.COUNTY)


def get_child_for(user: User, pk, *, edit: bool = False) -> Child:
    """Fetch a child the user may see (or change, with ``edit``); 404 for missing and forbidden alike."""
    from django.core.exceptions import ValidationError

    try:
        child = children_visible_to(user).select_related("village__parent", "found_region").get(pk=pk)
    except (ValidationError, ValueError) as exc:  # a malformed UUID is as missing as an absent one
        raise Http404 from exc
    except children_visible_to(user).model.DoesNotExist as exc:
        raise Http404 from exc
    if edit and not can_edit(user, child):
        raise Http404
    return child


def regions_visible_to(user: User) -> QuerySet[Region]:
    from shouhu.regions.models import Region

    if _is_everywhere(user):
        return Region.objects.all()
    code = territory_code(user)
    if code:
        return Region.objects.filter(code__startswith=code)
    return Region.objects.none()


def region_roots_for(user: User) -> QuerySet[Region]:
    """The top of the user's jurisdiction (the regions a browser starts from)."""
    from shouhu.regions.models import Region

    if _is_everywhere(user):
        return Region.objects.filter(parent__isnull=True)
    code = territory_code(user)
    return Region.objects.filter(code=code) if code else Region.objects.none()


def get_region_for(user: User, code: str) -> Region:
    try:
        return regions_visible_to(user).get(code=code)
    except regions_visible_to(user).model.DoesNotExist as exc:
        raise Http404 from exc


def can_manage_work(user: User, region_code: str) -> bool:
    """Reassigning work, changing a county's visit policy, opening investigations: supervisors and
    county staff over the place, administrators."""
    if _is_everywhere(user):
        return True
    return user.role in SUPERVISING_ROLES and in_territory(user, region_code)


def work_items_visible_to(user: User):
    """Work items (due visits, alerts, tasks) of the user's territory, and those the user answers for."""
    from shouhu.escalation.models import WorkItem

    if not user.is_authenticated or not user.is_active:
        return WorkItem.objects.none()
    if _is_everywhere(user):
        return WorkItem.objects.all()
    code = territory_code(user)
    mine = Q(responsible_id=user.pk)
    return WorkItem.objects.filter(Q(region_code__startswith=code) | mine if code else mine)


def can_configure_county(user: User, county_code: str) -> bool:
    """A county's own settings (visit policy, investigations): county staff and administrators of it."""
    from shouhu.regions.codes import Level, level_of

    if _is_everywhere(user):
        return True
    code = territory_code(user)
    return bool(
        code
        and user.role in {Role.COUNTY_STAFF, Role.ADMIN}
        and level_of(code) <= Level.COUNTY
        and county_code.startswith(code)
    )


def can_record_visit(user: User, child: Child) -> bool:
    """Visits are recorded by the people who work the child's territory (director, supervisor, county),
    and by a worker a visit was reassigned to (an active assignment grant)."""
    from .models import GrantReason

    return can_edit(user, child) or (
        user.role in EDITING_ROLES
        and Grant.objects.active()
        .filter(user_id=user.pk, child_id=child.pk, reason=GrantReason.ASSIGNMENT)
        .exists()
    )


def reports_visible_to(user: User):
    """Mandatory reports: those of the user's territory (the township triages them) and those the user
    filed (a reporter sees the status, which grants nothing about the child)."""
    from shouhu.cases.models import Report

    if not user.is_authenticated or not user.is_active:
        return Report.objects.none()
    if _is_everywhere(user):
        return Report.objects.all()
    code = territory_code(user)
    mine = Q(reporter_id=user.pk)
    if not code:
        return Report.objects.filter(mine)
    return Report.objects.filter(
        Q(township__code__startswith=code) | Q(village__code__startswith=code) | mine
    )


def _territorial(model, user: User):
    """Records of the user's territory only: a grant (a mentor's pairing) shows a child's file, never
    the alerts and cases about the child."""
    if not user.is_authenticated or not user.is_active:
        return model.objects.none()
    if _is_everywhere(user):
        return model.objects.all()
    code = territory_code(user)
    return model.objects.filter(region_code__startswith=code) if code else model.objects.none()


def alerts_visible_to(user: User):
    from shouhu.cases.models import Alert

    return _territorial(Alert, user)


def cases_visible_to(user: User):
    from shouhu.cases.models import Case

    return _territorial(Case, user)


def visits_visible_to(user: User):
    """Visit records (notes about the home and the family) belong to the territory's workers; a grant
    (a mentor's pairing) does not open them."""
    from shouhu.visits.models import Visit

    return _territorial(Visit, user)
