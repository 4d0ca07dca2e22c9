"""What changed in a child's file, with the values, as one reader may see them (django-simple-history).

Two readings: the file page's history (who changed what, old → new: "就学情况：辍学 → 小学在读"), and,
for an edit form saved against an older version (``versioning.Stale``), what changed since the form
was opened: the field, the value in the form, the value now, who changed it and when.

A value is shown only when the reader holds the field's tier (``children.tiers`` through
``access.tiers_for``); otherwise the field is named and its values are hidden, as the file page hides
the field itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Carer, Child, Parent
from .tiers import Visibility

# Columns kept for the machine, not the reader.
NOT_SHOWN = frozenset(
    {"id", "child", "version", "updated_at", "created_at", "name_pinyin", "name_initials", "region_code"}
)
HIDDEN = object()


def _shown(field: models.Field) -> bool:
    return field.name not in NOT_SHOWN and not field.name.endswith("_hash") and field.editable


def display(field: models.Field, value: Any) -> str:
    """A stored value as the reader reads it: the choice's label, the place's name, 是/否, a date."""
    if value is HIDDEN:
        return _("（无权查看）")
    if value is None or value == "" or value == []:
        return _("（空）")
    if field.is_relation:
        pk = getattr(value, "pk", value)
        related = field.related_model._default_manager.filter(pk=pk).first()
        return str(related) if related is not None else str(pk)
    choices = dict(field.flatchoices) if field.choices else {}
    if isinstance(value, list):
        inner = getattr(field, "base_field", None)
        labels = dict(inner.flatchoices) if inner is not None and inner.choices else {}
        return pgettext("list separator", "、").join(str(labels.get(v, _label(field, v))) for v in value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:16].replace("T", " ")
    return str(choices.get(value, value))


def _label(field: models.Field, value) -> str:
    """Options stored as a list (income sources, assistance) are labelled by the form's option lists."""
    from . import options

    for name in ("INCOME_SOURCES", "ASSISTANCE"):
        labels = dict(getattr(options, name, ()) or ())
        if value in labels:
            return labels[value]
    return value


def raw(field: models.Field, value: Any) -> Any:
    """What to compare: a related record by its key."""
    if field.is_relation:
        return getattr(value, "pk", value)
    return value


def label(model, name: str, prefix: str = "") -> str:
    text = str(model._meta.get_field(name).verbose_name)
    return f"{prefix} · {text}" if prefix else text


# --- the file page's history ------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


def field_changes(record, before, model, part: str, seen: Visibility) -> list[FieldChange]:
    """The fields a history record changed against the one before it, with their values as ``seen``
    may read them."""
    out = []
    for change in record.diff_against(before).changes:
        field = model._meta.get_field(change.field)
        if not _shown(field):
            continue
        visible = seen.sees(part, field.name)
        out.append(
            FieldChange(
                str(field.verbose_name),
                display(field, change.old if visible else HIDDEN),
                display(field, change.new if visible else HIDDEN),
            )
        )
    return out


# --- what changed since a form was opened -----------------------------------------------------------


@dataclass
class Conflict:
    """One field saved by someone else since the form was opened."""

    key: str  # as the service names it: "schooling", "parents.father.phone", "carer.name"
    label: str
    mine: str
    theirs: str
    who: Any
    when: Any
    untouched: bool  # the form still holds the value it was opened with: taking theirs loses nothing


def changes_since(*, child: Child, version: int, mine: dict[str, Any], seen: Visibility) -> list[Conflict]:
    """The fields of the child, the parents and the carer saved since ``version`` of ``child`` (read
    from the history), compared with ``mine`` (the form's service arguments: ``fields``, ``parents``,
    ``carer``). A field the form does not hold (another part of the file) is listed too, with the value
    the form would have written left as it is now."""
    history = child.history.filter(id=child.pk)
    base = history.filter(version=version).order_by("-history_date").first()
    since = base.history_date if base is not None else None
    rows: list[Conflict] = []
    later = list(
        history.filter(version__gt=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    rows += _part_conflicts(
        model=Child,
        part="child",
        prefix="",
        key="",
        base=base,
        current=child,
        later=later,
        mine=mine.get("fields") or {},
        seen=seen,
    )
    parents = {p.role: p for p in child.parents.all()}
    for role, role_label in Parent._meta.get_field("role").flatchoices:
        current = parents.get(role)
        records = Parent.history.filter(child_id=child.pk, role=role)
        rows += _nested(
            model=Parent,
            part="parent",
            prefix=str(role_label),
            key=f"parents.{role}.",
            records=records,
            since=since,
            current=current,
            mine=(mine.get("parents") or {}).get(role) or {},
            seen=seen,
        )
    rows += _nested(
        model=Carer,
        part="carer",
        prefix=_("受委托照料人"),
        key="carer.",
        records=Carer.history.filter(child_id=child.pk),
        since=since,
        current=getattr(child, "carer", None) if Carer.objects.filter(child_id=child.pk).exists() else None,
        mine=mine.get("carer") or {},
        seen=seen,
    )
    return rows


def _nested(*, model, part, prefix, key, records, since, current, mine, seen) -> list[Conflict]:
    if since is None:
        base = None
        later = list(records.select_related("history_user").order_by("history_date", "history_id"))
    else:
        base = records.filter(history_date__lte=since).order_by("-history_date", "-history_id").first()
        later = list(
            records.filter(history_date__gt=since)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
    if not later:
        return []
    return _part_conflicts(
        model=model,
        part=part,
        prefix=prefix,
        key=key,
        base=base,
        current=current,
        later=later,
        mine=mine,
        seen=seen,
    )


def _part_conflicts(*, model, part, prefix, key, base, current, later, mine, seen) -> list[Conflict]:
    rows = []
    for field in model._meta.concrete_fields:
        if not _shown(field):
            continue
        now = raw(field, getattr(current, field.attname)) if current is not None else None
        was = raw(field, getattr(base, field.attname, None)) if base is not None else None
        if base is not None and was == now:
            continue
        # Who last set the field to its present value, after the form's version.
        who = when = None
        previous = was
        for record in later:
            value = raw(field, getattr(record, field.attname, None))
            if value != previous:
                who, when = record.history_user, record.history_date
            previous = value
        if base is None and who is None:
            continue
        in_form = field.name in mine
        form_value = raw(field, mine[field.name]) if in_form else now
        if base is None and form_value == now:
            continue
        visible = seen.sees(part, field.name)
        rows.append(
            Conflict(
                key=f"{key}{field.name}",
                label=label(model, field.name, prefix),
                mine=display(field, form_value if visible else HIDDEN) if in_form else "—",
                theirs=display(field, now if visible else HIDDEN),
                who=who,
                when=when,
                untouched=(not in_form) or (base is not None and form_value == was),
            )
        )
    return rows


def take_theirs(arguments: dict[str, Any], *, child: Child, keys) -> dict[str, Any]:
    """``arguments`` (the form's service arguments) with the saved value of each field in ``keys``
    (the fields the user chose to take as they are now)."""
    parents = {p.role: p for p in child.parents.all()}
    carer = Carer.objects.filter(child_id=child.pk).first()
    for key in keys:
        head, _dot, rest = key.partition(".")
        if not rest:
            if head in {f.name for f in Child._meta.concrete_fields if _shown(f)}:
                arguments.setdefault("fields", {})[head] = getattr(child, head)
        elif head == "parents":
            role, _dot, name = rest.partition(".")
            part = (arguments.get("parents") or {}).get(role)
            if part is not None and role in parents and hasattr(parents[role], name):
                part[name] = getattr(parents[role], name)
        elif head == "carer" and arguments.get("carer") and carer is not None and hasattr(carer, rest):
            arguments["carer"][rest] = getattr(carer, rest)
    return arguments
