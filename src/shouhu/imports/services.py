"""Importing a register: a dry run that reports every problem by row and column, then the commit.

Both run the same code inside one transaction; the dry run always rolls back, the commit rolls back if
any row has a problem, so an interrupted or refused import leaves the registry as it was. Every row
goes through the registry's services (validation, classification, history), so an imported child is
exactly as if typed in. Existing children are matched by ID number, or — without one — by name, birth
date and village, which a person confirms row by row. A row whose values are already stored is left
alone: importing the same file twice adds no child and no history row. The risk rules of the imported
children are evaluated together afterwards through their batch path.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouhu.accounts import access
from shouhu.children import services as registry
from shouhu.children.models import Carer, Child, Parent
from shouhu.children.signals import batched
from shouhu.regions.models import Region

from .columns import DASHES, CellError, Column, parse_cell
from .reader import SheetError, open_sheet

NEW, UPDATE, UNCHANGED, CONFIRM, SKIPPED = "new", "update", "unchanged", "confirm", "skipped"
MAX_PROBLEMS = 1000


@dataclass
class Problem:
    row: int
    column: str
    message: str


@dataclass
class Result:
    counts: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    confirm: list[dict[str, Any]] = field(default_factory=list)  # rows matched without an ID number
    unknown_columns: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def import_register(
    *, actor, upload, commit: bool = False, confirmed: frozenset[int] = frozenset()
) -> Result:
    """Read ``upload`` and register or update its children. ``confirmed`` holds the row numbers whose
    match by name, birth date and village a person confirmed; unconfirmed matches are skipped."""
    if not access.can_create_children(actor):
        raise PermissionDenied(_("您没有登记儿童的权限。"))
    result = Result()
    try:
        sheet = open_sheet(upload)
    except SheetError as exc:
        result.problems.append(Problem(0, "", str(exc)))
        return result
    result.unknown_columns = sheet.unknown
    header_of = {c.key: sheet.headers[pos] for pos, c in sheet.columns.items()}
    missing = [c.header for c in _required() if c.key not in header_of]
    if missing:
        result.problems.append(Problem(sheet.first_row - 1, "", _("缺少必填列：%s") % "、".join(missing)))
        return result
    places = _Places(actor)
    seen: dict[str, int] = {}
    with transaction.atomic(), batched() as changed:
        try:
            for number, values in sheet.rows:
                if not any(v not in (None, "") for v in values):
                    continue
                if len(result.problems) >= MAX_PROBLEMS:
                    break
                _row(actor, sheet, number, values, header_of, places, seen, confirmed, result)
        except SheetError as exc:
            result.problems.append(Problem(0, "", str(exc)))
        if commit and result.ok:
            from shouhu.cases import services as rules

            rules.evaluate_children(children=sorted(changed))
            result.committed = True
        else:
            transaction.set_rollback(True)
    return result


def _required() -> list[Column]:
    from .columns import COLUMNS

    return [c for c in COLUMNS if c.required]


def _row(actor, sheet, number, values, header_of, places, seen, confirmed, result: Result) -> None:
    data: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    bad = False
    for pos, column in sheet.columns.items():
        value = values[pos] if pos < len(values) else None
        raw[column.key] = value
        try:
            data[column.key] = parse_cell(column, value)
        except CellError as exc:
            result.problems.append(Problem(number, sheet.headers[pos], str(exc)))
            bad = True
    for column in _required():
        if not data.get(column.key) and column.key in header_of:
            result.problems.append(Problem(number, header_of[column.key], _("必填。")))
            bad = True
    for role in ("father", "mother"):  # "—" for a parent's name: deceased (the 2016 form's convention)
        if str(raw.get(f"{role}.name") or "").strip() in DASHES and not data.get(f"{role}.situation"):
            data[f"{role}.situation"] = "deceased"
    village, error = places.village(data)
    if error:
        column = header_of.get("village") or header_of.get("village_code") or header_of.get("township") or ""
        result.problems.append(Problem(number, column, error))
        bad = True
    id_number = data.get("id_number") or ""
    if id_number:
        if id_number in seen:
            result.problems.append(
                Problem(number, header_of["id_number"], _("与第 %s 行的身份证号码重复。") % seen[id_number])
            )
            bad = True
        seen.setdefault(id_number, number)
    if bad:
        return
    fields, parents, carer = _shape(data, village)
    try:
        existing, how = _match(actor, fields)
        if existing is not None and how == "name" and number not in confirmed:
            result.confirm.append(
                {"row": number, "name": existing.name, "birth_date": existing.birth_date, "pk": existing.pk}
            )
            result.counts[CONFIRM] += 1
            return
        with transaction.atomic():
            if existing is None:
                registry.child_register(actor=actor, fields=fields, parents=parents, carer=carer)
                result.counts[NEW] += 1
            elif _unchanged(existing, fields, parents, carer):
                result.counts[UNCHANGED] += 1
            else:
                registry.child_update(
                    actor=actor, child=existing, fields=fields, parents=parents, carer=carer
                )
                result.counts[UPDATE] += 1
    except PermissionDenied as exc:
        result.problems.append(Problem(number, header_of.get("village", ""), str(exc)))
    except ValidationError as exc:
        for key, messages in _flat(exc).items():
            result.problems.append(Problem(number, _column_for(key, header_of), "；".join(messages)))


def _shape(data: dict[str, Any], village: Region) -> tuple[dict, dict, dict | None]:
    fields = {
        k: data[k]
        for k in (
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "id_number",
            "address",
            "hukou_type",
            "health",
            "schooling",
            "grade",
            "living_arrangement",
        )
        if data.get(k) not in (None, "")
    }
    fields["village"] = village
    parents = {}
    for role in ("father", "mother"):
        person = {
            k: data[f"{role}.{k}"]
            for k in ("name", "phone", "id_number", "situation", "work_place")
            if data.get(f"{role}.{k}") not in (None, "")
        }
        if person:
            parents[role] = person
    carer = {
        k: data[f"carer.{k}"]
        for k in ("name", "phone", "id_number", "relation", "address")
        if data.get(f"carer.{k}") not in (None, "")
    }
    return fields, parents, (carer or None)


def _match(actor, fields: dict) -> tuple[Child | None, str]:
    if fields.get("id_number"):
        child = Child.objects.filter(id_number=fields["id_number"]).first()
        if child is not None and not access.can_edit(actor, child):
            raise PermissionDenied(_("该身份证号码的儿童已在您管辖范围以外登记，请联系其所在地核实。"))
        return child, "id"
    child = (
        access.children_visible_to(actor)
        .filter(name=fields["name"], birth_date=fields["birth_date"], village=fields["village"])
        .first()
    )
    return child, "name"


def _unchanged(child: Child, fields: dict, parents: dict, carer: dict | None) -> bool:
    for k, v in fields.items():
        if (child.village_id != v.pk) if k == "village" else (getattr(child, k) != v):
            return False
    stored = {p.role: p for p in Parent.objects.filter(child=child)}
    for role, person in parents.items():
        p = stored.get(role)
        if p is None or any(getattr(p, k) != v for k, v in person.items()):
            return False
    if carer:
        c = Carer.objects.filter(child=child).first()
        if c is None or any(getattr(c, k) != v for k, v in carer.items()):
            return False
    return True


def _flat(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"": exc.messages}


def _column_for(key: str, header_of: dict[str, str]) -> str:
    """The sheet's header for a service's error key (``id_number``, ``parents.father.phone`` …)."""
    key = key.replace("parents.", "").replace("carer.", "carer.")
    for candidate in (key, key.replace("__all__", ""), key.split(".")[-1]):
        if candidate in header_of:
            return header_of[candidate]
    return key


class _Places:
    """Villages named in the sheet, looked up once each: a code, or a township and a village together
    (village names repeat across townships)."""

    def __init__(self, actor):
        self.actor = actor
        self.cache: dict[tuple, tuple[Region | None, str]] = {}

    def village(self, data: dict) -> tuple[Region | None, str]:
        key = (data.get("village_code"), data.get("township"), data.get("village"))
        if key not in self.cache:
            self.cache[key] = self._find(*key)
        return self.cache[key]

    def _find(self, code, township, village) -> tuple[Region | None, str]:
        mine = access.regions_visible_to(self.actor)
        if code:
            found = mine.filter(code=code, level=5).first()
            return (found, "") if found else (None, _("区划代码 %s 不是您管辖范围内的村（社区）。") % code)
        if not village:
            return None, _("请填写村（社区）名称或区划代码。")
        wanted = core(village)
        candidates = mine.filter(level=5, name__startswith=wanted).select_related("parent")
        found = [
            r
            for r in candidates[:200]
            if core(r.name) == wanted and (not township or core(r.parent.name) == core(township))
        ]
        if len(found) == 1:
            return found[0], ""
        if not found:
            where = f"{township} {village}" if township else village
            return None, _("找不到“%s”：请核对乡镇和村（社区）名称，或填写区划代码。") % where
        return None, _("“%s”在多个乡镇都有，请同时填写乡镇（街道）。") % village


SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "委员会")


def core(name: str) -> str:
    """A place name without the words sheets leave out: 前潘村村民委员会, 前潘村委会 and 前潘村 are 前潘."""
    name = (name or "").strip()
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    for suffix in ("社区", "村", "居"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
