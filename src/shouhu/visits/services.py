"""Every write of the visits module: policy, schedules, visit records, investigations, sessions.

Schedules are derived, never typed: ``schedules_refresh`` turns ``rules.requirements`` into work
items (``escalation.WorkItem``, kind ``visit``) for every child at once, set-based, and marks done
those a recorded visit satisfies. It is idempotent; the nightly job and the registry's after-change
step (``schedules_after``) both call it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.accounts import access, responsible
from shouhu.accounts.models import Role, User
from shouhu.children import classify as c
from shouhu.children.after import after_facts_changed
from shouhu.children.models import CategoryEvent, Child, ChildCategory
from shouhu.escalation import services as escalation
from shouhu.escalation import texts
from shouhu.escalation.models import Status, Tier, WorkItem
from shouhu.regions.codes import county_of

from . import permissions, rules
from .models import FAILED_OUTCOMES, Outcome, Visit, VisitKind, VisitPolicy

DIRECTOR_VISIT, COUNTY_VISIT, URGENT_VISIT = (
    f"visit.{k}" for k in (rules.DIRECTOR, rules.COUNTY, rules.URGENT)
)
VISIT_KINDS = (DIRECTOR_VISIT, COUNTY_VISIT, URGENT_VISIT)
POLICY_FIELDS = (
    "listed_months",
    "others_months",
    "county_months",
    "urgent_hours",
    "phone_counts",
    "township_after_days",
    "county_after_days",
)


# Policy -------------------------------------------------------------------------------------------


def policy_ensure(region_code: str) -> VisitPolicy:
    """The county's policy, saved with the defaults the first time (reading it is
    ``selectors.policy_of``, which writes nothing)."""
    policy, _created = VisitPolicy.objects.get_or_create(county_id=county_of(region_code))
    return policy


def policy_update(*, actor, county_code: str, **fields: Any) -> VisitPolicy:
    """Change a county's frequencies; recorded in the policy's history. Due dates already set stay;
    new periods follow the new values."""
    if not access.can_configure_county(actor, county_code):
        raise PermissionDenied(_("只有本县的工作人员可以修改走访规则。"))
    policy = policy_ensure(county_code)
    for name, value in fields.items():
        if name not in POLICY_FIELDS:
            raise ValidationError({name: [_("不是可修改的走访规则。")]})
        setattr(policy, name, value)
    policy.full_clean()
    policy._history_user = actor
    policy.save()
    return policy


# Schedules ----------------------------------------------------------------------------------------


def _alone_flags(children) -> dict[object, dt.datetime]:
    """When each child was last flagged as having no adult at home (``children``: ids or a queryset)."""
    rows = (
        CategoryEvent.objects.filter(child_id__in=children, category_id=c.LIVING_ALONE, gained=True)
        .order_by("child_id", "recorded_at")
        .values_list("child_id", "recorded_at")
    )
    return dict(rows)  # the latest flag wins


def _parts(ids: list, size: int = 5000) -> list[list]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def schedules_refresh(
    *, on: dt.date | None = None, children=None, now: dt.datetime | None = None, settle: bool = True
) -> dict:
    """Derive every child's due visits for ``on`` and store the missing ones; complete satisfied ones;
    cancel those of children who left. ``children`` narrows it to a queryset (one child after a change).
    ``settle=False`` skips the completing and cancelling, for children just registered (an import),
    who have no visits and no items yet.

    Built for the nightly run over a whole county or province: the requirements of children alike
    (same county, same categories) are derived once, and only the requirements without an item yet
    are turned into items, so that a run in which nothing changed reads the children and their
    current items and writes nothing."""
    on = on or timezone.localdate()
    now = now or timezone.now()
    qs = Child.objects.filter(exited_on__isnull=True) if children is None else children
    rows = list(qs.order_by().values_list("pk", "name", "region_code", "village_id"))
    # A narrowed run (one child, an import's set) names its children by id: joined as a subquery,
    # tables just written in the same transaction (an import) are planned from stale statistics.
    parts = [qs.order_by().values("pk")] if children is None else _parts([r[0] for r in rows])
    policies = _policies({county_of(r[2]) for r in rows})
    needs = _requirements(rows, parts, policies=policies, on=on)
    existing, standing = _items_held(needs, [None] if children is None else parts, now=now)
    specs = _specs(rows, needs, existing, standing, policies=policies, on=on)
    created = escalation.items_ensure(specs)
    if not settle:
        return {"children": len(rows), "created": created, "completed": 0, "cancelled": 0}
    done = complete_satisfied(children=children)
    cancelled = escalation.items_cancel(
        items=WorkItem.objects.filter(kind__in=VISIT_KINDS, child__exited_on__isnull=False),
        note=texts.stored("note.child_exited"),
    )
    return {"children": len(rows), "created": created, "completed": done, "cancelled": cancelled}


def _policies(counties: set[str]) -> dict[str, VisitPolicy]:
    """Every county's policy, those of ``counties`` created with the defaults when missing."""
    policies = {p.county_id: p for p in VisitPolicy.objects.all()}
    for county in counties - set(policies):
        policies[county] = policy_ensure(county)
    return policies


def _requirements(rows, parts, *, policies, on: dt.date) -> list[list[rules.Requirement]]:
    """What each child of ``rows`` needs: children alike share one derivation (the rules are pure
    functions of the categories, the county's policy and the day, unless a child was flagged alone)."""
    cats: dict[object, set[str]] = defaultdict(set)
    for part in parts:
        memberships = ChildCategory.objects.filter(child_id__in=part)
        for child_id, code in memberships.values_list("child_id", "category_id"):
            cats[child_id].add(code)
    alone = _alone_flags([i for i, held in cats.items() if c.LIVING_ALONE in held])
    alike: dict[tuple, list[rules.Requirement]] = {}
    needs = []
    for child_id, _name, region_code, _village in rows:
        held = cats.get(child_id, set())
        flagged = alone.get(child_id)
        if flagged is None:
            key = (county_of(region_code), frozenset(held))
            reqs = alike.get(key)
            if reqs is None:
                reqs = alike[key] = rules.requirements(held, policy=policies[key[0]], on=on)
        else:
            reqs = rules.requirements(
                held, policy=policies[county_of(region_code)], on=on, flagged_alone_at=flagged
            )
        needs.append(reqs)
    return needs


def _items_held(needs, parts, *, now: dt.datetime) -> tuple[set, set]:
    """Which requirements have an item already (the key names child, kind and period start), and
    which children have a director visit standing: open and not yet due. ``parts``: ``[None]`` for
    every child."""
    starts = {req.period_start for reqs in needs for req in reqs}
    stands = Q(kind=DIRECTOR_VISIT, status=Status.OPEN, due_at__gte=now)
    current = WorkItem.objects.filter(Q(kind__in=VISIT_KINDS, period_start__in=starts) | stands)
    existing, standing = set(), set()
    for part in parts:
        of_part = current if part is None else current.filter(child_id__in=part)
        for child_id, kind, start, stands_now in of_part.annotate(
            stands_now=ExpressionWrapper(stands, output_field=BooleanField())
        ).values_list("child_id", "kind", "period_start", "stands_now"):
            existing.add((child_id, kind, start))
            if stands_now:
                standing.add(child_id)
    return existing, standing


def _specs(rows, needs, existing, standing, *, policies, on: dt.date) -> list[escalation.ItemSpec]:
    """The items of the requirements without one (``items_ensure`` would find its key and keep it)."""
    specs = []
    directors = None
    for (child_id, name, region_code, village_id), reqs in zip(rows, needs, strict=True):
        for req in reqs:
            kind = f"visit.{req.kind}"
            if (child_id, kind, req.period_start) in existing:
                continue
            if req.kind == rules.DIRECTOR and child_id in standing:
                continue
            if directors is None:
                directors = responsible.directors_of({r[3] for r in rows if r[3]}, on=on)
            responsible_id = None if req.kind == rules.COUNTY else directors.get(village_id)
            specs.append(
                _spec(req, child_id, name, region_code, responsible_id, policies[county_of(region_code)])
            )
    return specs


def _spec(req: rules.Requirement, child_id, name: str, region_code: str, responsible_id, policy):
    urgent = req.kind == rules.URGENT
    return escalation.ItemSpec(
        key=req.key(child_id),
        kind=f"visit.{req.kind}",
        **texts.fields(f"visit.{req.kind}", name=name),
        region_code=region_code,
        child_id=child_id,
        period_start=req.period_start,
        period_end=timezone.localdate(req.due_at),
        due_at=req.due_at,
        responsible_id=responsible_id,
        tier=Tier.COUNTY if req.kind == rules.COUNTY else Tier.VILLAGE,
        township_after=dt.timedelta(0) if urgent else dt.timedelta(days=policy.township_after_days),
        county_after=dt.timedelta(hours=policy.urgent_hours)
        if urgent
        else dt.timedelta(days=policy.county_after_days),
    )


def complete_satisfied(*, children=None) -> int:
    """Mark done every open visit item that a recorded, successful visit satisfies: one in its period,
    or a late one made after the period (the reading the ``rules`` docstring gives)."""
    items = WorkItem.objects.filter(kind__in=VISIT_KINDS, status=Status.OPEN)
    if children is not None:
        items = items.filter(child__in=children)
    good = Visit.objects.filter(child_id=OuterRef("child_id")).exclude(outcome__in=FAILED_OUTCOMES)
    # In its period, or after it while the item is still open: the late visit an overdue item asks
    # for closes it (done after its deadline, so the figures count it late).
    in_period = good.filter(visited_on__gte=OuterRef("period_start"))
    phone_counts = Q(kind=VisitKind.PHONE) & Q(pk__in=[])
    for county in VisitPolicy.objects.filter(phone_counts=True).values_list("county_id", flat=True):
        phone_counts |= Q(kind=VisitKind.PHONE, region_code__within=county)
    counted = in_period.filter(~Q(kind=VisitKind.PHONE) | phone_counts)
    total = 0
    total += escalation.items_complete(items=items.filter(kind=DIRECTOR_VISIT).filter(Exists(counted)))
    total += escalation.items_complete(
        items=items.filter(kind=COUNTY_VISIT).filter(
            Exists(counted.filter(Q(visitor__role=Role.COUNTY_STAFF) | Q(visitor__is_superuser=True)))
        )
    )
    total += escalation.items_complete(
        items=items.filter(kind=URGENT_VISIT).filter(
            Exists(good.filter(kind=VisitKind.HOME, created_at__gte=OuterRef("created_at")))
        )
    )
    return total


def schedules_after(*, changed: dict[Any, set[str]], on: dt.date, new: set = frozenset()) -> None:
    """A change of categories ({child id: the codes gained or lost}) re-derives the children's visits
    at once: a child newly left-behind is due a visit within the month, and the director visit that
    no longer fits is withdrawn if not yet due. Children just written in a set (``new``: an import)
    have no visits or items yet: theirs are only derived."""
    ids = [pk for pk, codes in changed.items() if codes & (rules.LISTED | rules.COUNTY_VISITED)]
    for part in _parts([pk for pk in ids if pk in new]):
        schedules_refresh(on=on, children=Child.objects.filter(pk__in=part), settle=False)
    now = timezone.now()
    for part in _parts([pk for pk in ids if pk not in new]):
        escalation.items_cancel(
            items=WorkItem.objects.filter(
                kind__in=(DIRECTOR_VISIT, COUNTY_VISIT), child_id__in=part, due_at__gte=now
            ),
            note=texts.stored("note.categories_changed"),
        )
        schedules_refresh(on=on, children=Child.objects.filter(pk__in=part))


# Visit records ------------------------------------------------------------------------------------


# What a visit observes of the child and the home; only a visit that saw someone can observe it.
OBSERVED_FIELDS = ("guardian_capable", "health", "mood", "safe", "in_school", "parent_contact")


def visit_record(
    *,
    actor: User,
    child: Child,
    data: dict[str, Any],
    idempotency_key: str | None = None,
    facts: dict[str, Any] | None = None,
) -> tuple[Visit, bool]:
    """Record a visit (or a failed attempt). Returns (visit, created); a replayed ``idempotency_key``
    returns the visit first stored under it. ``facts`` carries observations that change the registry
    (``{"fields": {...}, "parents": {...}}``), applied through the registry's own service."""
    if idempotency_key:
        existing = Visit.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.child_id != child.pk or existing.visitor_id != actor.pk:
                raise ValidationError({"idempotency_key": [_("该提交编号已用于另一条记录。")]})
            return existing, False
    if not permissions.visits.can_record(actor, child):
        raise PermissionDenied(_("您不能为该儿童登记走访。"))
    visit = Visit(
        child=child,
        visitor=actor,
        region_code=child.region_code,
        idempotency_key=idempotency_key or None,
        **data,
    )
    errors = {}
    try:
        visit.full_clean(exclude=["child", "visitor", "idempotency_key"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if visit.visited_on:
        if visit.visited_on > timezone.localdate():
            errors.setdefault("visited_on", []).append(_("走访日期不能晚于今天。"))
        elif visit.visited_on < child.birth_date:
            errors.setdefault("visited_on", []).append(_("走访日期不能早于儿童出生日期。"))
    if visit.photo and not visit.photo_consent:
        errors.setdefault("photo_consent", []).append(_("拍照需要监护人同意。"))
    if visit.outcome in FAILED_OUTCOMES:
        # Nobody was seen: whatever the form still carried about whom and what was seen is not a fact.
        visit.saw_child = visit.saw_guardian = False
        for name in OBSERVED_FIELDS:
            setattr(visit, name, "")
        visit.home_hazards = False
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            visit._history_user = actor
            visit.save()
            if facts:
                from shouhu.children import services as child_services

                child_services.child_update(
                    actor=actor, child=child, fields=facts.get("fields"), parents=facts.get("parents")
                )
            complete_satisfied(children=Child.objects.filter(pk=child.pk))
            after_facts_changed(children=[child], visits=[visit])
    except IntegrityError:
        # The same key arrived twice at once: the first one won; answer with it.
        existing = Visit.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        if existing is None:
            raise
        return existing, False
    return visit, True


def visit_record_household(
    *,
    actor: User,
    child: Child,
    data: dict[str, Any],
    children: list | None = None,
    idempotency_key: str | None = None,
    facts: dict[str, Any] | None = None,
) -> list[Visit]:
    """One visit to a home for every child in it: one record per child, in one transaction, each
    satisfying that child's due visit (and, for a failed attempt, each child's signal). ``children``
    (ids) names the children the visitor saw listed; one who has moved out of the household since is
    refused with the date, as is a child of another household. Without ``children``, every child
    living in ``child``'s household now. A child in no household is visited alone."""
    from shouhu.children.households import household_of
    from shouhu.children.models import HouseholdMember

    home = household_of(child)
    members = (
        list(
            HouseholdMember.objects.filter(household=home)
            .select_related("child")
            .order_by("-child__birth_date")
        )
        if home
        else []
    )
    current = {m.child_id: m.child for m in members if m.left_on is None and not m.child.exited_on}
    if not current:
        current = {child.pk: child}
    wanted = [str(pk) for pk in (children or [])]
    errors = []
    for m in members:
        if str(m.child_id) in wanted and m.left_on is not None and m.child_id not in current:
            errors.append(
                _("%(name)s已于 %(on)s 迁出该家庭，不能随家庭走访登记；请单独为其登记走访。")
                % {"name": m.child.name, "on": m.left_on}
            )
    known = {str(m.child_id) for m in members} | {str(child.pk)}
    if any(pk not in known for pk in wanted):
        errors.append(_("所选儿童不属于该家庭。"))
    if errors:
        raise ValidationError({"children": errors})
    chosen = [c for pk, c in current.items() if not wanted or str(pk) in wanted]
    chosen.sort(key=lambda c: c.pk != child.pk)  # the child the visitor opened first
    visits = []
    with transaction.atomic():
        for each in chosen:
            key = f"{idempotency_key[:27]}:{each.pk}" if idempotency_key else None
            visit, _created = visit_record(
                actor=actor,
                child=each,
                data=dict(data),
                idempotency_key=key,
                facts=facts if each.pk == child.pk else None,  # the file changes are the child's
            )
            visits.append(visit)
    return visits


def failed_attempts(*, child: Child, since: dt.date) -> int:
    """Failed attempts (nobody home, locked door, no answer) since a date: a signal for the risk rules."""
    return Visit.objects.filter(child=child, visited_on__gte=since, outcome__in=FAILED_OUTCOMES).count()


__all__ = [
    "policy_ensure",
    "policy_update",
    "schedules_refresh",
    "complete_satisfied",
    "visit_record",
    "failed_attempts",
    "schedules_after",
    "Outcome",
]
