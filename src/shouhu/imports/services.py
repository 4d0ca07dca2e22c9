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

What depends on the children's facts follows the write, for the whole set, through the registry's
after-change step (``children.after.after_facts_changed``: visit schedules, risk rules, rollups), the
one a child registered by hand goes through.
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
from shouhu.children import classify, crypto, names
from shouhu.children import services as registry
from shouhu.children.after import after_facts_changed
from shouhu.children.models import Child
from shouhu.regions.models import Region

from . import sealed
from .columns import COLUMNS, READ, SIGNATURE_WORDS, CellError, Column, clean_text, parse_cell
from .places import Places
from .reader import CellErrorValue, FormulaWithoutValue, Sheet, SheetError, open_sheet

NEW, UPDATE, UNCHANGED, CONFIRM, SKIPPED = "new", "update", "unchanged", "confirm", "skipped"
MAX_PROBLEMS = 5000  # problems kept on the job for its page; every one is in the error sheet
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
    rejected: int = 0  # rows with at least one problem (the error sheet's rows)
    truncated: bool = False  # problems past MAX_PROBLEMS were not kept on the job
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def valid(self) -> int:
        """Rows that can be imported."""
        return self.counts[NEW] + self.counts[UPDATE] + self.counts[UNCHANGED] + self.counts[CONFIRM]


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
    rejected: Path | None = None,
    valid_only: bool = False,
) -> Result:
    """Read ``upload`` and register or update its children. ``confirmed`` holds the row numbers whose
    match by name, birth date and village a person confirmed; unconfirmed matches are skipped.
    ``progress`` is called with the number of rows read after each set of rows. A dry run given
    ``keep`` writes there the rows it checked, when it found no problem; a commit given ``checked``
    (that file, from a check of the same upload) reads its rows from there; given ``rejected``, the
    rows with problems are kept there with their cells as read (for the error sheet). Every problem
    of every row is reported in one pass. ``valid_only``: the commit writes the rows without a problem
    and leaves the others; otherwise one problem anywhere writes nothing."""
    if not access.can_create_children(actor):
        raise PermissionDenied(_("您没有登记儿童的权限。"))
    result = Result()
    if commit and checked is not None and checked.exists():
        return _import_checked(actor, checked, confirmed, result, progress, valid_only)
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
    run = _Import(actor, sheet, header_of, confirmed, result, commit, valid_only)
    kept = _Kept(keep, header_of, sheet.unknown) if keep is not None and not commit else None
    if rejected is not None and not commit:
        run.rejected_out = _Rejected(rejected, sheet)
    broken = False
    with transaction.atomic() if commit else contextlib.nullcontext():
        try:
            for chunk in _chunks(sheet.rows, CHUNK_ROWS):
                checked_rows = run.chunk(chunk)
                if kept is not None:
                    kept.write(checked_rows)
                if progress:
                    progress(result.rows)
            run.merged_cells()
        except SheetError as exc:
            result.problems.append(Problem(0, "", str(exc)))
            broken = True  # the file could not be read to its end: nothing of it is imported
        if commit and not broken and (result.ok or valid_only):
            run.finish()
            result.committed = True
        elif commit:
            transaction.set_rollback(True)
    if kept is not None:
        kept.close(keep_file=not broken and result.valid > 0)
    if run.rejected_out is not None:
        run.rejected_out.close(keep_file=not broken and result.rejected > 0)
    result.truncated = len(result.problems) > MAX_PROBLEMS
    return result


def _import_checked(
    actor, path: Path, confirmed, result: Result, progress: Progress | None, valid_only: bool = False
) -> Result:
    """The commit of rows a check kept: no sheet to read, no cell to parse, no field validator to run
    again; the rest as ``import_register`` does it, in one transaction."""
    blocks = sealed.texts(path)
    head = json.loads(next(blocks))
    result.unknown_columns = head["unknown"]
    run = _Import(actor, None, head["header_of"], confirmed, result, True, valid_only)
    villages: dict[str, Region] = {}
    lines = (json.loads(line, object_hook=_Kept.decode) for block in blocks for line in block.split("\n"))
    with transaction.atomic():
        for chunk in _chunks(lines, CHUNK_ROWS):
            wanted = {r["f"]["village"] for r in chunk} - set(villages)
            villages.update(Region.objects.in_bulk(wanted) if wanted else {})
            rows = [_Kept.row(r, villages) for r in chunk]
            result.rows += len(rows)
            run.match(rows)
            if progress:
                progress(result.rows)
        if result.ok or valid_only:
            run.finish()
            result.committed = True
        else:
            transaction.set_rollback(True)
    result.truncated = len(result.problems) > MAX_PROBLEMS
    return result


class _Kept:
    """The rows a check found good, kept for the commit: a first line with the sheet's headers, then
    one JSON line a row (the village by its code, a date as ``{"$date": ISO text}``)."""

    def __init__(self, path: Path, header_of: dict, unknown: list[str]):
        self.path = path
        path.unlink(missing_ok=True)  # a check run again (the watchdog) starts its file anew
        self.out = sealed.Writer(path)  # encrypted, 0600
        self.out.text(json.dumps({"header_of": header_of, "unknown": unknown}, ensure_ascii=False))

    def write(self, rows: list[_Row]) -> None:
        lines = []
        for row in rows:
            fields = dict(row.fields, village=row.fields["village"].pk)
            line = {"n": row.number, "f": fields, "p": row.parents, "c": row.carer, "h": row.id_number_hash}
            line["v"] = row.validated
            lines.append(json.dumps(line, ensure_ascii=False, default=self.encode))
        if lines:
            self.out.text("\n".join(lines))

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


class _Rejected:
    """The rows with problems, kept for the error sheet (``errorsheet``): a first token with the
    sheet's headers by position, then a token per set of rows: each row's number, its cells as read
    and its problems (column, message)."""

    def __init__(self, path: Path, sheet: Sheet):
        self.path = path
        path.unlink(missing_ok=True)
        self.out = sealed.Writer(path)
        headers = [[pos, header] for pos, header in sorted(sheet.headers.items())]
        self.out.text(json.dumps({"headers": headers}, ensure_ascii=False))

    def write(self, raw: dict[int, tuple], bad: dict[int, list[Problem]]) -> None:
        if not bad:
            return
        rows = [
            {"n": n, "v": list(raw[n]), "e": [[p.column, p.message] for p in problems]}
            for n, problems in sorted(bad.items())
        ]
        self.out.text(json.dumps(rows, ensure_ascii=False, default=str))

    def close(self, *, keep_file: bool) -> None:
        self.out.close()
        if not keep_file:
            self.path.unlink(missing_ok=True)


def rejected_rows(path: Path) -> tuple[list[tuple[int, str]], Iterator[dict]]:
    """The headers and the rows of a ``_Rejected`` file."""
    blocks = sealed.texts(path)
    headers = [tuple(h) for h in json.loads(next(blocks))["headers"]]
    return headers, (row for block in blocks for row in json.loads(block))


def _signature(values: tuple) -> bool:
    """The lines under (or over) the table: 单位负责人：… 复核人：… 填表人：… 填报日期：…"""
    first = next((v for v in values if v not in (None, "")), None)
    if not isinstance(first, str) or not clean_text(first).replace(" ", "").startswith(SIGNATURE_WORDS):
        return False
    return all(isinstance(v, str) for v in values if v not in (None, ""))


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

    def __init__(
        self, actor, sheet: Sheet, header_of, confirmed, result: Result, commit: bool, valid_only=False
    ):
        self.actor = actor
        self.valid_only = valid_only
        self.rejected_out: _Rejected | None = None
        self.sheet = sheet
        self.header_of = header_of
        self.confirmed = confirmed
        self.result = result
        self.commit = commit
        self.places = Places(actor)
        self.today = timezone.localdate()
        self.seen: dict[str, int] = {}  # ID number → first row
        self.nameless: dict[tuple, int] = {}  # (name, birth date, village) of new rows without ID
        self.written: list = []  # ids of the children written
        self.new: set = set()  # ids of the children registered
        self.recategorised: dict = {}  # {child id: (gained, lost)} of those whose categories changed

    def problem(self, row: int, column: str, message: str) -> None:
        self.result.problems.append(Problem(row, column, message))

    # Reading and checking ------------------------------------------------------------------------

    def chunk(self, rows: list[tuple[int, tuple]]) -> list[_Row]:
        """Parse, check and match a set of the sheet's rows; returns the rows without a problem."""
        prepared = []
        raw: dict[int, tuple] = {}
        start = len(self.result.problems)
        for number, values in rows:
            if not any(v not in (None, "") for v in values) or _signature(values):
                continue
            self.result.rows += 1
            raw[number] = values
            row = self.parse(number, values)
            if row is not None:
                prepared.append(row)
        self.match(prepared)
        bad: dict[int, list[Problem]] = {}
        for problem in self.result.problems[start:]:
            if problem.row in raw:
                bad.setdefault(problem.row, []).append(problem)
        self.result.rejected += len(bad)
        if self.rejected_out is not None:
            self.rejected_out.write(raw, bad)
        return [r for r in prepared if r.number not in bad]

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
        if self.commit and (self.result.ok or self.valid_only) and (created or updated):
            self.write(created, updated, child_fields)

    def header(self, key: str) -> str:
        """The sheet's header for a column key, or the template's when the sheet has no such column."""
        return self.header_of.get(key) or next((c.header for c in READ if c.key == key), "")

    def parse(self, number: int, values: tuple) -> _Row | None:
        """Read a row's cells and derive its facts; every problem of the row is reported, those of the
        cells and those of the registry's rules on what did read (one pass, not one at a time)."""
        data: dict[str, Any] = {}
        failed: set[str] = set()
        before = len(self.result.problems)
        for pos, column in self.sheet.columns.items():
            value = values[pos] if pos < len(values) else None
            if isinstance(value, FormulaWithoutValue):
                self.problem(
                    number,
                    self.sheet.headers[pos],
                    _("是公式，但文件中没有计算结果：请在 Excel 中打开并保存，或复制后“粘贴为数值”。"),
                )
                failed.add(column.key)
                continue
            if isinstance(value, CellErrorValue):
                self.problem(
                    number, self.sheet.headers[pos], _("单元格是错误值 %s，请改正公式或填写内容。") % value
                )
                failed.add(column.key)
                continue
            try:
                data[column.key] = parse_cell(column, value)
            except CellError as exc:
                self.problem(number, self.sheet.headers[pos], str(exc))
                failed.add(column.key)
        for column in _required():
            if not data.get(column.key) and column.key in self.header_of and column.key in data:
                self.problem(number, self.header_of[column.key], _("必填。"))
                failed.add(column.key)
        self.derive(number, data, failed)
        village, error, where = self.locate(data)
        if error:
            self.problem(number, self.header(where), error)
            failed.add("village")
        id_number = data.get("id_number") or ""
        if id_number:
            if id_number in self.seen:
                self.problem(
                    number,
                    self.header_of["id_number"],
                    _("与第 %s 行的身份证号码重复。") % self.seen[id_number],
                )
                failed.add("id_number")
            self.seen.setdefault(id_number, number)
        fields, parents, carer = _shape({k: v for k, v in data.items() if k not in failed}, village)
        if len(self.result.problems) > before:
            # The registry's own rules on the cells that did read: a wrong check character, a date
            # in the future, a name that is not one … come back with the cells' problems.
            _child, _nested, errors = registry.child_prepare(
                actor=self.actor, fields=fields, parents=parents, carer=carer
            )
            errors = {k: v for k, v in errors.items() if _key_of(k) not in failed and k != "village"}
            self.report(number, errors)
            return None
        return _Row(number, fields, parents, carer, crypto.keyed_hash(id_number) if id_number else None)

    def locate(self, data: dict) -> tuple[Region | None, str, str]:
        """The row's village and, when not found, the message and the column it names: a code or a
        township and a village in two columns; or the national form's one cell, 户籍所在地 (the
        registry's village is the child's registered one), else 现居住地."""
        if any(data.get(k) for k in ("village_code", "township", "village")) or not (
            data.get("place") or data.get("address")
        ):
            village, error = self.places.village(data)
            where = next(
                (k for k in self._place_keys(data) if k in self.header_of),
                "village",
            )
            return village, error, where
        key = "place" if data.get("place") else "address"
        village, error = self.places.place(data[key])
        return village, error, key

    @staticmethod
    def _place_keys(data: dict) -> tuple[str, ...]:
        """The columns a place problem names: the code when the row gives one, else the village."""
        if data.get("village_code"):
            return ("village_code", "village", "township", "place")
        return ("village", "village_code", "township", "place")

    def derive(self, number: int, data: dict, failed: set[str]) -> None:
        """The national form's guardianship facts, turned into the registry's: the parents' situation
        (父母双方同时外出, 父母一方外出、另一方无监护能力 + 无监护能力), who the child lives with (实际监护,
        from 有无委托其他监护人 and the carer's relation) and the disability (残疾类别及等级). A cell
        the sheet fills is never overridden: two cells that contradict each other are an error naming
        both columns."""
        self._derive_disability(number, data, failed)
        away = self._away(number, data, failed)
        if away is None:
            return
        both, one = data.get("both_away"), data.get("one_away")
        cause = self.header("both_away") if both else self.header("one_away")
        for role, said in away.items():
            self._derive_situation(number, data, failed, role=role, said=said, cause=cause)
        if both is False and one is False:
            self._check_not_both_migrant(number, data, failed)
        self._derive_work_place(number, data, failed)
        carer_named = self._check_carer(number, data, failed)
        self._derive_living(number, data, failed, carer_named=carer_named)

    def _derive_disability(self, number: int, data: dict, failed: set[str]) -> None:
        if "disability" in data and data["disability"]:
            try:
                data["disability_type"], data["disability_grade"] = _disability(data["disability"])
            except CellError as exc:
                self.problem(number, self.header("disability"), str(exc))
                failed.add("disability")

    def _away(self, number: int, data: dict, failed: set[str]) -> dict[str, str] | None:
        """Role → the situation the guardianship facts say (``migrant`` or ``incapable``); None when
        those cells contradict each other or leave out who cannot guard (the row's facts stop there)."""
        h = self.header
        both, one, who = data.get("both_away"), data.get("one_away"), data.get("incapable")
        if both and one:
            self.problem(
                number,
                f"{h('both_away')}、{h('one_away')}",
                _("“%(a)s”和“%(b)s”只能有一项填“是”。") % {"a": h("both_away"), "b": h("one_away")},
            )
            failed.update({"both_away", "one_away"})
            return None
        if both:
            return {"father": "migrant", "mother": "migrant"}
        if not one:
            return {}
        if not who:
            self.problem(
                number,
                h("incapable") if "incapable" in self.header_of else h("one_away"),
                _("“%s”填了“是”：请填写无监护能力的一方（父亲或母亲）。") % h("one_away"),
            )
            failed.add("one_away")
            return None
        other = "mother" if who == "father" else "father"
        return {other: "migrant", who: "incapable"}

    def _derive_situation(
        self, number: int, data: dict, failed: set[str], *, role: str, said: str, cause: str
    ) -> None:
        """A parent's situation from what the guardianship cells say, or the contradiction."""
        h = self.header
        key = f"{role}.situation"
        situation = data.get(key) or ""
        label = _("父亲") if role == "father" else _("母亲")
        if said == "migrant":
            if not situation:
                data[key] = "migrant"
            elif situation != "migrant":
                self.problem(
                    number,
                    f"{cause}、{h(key)}",
                    _("“%(cause)s”填“是”，%(who)s应外出务工，但“%(column)s”是“%(value)s”。")
                    % {"cause": cause, "who": label, "column": h(key), "value": _label_of(key, situation)},
                )
                failed.add(key)
        elif not situation:
            # The model keeps why a parent cannot guard (重病, 残疾, 服刑在押 …), never "incapable"
            # alone: the sheet must say why, or the child's category would be a guess.
            self.problem(
                number,
                f"{h('incapable')}、{h(key)}",
                _(
                    "%(who)s无监护能力：请在“%(column)s”一列写明原因（如重病、残疾、服刑在押、失联），"
                    "否则无法认定留守儿童。"
                )
                % {"who": label, "column": h(key)},
            )
            failed.add(key)
        elif not self._may_be_incapable(data, role=role, situation=situation):
            self.problem(
                number,
                f"{h('incapable')}、{h(key)}",
                _("“%(column)s”是“%(value)s”，与“%(who)s无监护能力”不符。")
                % {"column": h(key), "value": _label_of(key, situation), "who": label},
            )
            failed.add(key)

    def _may_be_incapable(self, data: dict, *, role: str, situation: str) -> bool:
        """A situation that can leave a parent unable to guard (a disability's grade is checked later)."""
        parent = classify.ParentFacts(
            situation=situation,
            disability_type=data.get(f"{role}.disability_type", ""),
            disability_grade=None,
        )
        return classify.without_capacity(parent, self.today) or situation == "disabled"

    def _check_not_both_migrant(self, number: int, data: dict, failed: set[str]) -> None:
        h = self.header
        migrants = [r for r in ("father", "mother") if data.get(f"{r}.situation") == "migrant"]
        if len(migrants) == 2:
            self.problem(
                number,
                f"{h('both_away')}、{h('father.situation')}",
                _("“%(a)s”填“否”，但父亲和母亲的状况都是外出务工。") % {"a": h("both_away")},
            )
            failed.add("both_away")

    def _derive_work_place(self, number: int, data: dict, failed: set[str]) -> None:
        h = self.header
        for role in ("father", "mother"):
            key, place = f"{role}.situation", f"{role}.work_place"
            if not data.get(place) or key in failed:
                continue
            if not data.get(key):
                data[key] = "migrant"  # a current work place (当前务工地点) is a migrant's
            elif data[key] == "at_home":
                self.problem(
                    number,
                    f"{h(key)}、{h(place)}",
                    _("“%(a)s”是在家，但“%(b)s”填了“%(c)s”：请删去务工地点或改正状况。")
                    % {"a": h(key), "b": h(place), "c": data[place]},
                )
                failed.add(key)

    def _check_carer(self, number: int, data: dict, failed: set[str]) -> bool:
        """Whether a carer is named; 有无委托其他监护人 must agree with it."""
        h = self.header
        has_carer = data.get("has_carer")
        carer_named = bool(data.get("carer.name"))
        if has_carer is True and not carer_named:
            self.problem(
                number,
                f"{h('has_carer')}、{h('carer.name')}",
                _("“%(a)s”填“有”，但没有填写“%(b)s”。") % {"a": h("has_carer"), "b": h("carer.name")},
            )
            failed.add("has_carer")
        elif has_carer is False and carer_named:
            self.problem(
                number,
                f"{h('has_carer')}、{h('carer.name')}",
                _("“%(a)s”填“无”，但填写了“%(b)s”。") % {"a": h("has_carer"), "b": h("carer.name")},
            )
            failed.add("has_carer")
        return carer_named

    def _derive_living(self, number: int, data: dict, failed: set[str], *, carer_named: bool) -> None:
        """Who the child lives with (实际监护), from the carer when the sheet leaves it empty."""
        h = self.header
        both = data.get("both_away")
        living = data.get("living_arrangement")
        if living == "parents" and both:
            self.problem(
                number,
                f"{h('living_arrangement')}、{h('both_away')}",
                _("“%(a)s”是父母，但“%(b)s”填“是”。") % {"a": h("living_arrangement"), "b": h("both_away")},
            )
            failed.add("living_arrangement")
        if living:
            return
        parents_away = bool(both) or (
            data.get("father.situation") not in ("", None, "at_home")
            and data.get("mother.situation") not in ("", None, "at_home")
        )
        relation = data.get("carer.relation")
        if relation in ("grandparent", "maternal_grandparent"):
            data["living_arrangement"] = "grandparents"
        elif relation or carer_named:
            data["living_arrangement"] = "relatives"
        elif data.get("has_carer") is False and parents_away:
            data["living_arrangement"] = "no_carer"

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
        self.new.update(child.pk for child, _nested in created)
        for child, _nested in (*created, *updated):
            self.written.append(child.pk)
            if child.pk in changed:
                self.recategorised[child.pk] = changed[child.pk]

    def finish(self) -> None:
        """What depends on the children's facts, for the whole set, in the import's transaction: the
        registry's after-change step, as ``child_register`` runs it one child at a time."""
        if not self.written:
            return
        from shouhu.children import households

        # Siblings in the file, or already registered, become households before the rules read
        # them (set-based: a few queries per set of rows, none per row).
        left = []
        for i in range(0, len(self.written), 5000):
            chunk = self.written[i : i + 5000]
            left += households.leave_moved(child_ids=chunk, on=self.today)
            households.link(child_ids=chunk, on=self.today)
        after_facts_changed(
            children=self.written, on=self.today, recategorised=self.recategorised, new=self.new, left=left
        )


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
            "household_registered",
            "boarding",
            "guardianship_quality",
            "income_sources",
            "assistance",
            "illness",
            "disability_type",
            "disability_grade",
        )
        if data.get(k) not in (None, "")
    }
    fields["name"] = names.clean(fields.get("name", ""))  # as ``Child.clean`` stores it
    fields["village"] = village
    parents = {}
    for role in ("father", "mother"):
        person = {
            k: data[f"{role}.{k}"]
            for k in ("name", "phone", "id_number", "birth_date", "situation", "work_place")
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


def _key_of(error_key: str) -> str:
    """A service's error key (``parents.father.phone``, ``carer.__all__``) as a column key."""
    key = error_key.replace("parents.", "").replace(".__all__", "")
    return {"disability_type": "disability", "disability_grade": "disability"}.get(key, key)


def _column_for(key: str, header_of: dict[str, str]) -> str:
    """The sheet's header for a service's error key (``id_number``, ``parents.father.phone`` …); for a
    field the sheet has no column of, the template's header; never the internal key."""
    key = _key_of(key)
    candidates = [key]
    if key in ("village", "found_region"):
        candidates += ["place", "village", "village_code", "township", "address"]
    if key in ("carer", "father", "mother"):
        candidates += [f"{key}.name"]
    for candidate in candidates:
        if candidate in header_of:
            return header_of[candidate]
    for candidate in candidates:
        for column in READ:
            if column.key == candidate:
                return column.header
    return ""


def _label_of(key: str, code: str) -> str:
    column = next((c for c in READ if c.key == key), None)
    if column is None or column.choices is None or code not in column.choices.values:
        return code
    return str(column.choices(code).label)


def _disability(text: str) -> tuple[str, int | None]:
    """残疾类别及等级: "肢体残疾二级", "肢体 2级", "智力残疾（三级）" → (type, grade)."""
    from shouhu.children.options import DisabilityType

    kinds = [code for code, label in DisabilityType.choices if str(label)[:2] in text]
    grades = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
    grade = next((g for mark, g in grades.items() if f"{mark}级" in text), None)
    if len(kinds) != 1:
        raise CellError(_("“%s”不是残疾类别（如“肢体残疾二级”）。") % text)
    return kinds[0], grade
