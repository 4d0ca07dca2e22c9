"""The engine of who may see and change what: the shared territory logic, and the registry of each
scoped model's ``Policy``. The rule for each model is declared in its app's ``permissions.py``
(``children/permissions.py``: children; ``cases/permissions.py``: alerts, cases, reports; …) and asked
through here, so that a page, the API and a job ask the same object. Nothing else filters by region
for permission purposes.

Jurisdiction (管辖范围) is a region subtree: a user whose role works a territory (child director,
supervisor, county staff, civil-affairs official, administrator) sees every child whose household
village — or, for a homeless minor, the place where they were found — lies in their region or below.
Everyone may also see children granted to them (``Grant``: assignment, referral, pairing) while the
grant is active; social workers, mentors, teachers and health workers see only those.

``get_for`` (and ``get_child_for``) fetch and check in one step and raise ``Http404`` both for
"missing" and for "not yours", so that a record outside one's jurisdiction does not reveal that it
exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, Q, QuerySet
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


def grants_read_once(user: User) -> dict | None:
    """The user's active grants as read once in ``reading_once``; None outside it."""
    memo = _READ_ONCE.get()
    if memo is None or user.pk is None:
        return None
    if user.pk not in memo:
        memo[user.pk] = _read_grant_reasons(user, None)
    return memo[user.pk]


def is_everywhere(user: User) -> bool:
    return bool(user.is_superuser)


def territory_code(user: User) -> str | None:
    """The code of the region whose subtree the user works, or None (grant-only or no region)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role in TERRITORIAL_ROLES and user.region_id:
        return user.region_id
    return None


def granted_child_ids(user: User, at=None):
    """The children granted to ``user`` (assignment, referral, pairing, break-glass), active at ``at``."""
    return Grant.objects.active(at).filter(user_id=user.pk).values_list("child_id", flat=True)


def has_grants(user: User) -> bool:
    """Whether any child is granted to ``user`` now."""
    read = grants_read_once(user)
    if read is not None:
        return bool(read)
    return granted_child_ids(user).exists()


def in_territory(user: User, region_code: str | None) -> bool:
    if is_everywhere(user):
        return True
    code = territory_code(user)
    return bool(code and region_code and region_code.startswith(code))


def can_register_in(user: User, region_code: str | None) -> bool:
    """Whether ``user`` may place a child (new or moved) in ``region_code``."""
    if is_everywhere(user):
        return True
    return user.role in EDITING_ROLES and in_territory(user, region_code)


def can_create_children(user: User) -> bool:
    return is_everywhere(user) or (user.role in EDITING_ROLES and territory_code(user) is not None)


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
        read = grants_read_once(user)
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
    if is_everywhere(user):
        return tiers.Visibility(tiers.ALL_TIERS, "territory")
    if in_territory(user, child.region_code):
        via = "read_only" if user.role == Role.CIVIL_AFFAIRS else "territory"
        return tiers.Visibility(tiers.ALL_TIERS, via)
    read = grants_read_once(user) if at is None and grants is None else None
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

    read = grants_read_once(user)
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

    if is_everywhere(user):
        return True
    code = territory_code(user)
    return bool(code and user.role in AUDIT_READING_ROLES and level_of(code) <= Level.COUNTY)


def can_export_children(user: User) -> bool:
    """Exporting lists of children (Excel, CSV): the territorial roles, for the children their list
    shows. A grant (a mentor's pairing, a social organisation's referral, a teacher's or health
    worker's child) opens a file for one purpose, never a list to copy out of the system."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_everywhere(user) or territory_code(user) is not None


def can_export_full_numbers(user: User, seen=None) -> bool:
    """Whole ID and phone numbers in an export, which masks them otherwise: for a user who may export,
    who asks for them (the export's log entry says so), and — with ``seen``, the user's
    ``children.tiers.Visibility`` of one child — only for a child whose whole file the user holds by
    territory; not for one reached through a grant or by breaking the glass, opened for one purpose
    or one emergency."""
    if not can_export_children(user):
        return False
    return seen is None or (seen.everything and seen.via in ("territory", "read_only"))


def regions_visible_to(user: User) -> QuerySet[Region]:
    from shouhu.regions.models import Region

    if is_everywhere(user):
        return Region.objects.all()
    code = territory_code(user)
    if code:
        return Region.objects.filter(code__within=code)
    return Region.objects.none()


def region_roots_for(user: User) -> QuerySet[Region]:
    """The top of the user's jurisdiction (the regions a browser starts from)."""
    from shouhu.regions.models import Region

    if is_everywhere(user):
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
    if is_everywhere(user):
        return True
    return user.role in SUPERVISING_ROLES and in_territory(user, region_code)


def can_configure_county(user: User, county_code: str) -> bool:
    """A county's own settings (visit policy, investigations): county staff and administrators of it."""
    from shouhu.regions.codes import Level, level_of

    if is_everywhere(user):
        return True
    code = territory_code(user)
    return bool(
        code
        and user.role in {Role.COUNTY_STAFF, Role.ADMIN}
        and level_of(code) <= Level.COUNTY
        and county_code.startswith(code)
    )


def is_provider_staff(user: User, provider_id) -> bool:
    """A member of the organisation a referral went to: an active user whose ``organisation`` it is."""
    if not user.is_authenticated or not user.is_active or not user.organisation_id:
        return False
    return user.organisation_id == provider_id


def configurable_county(user: User, wanted: str | None = None) -> str | None:
    """The county whose settings (risk rules, visit policy, investigations) ``user`` may change:
    ``wanted`` if allowed, else the user's own county; None when there is none."""
    from shouhu.regions.codes import Level, county_of, reaches
    from shouhu.regions.models import Region

    if wanted:
        if len(wanted) == 6 and wanted.isdigit() and can_configure_county(user, wanted):
            return wanted if Region.objects.filter(code=wanted, level=Level.COUNTY).exists() else None
        return None
    code = territory_code(user)
    if code and reaches(code, Level.COUNTY) and can_configure_county(user, county_of(code)):
        return county_of(code)
    return None


# --- policies: one per scoped model, declared in its app's permissions.py ---------------------------

NOTHING = Q(pk__in=[])


class Policy:
    """Who sees which records of one model (``q``, for querysets) and who may do what to one of them
    (``can``). A subclass writes ``rule(user, code)`` — the ``Q`` for an active user who is not an
    administrator, ``code`` being the territory the user works (or None) — and a ``can_<action>`` for
    each action beyond viewing."""

    model: type[Model]

    def rule(self, user: User, code: str | None) -> Q:
        raise NotImplementedError

    def q(self, user: User) -> Q:
        """A ``Q`` over the model selecting what ``user`` may see: nothing for a signed-out or
        inactive account, everything for an administrator of the whole system."""
        if not user.is_authenticated or not user.is_active:
            return NOTHING
        if is_everywhere(user):
            return Q()
        return self.rule(user, territory_code(user))

    def queryset(self, user: User) -> QuerySet:
        return self.model._default_manager.filter(self.q(user))

    def can(self, user: User, obj: Any, action: str = "view") -> bool:
        """Whether ``user`` may ``action`` ``obj``: viewing is being in ``queryset``; any other action
        is the policy's ``can_<action>``."""
        if action == "view":
            return self.queryset(user).filter(pk=obj.pk).exists()
        return getattr(self, f"can_{action}")(user, obj)


class TerritoryPolicy(Policy):
    """Records of the user's territory only (by their ``region_code``): a grant (a mentor's pairing)
    shows a child's file, never the records about the child. Breaking the glass opens every tier of
    the child's file, these records included, for its time."""

    def rule(self, user: User, code: str | None) -> Q:
        if not code:
            return NOTHING
        has_child = any(f.name == "child" for f in self.model._meta.get_fields())
        emergency = _break_glass_ids(user) if has_child else []
        if emergency:
            return Q(region_code__within=code) | Q(child_id__in=emergency)
        return Q(region_code__within=code)

    def reads_any(self, user: User) -> bool:
        """Whether the user works a territory (or everywhere), so that the menu offers the list."""
        return user.is_authenticated and (is_everywhere(user) or territory_code(user) is not None)


_POLICIES: dict[type[Model], Policy] = {}


P = TypeVar("P", bound="Policy")


def register(model: type[Model], rules: P) -> P:
    """Declare ``rules`` as the policy of ``model`` (in the model's app's ``permissions.py``, which
    ``AccountsConfig.ready`` imports)."""
    rules.model = model
    _POLICIES[model] = rules
    return rules


def policy(model: type[Model] | str) -> Policy:
    """The policy of a scoped model (a class or ``"app_label.Model"``)."""
    found = apps.get_model(model) if isinstance(model, str) else model
    return _POLICIES[found._meta.concrete_model]  # type: ignore[index]  # a model is its own concrete model


def scoped_models() -> list[type[Model]]:
    """Every model with a declared policy: the models only their app's selectors query."""
    return list(_POLICIES)


def visible(user: User, model: type[Model] | str) -> QuerySet:
    """The records of ``model`` that ``user`` may see."""
    return policy(model).queryset(user)


def can(user: User, obj: Model, action: str = "view") -> bool:
    """Whether ``user`` may ``action`` ``obj``, as the policy of its model says."""
    return policy(type(obj)).can(user, obj, action)


def get_for(
    user: User,
    model: type[Model] | str,
    pk,
    *,
    action: str = "",
    select_related=(),
    prefetch_related=(),
) -> Any:
    """One record ``user`` may see (and, with ``action``, may ``action``); 404 for missing and
    forbidden alike. ``select_related``, ``prefetch_related``: what the caller shows with it."""
    rules = policy(model)
    records = rules.queryset(user)
    if select_related:
        records = records.select_related(*select_related)
    try:
        found = records.prefetch_related(*prefetch_related).get(pk=pk)
    except (ValidationError, ValueError) as exc:  # a malformed UUID is as missing as an absent one
        raise Http404 from exc
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    if action and not rules.can(user, found, action):
        raise Http404
    return found


# --- shortcuts kept for their many callers; each asks the model's policy -----------------------------


def children_visible_to(user: User) -> QuerySet[Child]:
    return visible(user, "children.Child")


def can_view(user: User, child: Child) -> bool:
    return policy("children.Child").can(user, child)


def can_edit(user: User, child: Child) -> bool:
    return policy("children.Child").can(user, child, "change")


def get_child_for(
    user: User,
    pk,
    *,
    edit: bool = False,
    select_related=("village__parent", "found_region"),
    prefetch_related=(),
) -> Child:
    """Fetch a child the user may see (or change, with ``edit``); 404 for missing and forbidden alike."""
    return get_for(
        user,
        "children.Child",
        pk,
        action="change" if edit else "",
        select_related=select_related,
        prefetch_related=prefetch_related,
    )


def work_items_visible_to(user: User) -> QuerySet:
    return visible(user, "escalation.WorkItem")


def alerts_visible_to(user: User) -> QuerySet:
    return visible(user, "cases.Alert")


def cases_visible_to(user: User) -> QuerySet:
    return visible(user, "cases.Case")


def reports_visible_to(user: User) -> QuerySet:
    return visible(user, "cases.Report")
