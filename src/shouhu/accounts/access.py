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

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


# Each user's active grants (child id → reasons), read once within ``reading_once``.
_READ_ONCE: ContextVar[dict | None] = ContextVar("shouhu_grants_read_once", default=None)


@contextmanager
def reading_once() -> Iterator[None]:
    """Within it, each user's active grants are read at most once, however many parts of a page ask
    (the menu's badges, the file, its alerts, cases, assistance and visits, a list's rows). For a
    request that changes nothing (``middleware.GrantsReadOnceMiddleware``: GET and HEAD), so that no
    grant made or ended while it runs goes unseen; writes, jobs and commands read the database at
    every question."""
    token = _READ_ONCE.set({})
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def _grants_read_once(user: User) -> dict | None:
    """The user's active grants as read once in ``reading_once``; None outside it."""
    memo = _READ_ONCE.get()
    if memo is None or user.pk is None:
        return None
    if user.pk not in memo:
        memo[user.pk] = _read_grant_reasons(user, None)
    return memo[user.pk]


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
    # The granted ids are read first: an OR with a subquery would make PostgreSQL scan every child of
    # the province; an OR with a list of ids is two index scans.
    read = _grants_read_once(user)
    ids = list(read) if read is not None else list(granted_child_ids(user, timezone.now()))
    granted = Q(pk__in=ids)
    code = territory_code(user)
    if code:
        return Q(region_code__within=code) | granted
    return granted


def granted_child_ids(user: User, at=None):
    """The children granted to ``user`` (assignment, referral, pairing, break-glass), active at ``at``."""
    return Grant.objects.active(at).filter(user_id=user.pk).values_list("child_id", flat=True)


def has_grants(user: User) -> bool:
    """Whether any child is granted to ``user`` now."""
    read = _grants_read_once(user)
    if read is not None:
        return bool(read)
    return granted_child_ids(user).exists()


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


class _GrantsOnce:
    """``grant_reasons``, read at the first question and not before (a list of the user's own
    territory never asks)."""

    def __init__(self, user: User, at=None) -> None:
        self.user, self.at, self.reasons = user, at, None

    def get(self, child_id, default=None):
        if self.reasons is None:
            self.reasons = grant_reasons(self.user, self.at)
        return self.reasons.get(child_id, default)


def grants_once(user: User, at=None) -> _GrantsOnce:
    """The user's grants for a list or a request: one query at most, only if a row needs it."""
    return _GrantsOnce(user, at)


def grant_reasons(user: User, at=None) -> dict:
    """The user's active grants, child id → reasons, in one query (none again within
    ``reading_once``): for a list, so that ``tiers_for`` asks nothing per row."""
    if at is None:
        read = _grants_read_once(user)
        if read is not None:
            return read
    return _read_grant_reasons(user, at)


def _read_grant_reasons(user: User, at) -> dict:
    from django.utils import timezone

    reasons: dict = {}
    rows = (
        Grant.objects.active(at or timezone.now()).filter(user_id=user.pk).values_list("child_id", "reason")
    )
    for child_id, reason in rows:
        reasons.setdefault(child_id, set()).add(reason)
    return reasons


def tiers_for(user: User, child: Child, *, at=None, grants=None):
    """THE answer to "which fields of this child's file does this user see" (``children.tiers``).

    By how the user reaches the child: territorial staff of the child's area (director, supervisor,
    county, administrator) and civil-affairs officials (read-only) see every tier; an active
    break-the-glass grant sees every tier until it ends; a pairing (mentor), a referral (social
    organisation) or an assignment grant sees the personal tier, narrowed to what that purpose needs;
    anyone else sees nothing. Of several ways in, the widest counts. ``grants``: the user's
    ``grants_once``, read at most once for a list.
    """
    from django.utils import timezone

    from shouhu.children import tiers

    from .models import GrantReason

    if not user.is_authenticated or not user.is_active:
        return tiers.NOTHING
    if _is_everywhere(user):
        return tiers.Visibility(tiers.ALL_TIERS, "territory")
    if in_territory(user, child.region_code):
        via = "read_only" if user.role == Role.CIVIL_AFFAIRS else "territory"
        return tiers.Visibility(tiers.ALL_TIERS, via)
    read = _grants_read_once(user) if at is None and grants is None else None
    if grants is not None:
        reasons = grants.get(child.pk, set())
    elif read is not None:
        reasons = read.get(child.pk, set())
    else:
        reasons = set(
            Grant.objects.active(at or timezone.now())
            .filter(user_id=user.pk, child_id=child.pk)
            .values_list("reason", flat=True)
        )
    if GrantReason.BREAK_GLASS in reasons:
        return tiers.Visibility(tiers.ALL_TIERS, "break_glass")
    for reason in (GrantReason.ASSIGNMENT, GrantReason.REFERRAL, GrantReason.PAIRING):
        if reason in reasons:
            return tiers.Visibility(frozenset({tiers.PERSONAL}), str(reason), need=str(reason))
    return tiers.NOTHING


def sees_sensitive_fields(user: User, child: Child) -> bool:
    """ID numbers, health, the family's situation, categories, visits: the sensitive tier."""
    return tiers_for(user, child).sensitive


def _break_glass_ids(user: User) -> list:
    from .models import GrantReason

    read = _grants_read_once(user)
    if read is not None:
        return [child_id for child_id, reasons in read.items() if GrantReason.BREAK_GLASS in reasons]
    return list(break_glass_child_ids(user).values_list("child_id", flat=True))


def break_glass_child_ids(user: User, at=None):
    """The children ``user`` opened by breaking the glass, while the opening lasts (a subquery)."""
    from .models import GrantReason

    return Grant.objects.active(at).filter(user_id=user.pk, reason=GrantReason.BREAK_GLASS).values("child_id")


def can_read_audit(user: User) -> bool:
    """The access log: county-level staff and administrators, for their territory."""
    from shouhu.regions.codes import Level, level_of

    if _is_everywhere(user):
        return True
    code = territory_code(user)
    return bool(code and user.role in AUDIT_READING_ROLES and level_of(code) <= Level.COUNTY)


def can_export_children(user: User) -> bool:
    """Exporting lists of children (Excel, CSV): the territorial roles, for the children their list
    shows. A grant (a mentor's pairing, a social organisation's referral, a teacher's or health
    worker's child) opens a file for one purpose, never a list to copy out of the system."""
    if not user.is_authenticated or not user.is_active:
        return False
    return _is_everywhere(user) or territory_code(user) is not None


def can_export_full_numbers(user: User, seen=None) -> bool:
    """Whole ID and phone numbers in an export, which masks them otherwise: for a user who may export,
    who asks for them (the export's log entry says so), and — with ``seen``, the user's
    ``children.tiers.Visibility`` of one child — only for a child whose whole file the user holds by
    territory; not for one reached through a grant or by breaking the glass, opened for one purpose
    or one emergency."""
    if not can_export_children(user):
        return False
    return seen is None or (seen.everything and seen.via in ("territory", "read_only"))


def get_child_for(
    user: User,
    pk,
    *,
    edit: bool = False,
    select_related=("village__parent", "found_region"),
    prefetch_related=(),
) -> Child:
    """Fetch a child the user may see (or change, with ``edit``); 404 for missing and forbidden alike.
    ``select_related``, ``prefetch_related``: what the caller shows with the child, read with it."""
    from django.core.exceptions import ValidationError

    try:
        child = (
            children_visible_to(user)
            .select_related(*select_related)
            .prefetch_related(*prefetch_related)
            .get(pk=pk)
        )
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
        return Region.objects.filter(code__within=code)
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
    return WorkItem.objects.filter(Q(region_code__within=code) | mine if code else mine)


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

    if can_edit(user, child):
        return True
    if user.role not in EDITING_ROLES:
        return False
    read = _grants_read_once(user)
    if read is not None:
        return GrantReason.ASSIGNMENT in read.get(child.pk, ())
    return (
        Grant.objects.active()
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
    return Report.objects.filter(Q(township__code__within=code) | Q(village__code__within=code) | mine)


def _territorial(model, user: User):
    """Records of the user's territory only: a grant (a mentor's pairing) shows a child's file, never
    the alerts and cases about the child."""
    if not user.is_authenticated or not user.is_active:
        return model.objects.none()
    if _is_everywhere(user):
        return model.objects.all()
    code = territory_code(user)
    if not code:
        return model.objects.none()
    # Breaking the glass opens every tier of the child's file, case details included, for its time.
    has_child = any(f.name == "child" for f in model._meta.get_fields())
    emergency = _break_glass_ids(user) if has_child else []
    if emergency:
        return model.objects.filter(Q(region_code__within=code) | Q(child_id__in=emergency))
    return model.objects.filter(region_code__within=code)


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


def is_provider_staff(user: User, provider_id) -> bool:
    """A member of the organisation a referral went to: an active user whose ``organisation`` it is."""
    if not user.is_authenticated or not user.is_active or not user.organisation_id:
        return False
    return user.organisation_id == provider_id


def referrals_visible_to(user: User):
    """Referrals of the user's territory (the child's place), and those made to the user's organisation
    — in any status, for its own records; what of the child they show is ``shows_referred_child``."""
    from shouhu.referrals.models import Referral

    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    if _is_everywhere(user):
        return Referral.objects.all()
    code = territory_code(user)
    mine = Q(provider_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
    return Referral.objects.filter(Q(region_code__within=code) | mine if code else mine)


def shows_referred_child(user: User, referral, *, grants=None) -> bool:
    """Who the child is (name, guardian's contact): the child's territory always; the organisation's
    staff only while the referral is accepted and their grant is active — not before they accept, not
    after it is closed or revoked. ``grants``: the user's ``grants_once``, read at most once for a
    list."""
    from shouhu.referrals.models import ReferralStatus

    if _is_everywhere(user) or in_territory(user, referral.region_code):
        return True
    if referral.status != ReferralStatus.ACCEPTED or not is_provider_staff(user, referral.provider_id):
        return False
    read = grants if grants is not None else _grants_read_once(user)
    if read is not None:
        return bool(read.get(referral.child_id))
    return Grant.objects.active().filter(user_id=user.pk, child_id=referral.child_id).exists()


# --- assistance applications: village applies → township reviews → county civil affairs approves ----


def assistance_applications_visible_to(user: User):
    """Assistance applications of the user's territory (never through a grant)."""
    from shouhu.assistance.models import Application

    return _territorial(Application, user)


def can_apply_for_assistance(user: User, child: Child) -> bool:
    """The village level applies: a child director over the child's village."""
    return user.role == Role.VILLAGE_DIRECTOR and in_territory(user, child.region_code)


def can_review_assistance(user: User, region_code: str) -> bool:
    """The township level reviews: a child supervisor over the township."""
    return user.role == Role.TOWNSHIP_SUPERVISOR and in_territory(user, region_code)


def can_approve_assistance(user: User, region_code: str) -> bool:
    """The county level approves and records payments: the county's civil-affairs officials."""
    from shouhu.regions.codes import Level, level_of

    code = territory_code(user)
    return bool(
        code
        and user.role == Role.CIVIL_AFFAIRS
        and level_of(code) <= Level.COUNTY
        and in_territory(user, region_code)
    )


# --- quarterly reports: a township reports to its county --------------------------------------------


def quarterly_reports_visible_to(user: User):
    """Quarterly reports of the user's own region (a township's supervisor: the township's; county staff
    and civil affairs: the county's), and the reports of the townships below once submitted (a draft
    stays with its township). Village directors read none: a township's report covers every village."""
    from shouhu.quarterly.models import QuarterlyReport, Submission

    if not user.is_authenticated or not user.is_active:
        return QuarterlyReport.objects.none()
    if _is_everywhere(user):
        return QuarterlyReport.objects.all()
    code = territory_code(user)
    if not code or user.role == Role.VILLAGE_DIRECTOR:
        return QuarterlyReport.objects.none()
    return QuarterlyReport.objects.filter(
        Q(region_code=code) | (Q(region_code__within=code) & ~Q(status=Submission.DRAFT))
    )


def can_generate_quarterly(user: User, region_code: str) -> bool:
    """Generating (and, for a township, submitting) the report of a region: the township's child
    supervisor for the township, the county's guidance-centre staff (or administrators) for the county.
    The same answer says who reads a township's report with its children's names."""
    from shouhu.regions.codes import Level, level_of

    if _is_everywhere(user):
        return True
    code = territory_code(user)
    if not code or code != region_code:
        return False
    if level_of(code) == Level.TOWNSHIP:
        return user.role == Role.TOWNSHIP_SUPERVISOR
    return level_of(code) == Level.COUNTY and user.role in {Role.COUNTY_STAFF, Role.ADMIN}


def can_review_quarterly(user: User, report) -> bool:
    """Acknowledging or returning a township's submitted report: the county's guidance-centre staff (or
    administrators) — never someone who generated or submitted that report."""
    from shouhu.regions.codes import Level, level_of

    if len(report.region_code) != 9 or user.pk in (report.submitted_by_id, report.requested_by_id):
        return False
    if _is_everywhere(user):
        return True
    code = territory_code(user)
    return bool(
        code
        and user.role in {Role.COUNTY_STAFF, Role.ADMIN}
        and level_of(code) == Level.COUNTY
        and report.region_code.startswith(code)
    )


# --- cross-checks of the registry against school and 低保 lists --------------------------------------


def can_run_crosscheck(user: User, region_code: str) -> bool:
    """Uploading a school's or a 低保 list for a place: its township supervisors, the county's staff,
    administrators (the same people who manage the place's work)."""
    return can_manage_work(user, region_code)


def crosschecks_visible_to(user: User):
    """Cross-check runs whose place lies in the user's territory (a township's supervisor sees the runs
    of its schools; a village director sees none, only the differences of the village)."""
    from shouhu.crosschecks.models import CrossCheck

    return _territorial(CrossCheck, user)


def crosscheck_differences_visible_to(user: User):
    """Differences found by cross-checks, by the place they are about: a village's director sees the
    village's, a township's supervisor the township's (those with no known village among them)."""
    from shouhu.crosschecks.models import Difference

    return _territorial(Difference, user)


def can_close_crosscheck_difference(user: User, difference) -> bool:
    """Closing a difference: the territory's workers who may change files (the village director, the
    supervisor, the county), not civil-affairs readers."""
    if _is_everywhere(user):
        return True
    return user.role in EDITING_ROLES and in_territory(user, difference.region_code)
