"""Reading a school's enrolment list or a 低保/特困 list: the columns, the header, the cells.

The file is read as the register import reads a sheet (``imports.reader``): as a stream after its
size is checked; a CSV in UTF-8 (with or without BOM) or GBK/GB18030, taken from the start of the
file, so that a file mixing the two is refused naming the lines that do not fit, not garbled. Cells
are cleaned as the import cleans them (``imports.columns``: full-width digits, leading apostrophes,
Excel serial dates). A formula whose value Excel stored is read as that value, as the import reads
it; one without a stored value, an error value, or a CSV cell starting with "=" is refused.

The header is the first row of the first six that names the list's name column (姓名 or 成员姓名);
the two lists' columns differ, so this module keeps its own header detection.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouhu.children import idnumber, names
from shouhu.children.validators import age_on
from shouhu.imports import reader
from shouhu.imports.columns import BLANK, CellError, clean_text, norm_header, parse_date

from .models import ListKind

HEADER_SEARCH = 6
MAX_PROBLEMS = 1000
MAX_ROWS = 300_000  # a county's 低保 list, one member a row, fits; more is split by township
ADULT_AGE = 18


class FileError(ValueError):
    """The file as a whole cannot be read."""


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False


SCHOOL_COLUMNS = [
    Col("school", "学校", ("学校名称", "就读学校")),
    Col("name", "姓名", ("学生姓名",), required=True),
    Col("id_number", "身份证号", ("身份证号码", "公民身份证号码", "公民身份号码", "证件号码")),
    Col("gender", "性别"),
    Col("birth_date", "出生日期", ("出生年月日",)),
    Col("grade", "年级", ("就读年级",), required=True),
    Col("klass", "班级", ("班别", "班")),
    Col("left_behind", "留守类型", ("留守情况", "是否留守", "留守儿童类型", "留守儿童")),
    Col("township", "乡镇", ("乡镇（街道）", "乡镇街道", "户籍乡镇")),
    Col("village", "村", ("村（社区）", "村社区", "村（居）", "户籍村")),
]
DIBAO_COLUMNS = [
    Col("township", "乡镇", ("乡镇（街道）", "乡镇街道", "所在乡镇"), required=True),
    Col("village", "村", ("村（社区）", "村社区", "村（居）", "所在村", "村（居）委会"), required=True),
    Col("head", "户主姓名", ("户主",)),
    Col("name", "成员姓名", ("姓名", "家庭成员姓名"), required=True),
    Col("id_number", "身份证号", ("身份证号码", "公民身份证号码", "公民身份号码", "证件号码"), required=True),
    Col("relation", "与户主关系", ("关系",)),
    Col("assistance", "保障类别", ("救助类别", "类别", "保障类型")),
]
COLUMNS = {ListKind.SCHOOL: SCHOOL_COLUMNS, ListKind.DIBAO: DIBAO_COLUMNS}

# The Ministry of Education's coding of left-behind status in school lists (学籍系统).
LEFT_BEHIND_CODES = {
    "非留守": "none",
    "非留守儿童": "none",
    "否": "none",
    "单亲留守": "one_parent",
    "单亲留守儿童": "one_parent",
    "双亲留守": "both_parents",
    "双亲留守儿童": "both_parents",
}
LEFT_BEHIND_LABELS = {
    "none": gettext_lazy("非留守"),
    "one_parent": gettext_lazy("单亲留守"),
    "both_parents": gettext_lazy("双亲留守"),
}
ASSISTANCE_CODES = {
    "低保": "dibao",
    "农村低保": "dibao",
    "城市低保": "dibao",
    "城乡低保": "dibao",
    "最低生活保障": "dibao",
    "特困": "tekun",
    "特困供养": "tekun",
    "特困人员": "tekun",
    "五保": "tekun",
}
ASSISTANCE_LABELS = {"dibao": gettext_lazy("低保"), "tekun": gettext_lazy("特困")}
GENDERS = {"男": "male", "女": "female"}

_NUMERALS = "一二三四五六七八九"
_GRADE_ALIASES = {"初一": "七年级", "初二": "八年级", "初三": "九年级"}


def norm_grade(text: str) -> str:
    """One spelling per grade: 1年级, 一年级, ５年级 → 一年级; 初一 → 七年级. Anything else as written."""
    text = re.sub(r"\s", "", clean_text(text))
    text = _GRADE_ALIASES.get(text, text)
    m = re.fullmatch(r"([1-9])(年级)?", text)
    if m:
        return f"{_NUMERALS[int(m.group(1)) - 1]}年级"
    return text


@dataclass
class Problem:
    row: int
    column: str
    message: str


@dataclass
class ListRow:
    row: int
    name: str = ""
    id_number: str = ""
    gender: str = ""
    birth_date: dt.date | None = None
    grade: str = ""
    klass: str = ""
    left_behind: str = ""  # none / one_parent / both_parents / "" (not given)
    township: str = ""
    village: str = ""
    school: str = ""
    head: str = ""
    relation: str = ""
    assistance: str = ""


@dataclass
class ParsedList:
    kind: str
    rows: list[ListRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # key → the header as written
    unknown: list[str] = field(default_factory=list)
    total_rows: int = 0

    def problem(self, row: int, key_or_header: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            header = self.headers.get(key_or_header, key_or_header)
            self.problems.append(Problem(row, header, message))


# --- the file as rows ----------------------------------------------------------------------------


def _rows(upload, problems: list[Problem]) -> Iterator[tuple[int, tuple]]:
    """The list's rows, read as the import reads a register (``imports.reader``); a CSV line in the
    other encoding of a file mixing GBK and UTF-8 is a problem of its own line."""
    try:
        rows = reader.rows_of(upload, mixed=lambda line, message: problems.append(Problem(line, "", message)))
    except reader.SheetError as exc:
        raise FileError(str(exc)) from exc
    try:
        yield from rows
    except reader.SheetError as exc:
        raise FileError(str(exc)) from exc


# --- the header and the cells --------------------------------------------------------------------


def _index(columns: list[Col]) -> dict[str, Col]:
    return {norm_header(n): c for c in columns for n in (c.header, *c.aliases)}


def read_list(upload, kind: str) -> ParsedList:
    """Every row of the list, cleaned, and every problem found by row and column. Rows of a list with
    problems are not to be compared (the caller stops). Of a 低保 list only the children are kept:
    adults are checked for problems and counted, then dropped."""
    parsed = ParsedList(kind)
    today = timezone.localdate()
    columns = COLUMNS[kind]
    index = _index(columns)
    name_col = next(c for c in columns if c.key == "name")
    name_headers = {norm_header(n) for n in (name_col.header, *name_col.aliases)}
    try:
        rows = _rows(upload, parsed.problems)
        positions: dict[int, Col] = {}
        header_row = 0
        for number, values in rows:
            normed = [norm_header(v) for v in values]
            if name_headers & set(normed):
                header_row = number
                for pos, h in enumerate(normed):
                    if not h:
                        continue
                    col = index.get(h)
                    if col is None:
                        parsed.unknown.append(str(values[pos]).strip())
                    elif col.key not in parsed.headers:
                        positions[pos] = col
                        parsed.headers[col.key] = str(values[pos]).strip()
                break
            if number >= HEADER_SEARCH:
                break
        if not header_row:
            parsed.problem(
                0,
                "",
                _("在前 %(n)s 行没有找到表头（应有“%(name)s”一列）。")
                % {"n": HEADER_SEARCH, "name": name_col.header},
            )
            return parsed
        missing = [c.header for c in columns if c.required and c.key not in parsed.headers]
        if missing:
            parsed.problem(header_row, "", _("缺少必填列：%s") % "、".join(missing))
            return parsed
        seen: dict[str, int] = {}
        for number, values in rows:
            if not any(clean_text(v) for v in values):
                continue
            parsed.total_rows += 1
            if parsed.total_rows > MAX_ROWS:
                raise FileError(
                    _("文件超过一次比对的上限 %(max)s 行。请按乡镇分成几个文件。") % {"max": MAX_ROWS}
                )
            row = _row(parsed, number, values, positions)
            if row is None:
                continue
            if row.id_number:
                if row.id_number in seen:
                    parsed.problem(
                        number, "id_number", _("与第 %s 行的身份证号码重复。") % seen[row.id_number]
                    )
                    continue
                seen[row.id_number] = number
            if kind == ListKind.DIBAO and age_on(row.birth_date, today) >= ADULT_AGE:
                continue  # adults of the household are not compared, and not kept
            parsed.rows.append(row)
    except FileError as exc:
        parsed.problem(0, "", str(exc))
    if not parsed.total_rows and not parsed.problems:
        parsed.problem(0, "", _("名单中没有数据行。"))
    return parsed


def _row(parsed: ParsedList, number: int, values: tuple, positions: dict[int, Col]) -> ListRow | None:
    row = ListRow(number)
    wrong: set[str] = set()  # the columns whose cell was refused
    for pos, col in positions.items():
        value = values[pos] if pos < len(values) else None
        if isinstance(value, reader.CellErrorValue):
            parsed.problem(number, col.key, _("单元格是错误值 %s，请改正公式或填写内容。") % value)
            wrong.add(col.key)
            continue
        if isinstance(value, reader.FormulaWithoutValue) or (
            isinstance(value, str) and value.lstrip().startswith("=")
        ):
            parsed.problem(number, col.key, _("这个单元格是公式，请复制后“粘贴为数值”再上传。"))
            wrong.add(col.key)
            continue
        try:
            _cell(row, col.key, value)
        except CellError as exc:
            parsed.problem(number, col.key, str(exc))
            wrong.add(col.key)
    for col in COLUMNS[parsed.kind]:
        if col.required and col.key in parsed.headers and col.key not in wrong and not getattr(row, col.key):
            parsed.problem(number, col.key, _("必填。"))
            wrong.add(col.key)
    bad = bool(wrong)
    if row.id_number and not bad:
        born = idnumber.birth_date_of(row.id_number)
        if row.birth_date and row.birth_date != born:
            parsed.problem(number, "birth_date", _("出生日期与身份证号码中的出生日期（%s）不一致。") % born)
            bad = True
        row.birth_date = born
        row.gender = row.gender or idnumber.gender_of(row.id_number)
    if parsed.kind == ListKind.SCHOOL and not bad and not row.birth_date:
        parsed.problem(
            number,
            "birth_date" if "birth_date" in parsed.headers else "id_number",
            _("没有身份证号码时须填写出生日期。"),
        )
        bad = True
    if parsed.kind == ListKind.SCHOOL and row.village and not row.township and not bad:
        parsed.problem(number, "township", _("填写了村，也请填写乡镇（各乡镇有同名的村）。"))
        bad = True
    return None if bad else row


def _cell(row: ListRow, key: str, value) -> None:
    if key == "birth_date":
        row.birth_date = parse_date(value)
        return
    text = clean_text(value)
    if text in BLANK:
        return
    if key == "id_number":
        try:
            row.id_number = idnumber.validate(text)
        except idnumber.InvalidIdNumber as exc:
            raise CellError(str(exc)) from exc
    elif key == "gender":
        if text not in GENDERS:
            raise CellError(_("“%s”不是性别（可填：男、女）。") % text)
        row.gender = GENDERS[text]
    elif key == "grade":
        row.grade = norm_grade(text)
    elif key == "left_behind":
        code = LEFT_BEHIND_CODES.get(re.sub(r"\s", "", text))
        if code is None:
            raise CellError(_("“%s”不在选项中（可填：非留守、单亲留守、双亲留守）。") % text)
        row.left_behind = code
    elif key == "assistance":
        code = ASSISTANCE_CODES.get(re.sub(r"\s", "", text))
        if code is None:
            raise CellError(_("“%s”不在选项中（可填：低保、特困）。") % text)
        row.assistance = code
    else:  # a name in the form the registry stores, so that it meets the child's (``children.names``)
        setattr(row, key, (names.query(text) if key in ("name", "head") else text)[:50])
