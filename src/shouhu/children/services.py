"""Every write to the registry: register, update, re-classify. Each runs in one transaction and
checks the actor's rights through ``accounts.access``; views, API, jobs and commands call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouhu.accounts import access

from . import classify, names
from .models import Carer, CategoryEvent, Child, ChildCategory, NameToken, Parent, RescueContact
from .options import ExitReason, ParentRole
from .signals import categories_changed, child_changed

NESTED = ("parents", "carer", "contacts")


def _prefixed(prefix: str, exc: ValidationError) -> ValidationError:
    return ValidationError(
        {f"{prefix}.{k}" if k != "__all__" else prefix: v for k, v in exc.message_dict.items()}
    )


def facts_of(child: Child) -> classify.ChildFacts:
    parents = {p.role: p for p in child.parents.all()}

    def pf(role: str) -> classify.ParentFacts | None:
        p = parents.get(role)
        if p is None:
            return None
        return classify.ParentFacts(
            situation=p.situation,
            since=p.situation_since,
            until=p.situation_until,
            police_report_date=p.police_report_date,
            disability_type=p.disability_type,
            disability_grade=p.disability_grade,
        )

    return classify.ChildFacts(
        birth_date=child.birth_date,
        hukou_type=child.hukou_type,
        household_registered=child.household_registered,
        village_is_community=bool(child.village and child.village.is_community),
        father=pf(ParentRole.FATHER),
        mother=pf(ParentRole.MOTHER),
        living_arrangement=child.living_arrangement,
        guardianship_concern=child.guardianship_concern,
        health=child.health,
        schooling=child.schooling,
        assistance=tuple(child.assistance or ()),
        exited_on=child.exited_on,
    )


def child_reclassify(*, child: Child, on: dt.date | None = None, actor=None) -> tuple[set[str], set[str]]:
    """Apply the categories ``classify`` derives for ``on``; record each gain and loss with its reason.

    Also exits a child on the 18th birthday. Returns (gained, lost) category codes.
    """
    on = on or timezone.localdate()
    # Reasons are stored data: written in the registry's language whatever the actor's interface.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if not child.exited_on and child.age_on(on) >= classify.CHILD_AGE_LIMIT:
            child.exited_on = child.turns_adult_on
            child.exit_reason = ExitReason.AGED_OUT
            child.save(
                update_fields=["exited_on", "exit_reason", "region_code", "name_pinyin", "name_initials"]
            )
        derived = classify.classify(facts_of(child), on)
        current = {m.category_id: m for m in child.categories.filter(category__derived=True)}
        gained = set(derived) - set(current)
        lost = set(current) - set(derived)
        for code in gained:
            ChildCategory.objects.create(child=child, category_id=code, since=on, reason=derived[code])
            CategoryEvent.objects.create(
                child=child, category_id=code, gained=True, on=on, reason=derived[code], recorded_by=actor
            )
        for code in set(derived) & set(current):
            if current[code].reason != derived[code]:
                current[code].reason = derived[code]
                current[code].save(update_fields=["reason"])
        for code in lost:
            current[code].delete()
            CategoryEvent.objects.create(
                child=child,
                category_id=code,
                gained=False,
                on=on,
                reason=_lost_reason(child, code, on),
                recorded_by=actor,
            )
        if gained or lost:
            categories_changed.send(sender=Child, child=child, gained=gained, lost=lost, on=on)
    return gained, lost


def _lost_reason(child: Child, code: str, on: dt.date) -> str:
    age = child.age_on(on)
    if child.exited_on and child.exited_on <= on:
        return f"退出登记：{child.get_exit_reason_display()}"
    if code == classify.LEFT_BEHIND and age >= classify.LEFT_BEHIND_AGE_LIMIT:
        return "年满16周岁"
    if code == classify.DROPOUT and age not in classify.COMPULSORY_SCHOOL_AGES:
        return f"已满{age}周岁，超出义务教育年龄"
    return "认定条件不再满足（信息变更）"


def reclassify_all(*, on: dt.date | None = None, batch_size: int = 500) -> dict[str, int]:
    """The daily job: apply the changes that time alone causes (birthdays, terms of months)."""
    on = on or timezone.localdate()
    counts = {"children": 0, "gained": 0, "lost": 0}
    qs = (
        Child.objects.filter(exited_on__isnull=True)
        .select_related("village")
        .prefetch_related("parents", "categories")
        .order_by("pk")
    )
    last = None
    while True:
        page = list((qs.filter(pk__gt=last) if last else qs)[:batch_size])
        if not page:
            break
        for child in page:
            gained, lost = child_reclassify(child=child, on=on)
            counts["children"] += 1
            counts["gained"] += len(gained)
            counts["lost"] += len(lost)
        last = page[-1].pk
    return counts


def _index_name(child: Child) -> None:
    NameToken.objects.filter(child=child).delete()
    NameToken.objects.bulk_create([NameToken(child=child, token=t) for t in sorted(names.tokens(child.name))])


def _apply_nested(
    child: Child,
    parents: dict[str, dict[str, Any]] | None,
    carer: dict[str, Any] | None,
    contacts: Iterable[dict[str, Any]] | None,
    errors: dict,
) -> list:
    """Build (not yet save) the nested records, collecting their validation errors under prefixes."""
    to_save: list = []
    if parents is not None:
        existing = {p.role: p for p in child.parents.all()} if not child._state.adding else {}
        for role, data in parents.items():
            if role not in ParentRole.values:
                errors[f"parents.{role}"] = [_("父母只能是 father 或 mother。")]
                continue
            parent = existing.get(role) or Parent(child=child, role=role)
            for k, v in data.items():
                setattr(parent, k, v)
            try:
                parent.full_clean(exclude=["child"])
            except ValidationError as exc:
                errors.update(_prefixed(f"parents.{role}", exc).message_dict)
            to_save.append(parent)
    if carer is not None:
        existing_carer = getattr(child, "carer", None) if not child._state.adding else None
        if carer:
            obj = existing_carer or Carer(child=child)
            for k, v in carer.items():
                setattr(obj, k, v)
            try:
                obj.full_clean(exclude=["child"])
            except ValidationError as exc:
                errors.update(_prefixed("carer", exc).message_dict)
            to_save.append(obj)
        elif existing_carer:
            to_save.append(("delete", existing_carer))
    if contacts is not None:
        to_save.append(("replace_contacts", None))
        for i, data in enumerate(contacts):
            obj = RescueContact(child=child, **data)
            try:
                obj.full_clean(exclude=["child"])
            except ValidationError as exc:
                errors.update(_prefixed(f"contacts.{i}", exc).message_dict)
            to_save.append(obj)
    return to_save


def _save(child: Child, to_save: list, *, actor, created: bool) -> Child:
    child.save()
    for item in to_save:
        if isinstance(item, tuple):
            action, obj = item
            if action == "delete":
                obj._history_user = actor
                obj.delete()
            elif action == "replace_contacts":
                for contact in child.contacts.all():
                    contact._history_user = actor
                    contact.delete()
            continue
        item.child = child
        item._history_user = actor
        item.save()
    _index_name(child)
    child_reclassify(child=child, actor=actor)
    child_changed.send(sender=Child, child=child, actor=actor)
    return child


def child_register(
    *,
    actor,
    fields: dict[str, Any],
    parents: dict[str, dict[str, Any]] | None = None,
    carer: dict[str, Any] | None = None,
    contacts: Iterable[dict[str, Any]] | None = None,
) -> Child:
    """Register a child with parents, carer and rescue contacts, all or nothing."""
    if not access.can_create_children(actor):
        raise PermissionDenied(_("您没有登记儿童的权限。"))
    child = Child(**fields)
    return _validate_and_save(
        child, actor=actor, parents=parents, carer=carer, contacts=contacts, created=True
    )


def child_update(
    *,
    actor,
    child: Child,
    fields: dict[str, Any] | None = None,
    parents: dict[str, dict[str, Any]] | None = None,
    carer: dict[str, Any] | None = None,
    contacts: Iterable[dict[str, Any]] | None = None,
) -> Child:
    """Change a child's record. ``None`` for a nested part leaves it as it is."""
    if not access.can_edit(actor, child):
        raise PermissionDenied(_("您没有修改该儿童信息的权限。"))
    for k, v in (fields or {}).items():
        setattr(child, k, v)
    return _validate_and_save(
        child, actor=actor, parents=parents, carer=carer, contacts=contacts, created=False
    )


def _validate_and_save(child: Child, *, actor, parents, carer, contacts, created: bool) -> Child:
    errors: dict[str, list[str]] = {}
    try:
        child.full_clean(validate_unique=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    region_code = child.village_id or child.found_region_id
    if region_code and not access.can_register_in(actor, region_code) and "village" not in errors:
        field = "village" if child.village_id else "found_region"
        errors[field] = [_("该村/社区不在您的管辖范围内。")]
    to_save = _apply_nested(child, parents, carer, contacts, errors)
    if errors:
        raise ValidationError(errors)
    child._history_user = actor
    with transaction.atomic():
        return _save(child, to_save, actor=actor, created=created)


def child_set_local_categories(*, actor, child: Child, codes: Iterable[str], reason: str) -> None:
    """Provinces add local categories (e.g. 困境边缘儿童) as ``Category(derived=False)`` rows; staff
    assign them by hand with a reason. National categories are never set here: ``classify`` owns them."""
    from .models import Category

    if not access.can_edit(actor, child):
        raise PermissionDenied(_("您没有修改该儿童信息的权限。"))
    codes = set(codes)
    local = {c.code: c for c in Category.objects.filter(derived=False)}
    unknown = codes - set(local)
    if unknown:
        raise ValidationError(
            {"categories": [_("不是可手工认定的地方类别：%s") % "、".join(sorted(unknown))]}
        )
    if not reason.strip():
        raise ValidationError({"reason": [_("请说明认定依据。")]})
    today = timezone.localdate()
    with transaction.atomic():
        current = {m.category_id: m for m in child.categories.filter(category__derived=False)}
        for code in codes - set(current):
            ChildCategory.objects.create(child=child, category_id=code, since=today, reason=reason)
            CategoryEvent.objects.create(
                child=child, category_id=code, gained=True, on=today, reason=reason, recorded_by=actor
            )
        for code in set(current) - codes:
            current[code].delete()
            CategoryEvent.objects.create(
                child=child, category_id=code, gained=False, on=today, reason=reason, recorded_by=actor
            )
