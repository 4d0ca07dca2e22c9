"""Every write to the registry: register, update, re-classify. Each runs in one transaction and
checks the actor's rights through ``accounts.access``; views, API, jobs and commands call these."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouhu import versioning
from shouhu.accounts import access

from . import after, classify, crypto, households, names
from .models import Carer, CategoryEvent, Child, ChildCategory, NameToken, Parent, RescueContact
from .options import ExitReason, ParentRole

NESTED = ("parents", "carer", "contacts")


def _prefixed(prefix: str, exc: ValidationError) -> ValidationError:
    return ValidationError(
        {f"{prefix}.{k}" if k != "__all__" else prefix: v for k, v in exc.message_dict.items()}
    )


def facts_of(child: Child, parents: Iterable[Parent] | None = None) -> classify.ChildFacts:
    """The facts ``classify`` reads; ``parents`` in memory (a write in sets) or the stored ones."""
    parents = {p.role: p for p in (child.parents.all() if parents is None else parents)}

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

    Also exits a child on the 18th birthday. What depends on the categories follows
    (``after.after_facts_changed``), the rules apart: only the day changed. Returns (gained, lost)
    category codes."""
    on = on or timezone.localdate()
    gained, lost = _reclassify(child, on=on, actor=actor)
    _after_reclassify([child], {child.pk: (gained, lost)} if gained or lost else {}, on=on)
    return gained, lost


def _after_reclassify(children: list[Child], changed: dict, *, on: dt.date) -> None:
    """The after-change step for the children whose categories changed or who turned 18."""
    touched = [c for c in children if c.pk in changed or c.exited_on]
    if touched:
        after.after_facts_changed(children=touched, on=on, recategorised=changed, evaluate=False)


def _reclassify(child: Child, *, on: dt.date, actor=None) -> tuple[set[str], set[str]]:
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
    return gained, lost


def _lost_reason(child: Child, code: str, on: dt.date) -> str:
    age = child.age_on(on)
    if child.exited_on and child.exited_on <= on:
        with translation.override(settings.LANGUAGE_CODE):  # stored: the registry's language
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
        changed = {}
        for child in page:
            gained, lost = _reclassify(child, on=on)
            if gained or lost:
                changed[child.pk] = (gained, lost)
            counts["children"] += 1
            counts["gained"] += len(gained)
            counts["lost"] += len(lost)
        _after_reclassify(page, changed, on=on)
        last = page[-1].pk
    return counts


def _index_name(child: Child) -> None:
    NameToken.objects.filter(child=child).delete()
    NameToken.objects.bulk_create(
        [
            NameToken(child=child, token=t, region_code=child.region_code)
            for t in sorted(names.tokens(child.name))
        ]
    )


def _not_given(model, data) -> list[str]:
    """The fields to leave out of ``full_clean`` for a write in sets: the foreign keys the caller
    resolved, and the fields ``data`` does not give that are optional or have a default (they hold
    that default, or for a stored record the value stored)."""
    return _not_given_keys(model, frozenset(data))


@functools.cache
def _not_given_keys(model, given: frozenset) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation or (f.name not in given and (f.has_default() or f.blank or f.null))
    ]


def _apply_nested(
    child: Child,
    parents: dict[str, dict[str, Any]] | None,
    carer: dict[str, Any] | None,
    contacts: Iterable[dict[str, Any]] | None,
    errors: dict,
    *,
    in_sets: bool = False,
    checked: bool = False,
) -> list:
    """Build (not yet save) the nested records, collecting their validation errors under prefixes.

    ``in_sets`` (``child_prepare``) leaves out the database checks of uniqueness (the records are
    new with random keys, one per role, which the caller guarantees) and, as a ModelForm leaves out
    the fields it does not show, the optional or defaulted fields the data does not give.
    ``checked`` (values a dry run validated) runs the models' ``clean`` only."""

    def clean(obj, data) -> None:
        if checked:
            obj.clean()
        elif in_sets:
            obj.full_clean(
                exclude=_not_given(type(obj), data), validate_unique=False, validate_constraints=False
            )
        else:
            obj.full_clean(exclude=["child"])

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
                clean(parent, data)
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
                clean(obj, carer)
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
                clean(obj, data)
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
    left = [] if created else households.leave_moved(child_ids=[child.pk])
    households.link(child_ids=[child.pk])
    on = timezone.localdate()
    gained, lost = _reclassify(child, on=on, actor=actor)
    after.after_facts_changed(
        children=[child], on=on, actor=actor, recategorised={child.pk: (gained, lost)}, left=left
    )
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
    expected_version: int | None = None,
) -> Child:
    """Change a child's record. ``None`` for a nested part leaves it as it is.

    The change is applied to the record as saved, read again and locked (``versioning.locked``): a
    field the caller does not send keeps its saved value even if someone saved it a moment ago, and
    with ``expected_version`` (the form's hidden field, the API's If-Match) a record saved since
    raises ``versioning.Stale`` with nothing written, re-classified or evaluated."""
    if not access.can_edit(actor, child):
        raise PermissionDenied(_("您没有修改该儿童信息的权限。"))
    with transaction.atomic():
        versioning.locked(child, expected=expected_version)
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


# Writes in sets (imports) ----------------------------------------------------------------------------

# The columns ``Child.save`` fills from others; a write in sets skips ``save`` and fills them here.
_DERIVED_COLUMNS = ("region_code", "name_pinyin", "name_initials", "updated_at")


def child_prepare(
    *,
    actor,
    fields: dict[str, Any],
    parents: dict[str, dict[str, Any]] | None = None,
    carer: dict[str, Any] | None = None,
    child: Child | None = None,
    checked: bool = False,
) -> tuple[Child, list, dict[str, list[str]]]:
    """Validate one child for ``children_write``: the checks of ``child_register`` / ``child_update``
    (the models' ``full_clean``, the right to place the child in its village, the nested records),
    without a query per row. Returns (child, nested records, errors by field path).

    ``checked``: these very values passed ``full_clean`` in a dry run moments ago (an import's
    check), so each field's own validators are not run again; the models' ``clean`` still is (it
    normalises the values, and reads the date), and so is the right to place the child.

    Left to the caller, who does them for a whole set at once: that the ID number is on no other
    child (``Child.validate_unique``), that the village exists (the caller passes a ``Region`` it
    looked up), and for an existing ``child`` the right to edit it and its parents and carer fetched
    beforehand (``prefetch_related("parents")``, ``select_related("carer")``)."""
    if child is None:
        child = Child(**fields)
    else:
        for k, v in fields.items():
            setattr(child, k, v)
    errors: dict[str, list[str]] = {}
    try:
        if checked:
            child.clean()
        else:
            child.full_clean(
                exclude=_not_given(Child, fields), validate_unique=False, validate_constraints=False
            )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    region_code = child.village_id or child.found_region_id
    if region_code and not access.can_register_in(actor, region_code) and "village" not in errors:
        errors["village" if child.village_id else "found_region"] = [_("该村/社区不在您的管辖范围内。")]
    nested = _apply_nested(child, parents, carer, None, errors, in_sets=True, checked=checked)
    if any(isinstance(item, tuple) for item in nested):
        errors.setdefault("carer", []).append(_("导入不能删除受委托照料人。"))
    return child, nested, errors


def _insert(model, objs: list, *, history: dict | None = None, rows: bool = True) -> None:
    """Insert ``objs`` (``rows``) and, with ``history`` (type, user, date), one history entry each.

    On PostgreSQL through COPY: each value is prepared by its field as ``bulk_create`` would prepare
    it (``pre_save``, ``get_db_prep_save``: the keyed hash computed, the number encrypted), and the
    history entry reuses the values prepared for its row, so an ID number is encrypted once, not
    twice; ``bulk_create``, which quotes every value in Python, spent most of an import's time.
    Elsewhere (SQLite), ``bulk_create`` and simple_history's ``bulk_history_create``."""
    if not objs:
        return

    if connection.vendor != "postgresql":
        if rows:
            model.objects.bulk_create(objs, batch_size=1000)
        if history:
            model.history.bulk_history_create(
                objs,
                batch_size=1000,
                update=history["type"] == "~",
                default_user=history["user"],
                default_date=history["date"],
                default_change_reason=None,
            )
        return
    fields = _insertable(model)
    plain = [(f.attname, f) for f in fields if _plain(f)]
    other = [(f.attname, f) for f in fields if not _plain(f)]
    prepared = []
    for obj in objs:
        values = {name: getattr(obj, name) for name, _f in plain}
        for name, f in other:
            values[name] = f.get_db_prep_save(f.pre_save(obj, True), connection)
        prepared.append(values)
    if rows:
        _copy(
            model._meta.db_table,
            [f.column for f in fields],
            ([v[f.attname] for f in fields] for v in prepared),
        )
        for obj in objs:
            obj._state.adding, obj._state.db = False, "default"
    if history:
        hmodel = model.history.model
        tracked = {f.attname for f in hmodel.tracked_fields}
        hfields = _insertable(hmodel)
        given = {
            "history_date": history["date"],
            "history_change_reason": None,
            "history_type": history["type"],
            "history_user_id": getattr(history["user"], "pk", None),
        }
        extra = {
            f.attname: f.get_db_prep_save(given[f.attname], connection) for f in hfields if f.attname in given
        }
        _copy(
            hmodel._meta.db_table,
            [f.column for f in hfields],
            ([v[f.attname] if f.attname in tracked else extra[f.attname] for f in hfields] for v in prepared),
        )


# Fields whose Python value psycopg sends as it is: no preparing, no ``pre_save`` (exact types:
# ``EncryptedCharField`` is a ``CharField`` that encrypts, ``KeyedHashField`` one that hashes).
_PLAIN_TYPES = (
    "CharField",
    "TextField",
    "DateField",
    "BooleanField",
    "UUIDField",
    "IntegerField",
    "SmallIntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
)


def _plain(field) -> bool:
    if field.is_relation:
        field = field.target_field
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return False
    return type(field).__module__ == "django.db.models.fields" and type(field).__name__ in _PLAIN_TYPES


def _insertable(model) -> list:
    from django.db.models import AutoField, BigAutoField

    return [f for f in model._meta.concrete_fields if not isinstance(f, AutoField | BigAutoField)]


def _copy(table: str, columns: list[str], rows) -> None:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def children_write(
    *,
    actor,
    created: list[tuple[Child, list]],
    updated: list[tuple[Child, list]],
    child_fields: Iterable[str] = (),
    on: dt.date | None = None,
    batch_size: int = 1000,
) -> dict[Any, tuple[set[str], set[str]]]:
    """Write children prepared by ``child_prepare`` in sets, leaving what ``child_register`` and
    ``child_update`` leave one at a time: the rows, one history entry per saved record (by
    ``actor``), the name index, and the derived categories with their events, reasons from
    ``classify`` and losses explained as ``child_reclassify`` explains them. ``child_fields`` names
    the fields an update may have changed.

    Nothing is done per child (what makes a write one at a time slow): the caller runs
    ``after.after_facts_changed`` for the whole set. Returns {child id: (gained, lost)} of the
    children whose categories changed."""
    on = on or timezone.localdate()
    now = timezone.now()
    added = {"type": "+", "user": actor, "date": now}
    changed = {"type": "~", "user": actor, "date": now}
    new_children = [child for child, _nested in created]
    old_children = [child for child, _nested in updated]
    for child in (*new_children, *old_children):
        child.region_code = child.village_id or child.found_region_id or ""
        child.name_pinyin = names.pinyin(child.name)
        child.name_initials = names.initials(child.name)
        child.updated_at = now
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        _insert(Child, new_children, history=added)
        if old_children:
            for child in old_children:
                child.version += 1  # bulk_update does not run Versioned.save
            fields = sorted(
                {*child_fields, *_DERIVED_COLUMNS, "version"} - {"id", "id_number", "id_number_hash"}
            )
            Child.objects.bulk_update(old_children, fields, batch_size=batch_size)
            _insert(Child, old_children, history=changed, rows=False)
        for model in (Parent, Carer):
            fresh, kept = [], []
            for _child, nested in (*created, *updated):
                for record in nested:
                    if isinstance(record, model):
                        record.child_id = record.child.pk
                        (fresh if record._state.adding else kept).append(record)
            _insert(model, fresh, history=added)
            if kept:
                for record in kept:
                    record.id_number_hash = crypto.keyed_hash(record.id_number)  # bulk_update skips pre_save
                fields = [
                    f.name for f in model._meta.concrete_fields if not f.primary_key and f.name != "child"
                ]
                model.objects.bulk_update(kept, fields, batch_size=batch_size)
                _insert(model, kept, history=changed, rows=False)
        if old_children:
            NameToken.objects.filter(child_id__in=[c.pk for c in old_children]).delete()
        tokens = [
            (c.pk, t, c.region_code)
            for c in (*new_children, *old_children)
            for t in sorted(names.tokens(c.name))
        ]
        if connection.vendor == "postgresql":
            _copy(NameToken._meta.db_table, ["child_id", "token", "region_code"], tokens)
        else:
            NameToken.objects.bulk_create(
                [NameToken(child_id=c, token=t, region_code=r) for c, t, r in tokens], batch_size=5000
            )
        return _reclassify_set(
            actor=actor, created=created, updated=updated, on=on, now=now, batch_size=batch_size
        )


def _reclassify_set(*, actor, created, updated, on: dt.date, now, batch_size: int) -> dict:
    """``child_reclassify`` for a set of children whose parents are in memory."""
    ids = [child.pk for child, _nested in updated]
    current: dict[Any, dict[str, ChildCategory]] = {}
    for i in range(0, len(ids), 5000):
        for m in ChildCategory.objects.filter(child_id__in=ids[i : i + 5000], category__derived=True):
            current.setdefault(m.child_id, {})[m.category_id] = m
    memberships, events, reasons, lost_ids = [], [], [], []
    changed: dict[Any, tuple[set[str], set[str]]] = {}
    for (child, nested), stored in [*((b, False) for b in created), *((b, True) for b in updated)]:
        # Parents changed or added by the write come from ``nested``, the others from the database.
        parents = {p.role: p for p in child.parents.all()} if stored else {}
        parents.update({p.role: p for p in nested if isinstance(p, Parent)})
        derived = classify.classify(facts_of(child, parents.values()), on)
        held = current.get(child.pk, {})
        gained, lost = set(derived) - set(held), set(held) - set(derived)
        for code in sorted(gained):
            memberships.append(
                ChildCategory(child_id=child.pk, category_id=code, since=on, reason=derived[code])
            )
            events.append(
                CategoryEvent(
                    child_id=child.pk,
                    category_id=code,
                    gained=True,
                    on=on,
                    reason=derived[code],
                    recorded_by=actor,
                    recorded_at=now,
                )
            )
        for code in set(derived) & set(held):
            if held[code].reason != derived[code]:
                held[code].reason = derived[code]
                reasons.append(held[code])
        for code in sorted(lost):
            lost_ids.append(held[code].pk)
            events.append(
                CategoryEvent(
                    child_id=child.pk,
                    category_id=code,
                    gained=False,
                    on=on,
                    reason=_lost_reason(child, code, on),
                    recorded_by=actor,
                    recorded_at=now,
                )
            )
        if gained or lost:
            changed[child.pk] = (gained, lost)
    if lost_ids:
        ChildCategory.objects.filter(pk__in=lost_ids).delete()
    _insert(ChildCategory, memberships)
    _insert(CategoryEvent, events)
    if reasons:
        ChildCategory.objects.bulk_update(reasons, ["reason"], batch_size=batch_size)
    return changed
