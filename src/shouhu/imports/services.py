"""Importing a register: a dry run that reports every problem by row and column, then the commit.

The sheet is read as a stream and handled in sets of rows (``CHUNK_ROWS``). Each row is checked in
memory by the registry's own rules (``children.services.child_prepare``: the models' validation,
the ID number check, the right to register in the village); the children already registered are
looked up for the whole set at once (by the keyed hash of the ID number, or by name, birth date and
village, which a person confirms row by row); the commit writes the set with
``children.services.children_write`` (rows, history, name index and categories in bulk).

A dry run may keep the rows it checked (``keep``: a file of JSON lines, the job's); a commit given
that file (``checked``) reads the rows from it instead of reading and parsing the sheet again, and
does not run again the validators each field passed in the check. Everything that depends on the
registry, which may have changed since, is done again: the matching, the right to edit a match, the
models' ``clean`` and the right to register in the village.

The dry run writes nothing to the registry. The commit runs in one transaction and stops writing at the first
problem; it is rolled back when any row has a problem or anything fails, so an interrupted or
refused import leaves the registry as it was. A row whose values are already stored is left alone:
importing the same file twice adds no child and no history row.

What the registry's per-child signals would have done follows the write, for the whole set: visits
due to children whose categories call for them (``visits.services.schedules_refresh``), the risk
rules through their batch path (``cases.services.evaluate_children``), and
``children.signals.children_written`` for the modules that keep figures by village.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.accounts import access
from shouhu.children import crypto, names
from shouhu.children import services as registry
from shouhu.children.models import Child
from shouhu.children.signals import categories_changed, children_written
from shouhu.regions.models import Region

from .columns import COLUMNS, DASHES, CellError, Column, parse_cell
from .reader import CellErrorValue, FormulaWithoutValue, Sheet, SheetError, open_sheet

NEW, UPDATE, UNCHANGED, CONFIRM, SKIPPED = "new", "update", "unchanged", "confirm", "skipped"
MAX_PROBLEMS = 1000  # a report longer than this helps nobody: the file needs fixing as a whole
MAX_CONFIRM = 2000  # rows matched without an ID number, listed for a person to confirm
CHUNK_ROWS = 2000  # rows checked, looked up and written together


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
    rows: int = 0  # data rows read
    truncated: bool = False  # problems past MAX_PROBLEMS were not listed
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


Progress = Callable[[int], None]


def import_register(
    *,
    actor,
    upload,
    commit: bool = False,
    confirmed: frozenset[int] = frozenset(),
    progress: Progress | None = None,
    keep: Path | None = None,
    checked: Path | None = None,
) -> Result:
    """Read ``upload`` and register or update its children. ``confirmed`` holds the row numbers whose
    match by name, birth date and village a person confirmed; unconfirmed matches are skipped.
    ``progress`` is called with the number of rows read after each set of rows. A dry run given
    ``keep`` writes there the rows it checked, when it found no problem; a commit given ``checked``
    (that file, from a check of the same upload) reads its rows from there."""
    if not access.can_create_children(actor):
        raise PermissionDenied(_("您没有登记儿童的权限。"))
    result = Result()
    if commit and checked is not None and checked.exists():
        return _import_checked(actor, checked, confirmed, result, progress)
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
    run = _Import(actor, sheet, header_of, confirmed, result, commit)
    kept = _Kept(keep, header_of, sheet.unknown) if keep is not None and not commit else None
    with transaction.atomic() if commit else contextlib.nullcontext():
        try:
            for chunk in _chunks(sheet.rows, CHUNK_ROWS):
                checked_rows = run.chunk(chunk)
                if kept is not None and result.ok:
                    kept.write(checked_rows)
                if progress:
                    progress(result.rows)
                if len(result.problems) >= MAX_PROBLEMS:
                    result.truncated = True
                    break
            else:
                run.merged_cells()
        except SheetError as exc:
            result.problems.append(Problem(0, "", str(exc)))
        if commit and result.ok:
            run.finish()
            result.committed = True
        elif commit:
            transaction.set_rollback(True)
    if kept is not None:
        kept.close(keep_file=result.ok)
    return result


def _import_checked(actor, path: Path, confirmed, result: Result, progress: Progress | None) -> Result:
    """The commit of rows a check kept: no sheet to read, no cell to parse, no field validator to run
    again; the rest as ``import_register`` does it, in one transaction."""
    with open(path, encoding="utf-8") as lines:
        head = json.loads(next(lines))
        result.unknown_columns = head["unknown"]
        run = _Import(actor, None, head["header_of"], confirmed, result, True)
        villages: dict[str, Region] = {}
        with transaction.atomic():
            for chunk in _chunks((json.loads(line, object_hook=_Kept.decode) for line in lines), CHUNK_ROWS):
                wanted = {r["f"]["village"] for r in chunk} - set(villages)
                villages.update(Region.objects.in_bulk(wanted) if wanted else {})
                rows = [_Kept.row(r, villages) for r in chunk]
                result.rows += len(rows)
                run.match(rows)
                if progress:
                    progress(result.rows)
                if len(result.problems) >= MAX_PROBLEMS:
                    result.truncated = True
                    break
            if result.ok:
                run.finish()
                result.committed = True
            else:
                transaction.set_rollback(True)
    return result


class _Kept:
    """The rows a check found good, kept for the commit: a first line with the sheet's headers, then
    one JSON line a row (the village by its code, a date as ``{"$date": ISO text}``)."""

    def __init__(self, path: Path, header_of: dict, unknown: list[str]):
        self.path = path
        self.out = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by ``close``
        self.out.write(json.dumps({"header_of": header_of, "unknown": unknown}, ensure_ascii=False) + "\n")

    def write(self, rows: list[_Row]) -> None:
        for row in rows:
            fields = dict(row.fields, village=row.fields["village"].pk)
            line = {"n": row.number, "f": fields, "p": row.parents, "c": row.carer, "h": row.id_number_hash}
            line["v"] = row.validated
            self.out.write(json.dumps(line, ensure_ascii=False, default=self.encode) + "\n")

    @staticmethod
    def encode(value):
        if isinstance(value, dt.date):
            return {"$date": value.isoformat()}
        raise TypeError(f"an import cell of type {type(value).__name__} cannot be kept")

    @staticmethod
    def decode(obj: dict):
        return dt.date.fromisoformat(obj["$date"]) if obj.keys() == {"$date"} else obj

    def close(self, *, keep_file: bool) -> None:
        self.out.close()
        if not keep_file:
            self.path.unlink(missing_ok=True)

    @staticmethod
    def row(line: dict, villages: dict[str, Region]) -> _Row:
        fields = line["f"]
        fields["village"] = villages[fields["village"]]
        return _Row(line["n"], fields, line["p"], line["c"], line["h"], validated=line["v"])


def _chunks(rows: Iterator[tuple[int, tuple]], size: int) -> Iterator[list[tuple[int, tuple]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _required() -> list[Column]:
    return [c for c in COLUMNS if c.required]


@dataclass
class _Row:
    number: int
    fields: dict[str, Any]
    parents: dict[str, dict[str, Any]]
    carer: dict[str, Any] | None
    id_number_hash: str | None = None
    validated: bool = False  # its values passed the models' validators (``child_prepare``)


class _Import:
    """One pass over a sheet: the state shared by its sets of rows."""

    def __init__(self, actor, sheet: Sheet, header_of, confirmed, result: Result, commit: bool):
        self.actor = actor
        self.sheet = sheet
        self.header_of = header_of
        self.confirmed = confirmed
        self.result = result
        self.commit = commit
        self.places = _Places(actor)
        self.today = timezone.localdate()
        self.seen: dict[str, int] = {}  # ID number → first row
        self.nameless: dict[tuple, int] = {}  # (name, birth date, village) of new rows without ID
        self.written: list = []  # ids of the children written
        self.villages: set[str] = set()
        self.rescheduled: list = []  # new children whose categories call for visits
        self.recategorised: list[tuple[Child, set[str], set[str]]] = []  # updated children

    def problem(self, row: int, column: str, message: str) -> None:
        self.result.problems.append(Problem(row, column, message))

    # Reading and checking ------------------------------------------------------------------------

    def chunk(self, rows: list[tuple[int, tuple]]) -> list[_Row]:
        """Parse, check and match a set of the sheet's rows; returns the rows that parsed."""
        prepared = []
        for number, values in rows:
            if not any(v not in (None, "") for v in values):
                continue
            self.result.rows += 1
            row = self.parse(number, values)
            if row is not None:
                prepared.append(row)
        self.match(prepared)
        return prepared

    def match(self, prepared: list[_Row]) -> None:
        """Match parsed rows to the registry, validate them and (committing) write them."""
        by_id = self.stored_by_id([r for r in prepared if r.fields.get("id_number")])
        by_name = self.stored_by_name([r for r in prepared if not r.fields.get("id_number")])
        created, updated, child_fields = [], [], set()
        for row in prepared:
            digest = row.id_number_hash
            key = (row.fields["name"], row.fields["birth_date"], row.fields["village"].pk)
            existing = by_id.get(digest) if digest else by_name.get(key)
            if existing is None:
                if not digest:
                    if key in self.nameless:
                        self.problem(
                            row.number,
                            self.header_of["name"],
                            _(
                                "与第 %s 行姓名、出生日期和村（社区）都相同且都没有身份证号码："
                                "请删除重复行或填写身份证号码。"
                            )
                            % self.nameless[key],
                        )
                        continue
                    self.nameless[key] = row.number
                child, nested, errors = registry.child_prepare(
                    actor=self.actor,
                    fields=row.fields,
                    parents=row.parents,
                    carer=row.carer,
                    checked=row.validated,
                )
                if not self.report(row.number, errors):
                    row.validated = True
                    created.append((child, nested))
                    self.result.counts[NEW] += 1
                continue
            if digest and not access.can_edit(self.actor, existing):
                self.problem(
                    row.number,
                    self.header_of.get("id_number", ""),
                    _("该身份证号码的儿童已在您管辖范围以外登记，请联系其所在地核实。"),
                )
                continue
            if not digest and row.number not in self.confirmed:
                if len(self.result.confirm) < MAX_CONFIRM:
                    self.result.confirm.append(
                        {
                            "row": row.number,
                            "name": existing.name,
                            "birth_date": existing.birth_date,
                            "pk": existing.pk,
                        }
                    )
                self.result.counts[CONFIRM] += 1
                continue
            if _unchanged(existing, row.fields, row.parents, row.carer):
                self.result.counts[UNCHANGED] += 1
                continue
            child, nested, errors = registry.child_prepare(
                actor=self.actor,
                fields=row.fields,
                parents=row.parents,
                carer=row.carer,
                child=existing,
                checked=row.validated,
            )
            if not self.report(row.number, errors):
                row.validated = True
                updated.append((child, nested))
                child_fields.update(row.fields)
                self.result.counts[UPDATE] += 1
        if self.commit and self.result.ok and (created or updated):
            self.write(created, updated, child_fields)

    def parse(self, number: int, values: tuple) -> _Row | None:
        data: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        bad = False
        for pos, column in self.sheet.columns.items():
            value = values[pos] if pos < len(values) else None
            raw[column.key] = value
            if isinstance(value, FormulaWithoutValue):
                self.problem(
                    number,
                    self.sheet.headers[pos],
                    _("是公式，但文件中没有计算结果：请在 Excel 中打开并保存，或复制后“粘贴为数值”。"),
                )
                bad = True
                continue
            if isinstance(value, CellErrorValue):
                self.problem(
                    number, self.sheet.headers[pos], _("单元格是错误值 %s，请改正公式或填写内容。") % value
                )
                bad = True
                continue
            try:
                data[column.key] = parse_cell(column, value)
            except CellError as exc:
                self.problem(number, self.sheet.headers[pos], str(exc))
                bad = True
        for column in _required():
            if not data.get(column.key) and column.key in self.header_of and column.key in data:
                self.problem(number, self.header_of[column.key], _("必填。"))
                bad = True
        for role in ("father", "mother"):  # "—" for a parent's name: deceased (the 2016 form's convention)
            if str(raw.get(f"{role}.name") or "").strip() in DASHES and not data.get(f"{role}.situation"):
                data[f"{role}.situation"] = "deceased"
        village, error = self.places.village(data)
        if error:
            header_of = self.header_of
            column = (
                header_of.get("village") or header_of.get("village_code") or header_of.get("township") or ""
            )
            self.problem(number, column, error)
            bad = True
        id_number = data.get("id_number") or ""
        if id_number:
            if id_number in self.seen:
                self.problem(
                    number,
                    self.header_of["id_number"],
                    _("与第 %s 行的身份证号码重复。") % self.seen[id_number],
                )
                bad = True
            self.seen.setdefault(id_number, number)
        if bad:
            return None
        fields, parents, carer = _shape(data, village)
        return _Row(number, fields, parents, carer, crypto.keyed_hash(id_number) if id_number else None)

    def report(self, number: int, errors: dict[str, list[str]]) -> bool:
        for key, messages in errors.items():
            self.problem(number, _column_for(key, self.header_of), "；".join(messages))
        return bool(errors)

    def stored_by_id(self, rows: list[_Row]) -> dict[str, Child]:
        hashes = [r.id_number_hash for r in rows]
        if not hashes:
            return {}
        found = (
            Child.objects.filter(id_number__in=[r.fields["id_number"] for r in rows])  # every key's hash
            .select_related("village", "carer")
            .prefetch_related("parents")
        )
        return {crypto.keyed_hash(c.id_number): c for c in found}

    def stored_by_name(self, rows: list[_Row]) -> dict[tuple, Child]:
        """Children the actor sees with a row's name, birth date and village (the earliest one)."""
        if not rows:
            return {}
        found = (
            access.children_visible_to(self.actor)
            .filter(
                village_id__in={r.fields["village"].pk for r in rows},
                name__in={r.fields["name"] for r in rows},
                birth_date__in={r.fields["birth_date"] for r in rows},
            )
            .select_related("village", "carer")
            .prefetch_related("parents")
            .order_by("-created_at")
        )
        return {(c.name, c.birth_date, c.village_id): c for c in found}

    def merged_cells(self) -> None:
        """Merged cells in the data rows hold their value in the first row only (see ``reader``)."""
        for top, pos, rows in self.sheet.notes:
            if top >= self.sheet.first_row and pos in self.sheet.headers:
                self.problem(
                    top,
                    self.sheet.headers[pos],
                    _("第 %s 行的这一列是合并单元格，只有第一行有内容：请取消合并，并在每一行填写。") % rows,
                )

    # Writing -------------------------------------------------------------------------------------

    def write(self, created, updated, child_fields) -> None:
        changed = registry.children_write(
            actor=self.actor, created=created, updated=updated, child_fields=child_fields, on=self.today
        )
        from shouhu.visits import rules as visit_rules

        visited = visit_rules.LISTED | visit_rules.COUNTY_VISITED
        for child, _nested in created:
            self.written.append(child.pk)
            self.villages.add(child.region_code)
            gained, lost = changed.get(child.pk, (set(), set()))
            if (gained | lost) & visited:
                self.rescheduled.append(child.pk)
        for child, _nested in updated:
            self.written.append(child.pk)
            self.villages.add(child.region_code)
            if child.pk in changed:
                self.recategorised.append((child, *changed[child.pk]))

    def finish(self) -> None:
        """What depends on the children's categories and facts, for the whole set, in the import's
        transaction: the same state as ``child_register``'s signals leave, one child at a time."""
        from shouhu.cases import services as rules
        from shouhu.visits import services as visits

        for i in range(0, len(self.rescheduled), 5000):
            # New children have no visit items to withdraw: their schedules are derived together.
            chunk = self.rescheduled[i : i + 5000]
            visits.schedules_refresh(on=self.today, children=Child.objects.filter(pk__in=chunk), settle=False)
        for child, gained, lost in self.recategorised:
            categories_changed.send(sender=Child, child=child, gained=gained, lost=lost, on=self.today)
        if self.written:
            from shouhu.children import households

            # Siblings in the file, or already registered, become households before the rules read
            # them (set-based: a few queries per set of rows, none per row).
            for i in range(0, len(self.written), 5000):
                chunk = self.written[i : i + 5000]
                households.leave_moved(child_ids=chunk, on=self.today)
                households.link(child_ids=chunk, on=self.today)
            rules.evaluate_children(children=self.written)
            children_written.send(sender=Child, ids=list(self.written), village_codes=sorted(self.villages))


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
    fields["name"] = names.clean(fields.get("name", ""))  # as ``Child.clean`` stores it
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


def _unchanged(child: Child, fields: dict, parents: dict, carer: dict | None) -> bool:
    """Whether the row holds nothing new (the child's parents and carer fetched with it)."""
    for k, v in fields.items():
        if (child.village_id != v.pk) if k == "village" else (getattr(child, k) != v):
            return False
    stored = {p.role: p for p in child.parents.all()}
    for role, person in parents.items():
        p = stored.get(role)
        if p is None or any(getattr(p, k) != v for k, v in person.items()):
            return False
    if carer:
        c = getattr(child, "carer", None)
        if c is None or any(getattr(c, k) != v for k, v in carer.items()):
            return False
    return True


def _column_for(key: str, header_of: dict[str, str]) -> str:
    """The sheet's header for a service's error key (``id_number``, ``parents.father.phone`` …)."""
    key = key.replace("parents.", "")
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
        if len(found) > 1:  # 新河村村民委员会 and 新河社区居民委员会 of one township are both 新河
            exact = [r for r in found if _committee(r.name) == _committee(village)]
            found = exact or found
        if len(found) == 1:
            return found[0], ""
        if not found:
            where = f"{township} {village}" if township else village
            return None, _("找不到“%s”：请核对乡镇和村（社区）名称，或填写区划代码。") % where
        return None, _("“%s”在多个乡镇都有，请同时填写乡镇（街道）。") % village


SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "委员会")


def _committee(name: str) -> str:
    """A place name without the committee words only: 新河村村民委员会 is 新河村, 新河居委会 新河社区."""
    name = (name or "").strip()
    for suffix, kind in (("村民委员会", "村"), ("居民委员会", "社区"), ("村委会", "村"), ("居委会", "社区")):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            return name if name.endswith(("村", "社区", "居")) else name + kind
    return name


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
