"""Reading an uploaded sheet as a stream of rows: Excel (.xlsx) or CSV (UTF-8 or GBK/GB18030).

The size is checked before anything is read, and the number of rows as they come (for an .xlsx,
also from the sheet's own dimension, before the first row): a file over either cap is refused
without being read whole. Rows are yielded one at a time, never the whole file.

An .xlsx is a zip of XML parts; the first worksheet is parsed with the standard library's expat
parser fed in chunks of the decompressed stream. openpyxl's read-only mode does the same with far
more work per cell (styles, types) and took over a minute for 100,000 rows on a two-core machine;
this reader takes a few seconds. Values come as the sheet stores them: shared and inline strings,
numbers (dates stay Excel serial numbers, which ``columns.parse_date`` reads), the cached result of
a formula. A formula without a stored result (a file written by a program and never opened in
Excel), an error value (#N/A) and merged cells in the data rows (only the first row of a merged
range holds the value) are reported by row and column, so nothing is read as blank by mistake.

A CSV is decoded line by line, UTF-8 first and GB18030 (a superset of GBK) otherwise: offices save
in either, and a file put together from two offices may hold both.

The header is found in the first rows: the row holding 姓名, with the row above it read as groups
when it names 父亲, 母亲 or 受委托照料人 (merged cells leave a group in its first cell only).
"""

from __future__ import annotations

import csv
import itertools
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET  # small workbook parts; sheets go to expat  # nosec B405
from xml.parsers import expat  # expands no external entity  # nosec B406

from django.conf import settings
from django.utils.translation import gettext as _

from .columns import GROUPS, Column, header_index, norm_header

Mismatch = Callable[[int, str], None]  # told of a CSV line in the other encoding: (line, message)
HEADER_SEARCH = 6  # rows at the top that may hold the title, 填报单位 and the header
DEFAULT_MAX_BYTES = 40 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000
CHUNK = 256 * 1024
MAX_SHARED_STRINGS = 256 * 1024 * 1024  # bytes of the workbook's text table, unzipped


class SheetError(ValueError):
    """The file as a whole cannot be read: wrong type, too big, no header."""


class FormulaWithoutValue(str):
    """A formula cell whose result the file does not store: its text ("=HYPERLINK(…)"), never run."""


class CellErrorValue(str):
    """An Excel error value (#N/A, #VALUE! …)."""


@dataclass
class Sheet:
    columns: dict[int, Column]  # position → column
    headers: dict[int, str]  # position → the header as written (every column, read or not)
    unknown: list[str]
    first_row: int  # the row number (1-based, as the spreadsheet shows it) of the first data row
    rows: Iterator[tuple[int, tuple]]  # (row number, values)
    # Found only once every row was read (merged ranges follow the rows in the file): (row, pos, text).
    notes: list[tuple[int, int, str]] = field(default_factory=list)


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def check_size(upload) -> None:
    limit = max_bytes()
    if upload.size > limit:
        raise SheetError(
            _("文件太大（%(size)s MB），最大 %(max)s MB。请按乡镇分成几个文件。")
            % {"size": round(upload.size / 1024 / 1024, 1), "max": limit // 1024 // 1024}
        )


def kind_of(name: str) -> str:
    name = (name or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    raise SheetError(_("只能读取 .xlsx 或 .csv 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）。"))


def rows_of(
    upload, *, notes: list | None = None, mixed: Mismatch | None = None
) -> Iterator[tuple[int, tuple]]:
    """The rows of an uploaded sheet as (row number, values), read as a stream, for any module that
    reads spreadsheets (the import, the cross-checks): the size checked first, the first worksheet
    that is not 说明, or a CSV in UTF-8 or GBK (``_decoded_lines``). Merged ranges go to ``notes``."""
    check_size(upload)
    kind = kind_of(upload.name)
    upload.seek(0)
    return _xlsx_rows(upload, [] if notes is None else notes) if kind == "xlsx" else _csv_rows(upload, mixed)


def open_sheet(upload) -> Sheet:
    notes: list[tuple[int, int, str]] = []
    sheet = _with_header(_capped(rows_of(upload, notes=notes)))
    sheet.notes = notes
    return sheet


def _too_many(count: int | None = None) -> SheetError:
    limit = max_rows()
    if count:
        return SheetError(
            _("文件有 %(count)s 行，超过一次导入的上限 %(max)s 行。请按乡镇分成几个文件。")
            % {"count": count, "max": limit}
        )
    return SheetError(_("文件超过一次导入的上限 %(max)s 行。请按乡镇分成几个文件。") % {"max": limit})


def _capped(rows: Iterator[tuple[int, tuple]]) -> Iterator[tuple[int, tuple]]:
    """Stop at the row cap (the title and header rows leave room: HEADER_SEARCH)."""
    limit = max_rows() + HEADER_SEARCH
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise _too_many()
        yield row


# Excel ---------------------------------------------------------------------------------------------

_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_RANGE = re.compile(r"^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$")
_BROKEN = (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, NotImplementedError, ET.ParseError)


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _local(tag: str) -> str:
    return tag.rpartition("}")[2].rpartition(":")[2]


def _first_sheet(book: zipfile.ZipFile) -> str:
    """The path of the first worksheet that is not a sheet of instructions (说明)."""
    workbook = ET.fromstring(book.read("xl/workbook.xml"))  # a few KB, no entity expanded  # nosec B314
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))  # nosec B314
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        if norm_header(element.get("name")) in ("说明", "填表说明"):
            continue
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        target = targets.get(rid, "")
        if not target:
            continue
        return (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        )
    raise SheetError(_("文件中没有数据表。"))


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    try:
        info = book.getinfo("xl/sharedStrings.xml")
    except KeyError:
        return []
    if info.file_size > MAX_SHARED_STRINGS:  # the one part held in memory: a zip bomb stops here
        raise SheetError(_("文件解压后太大，无法读取。请按乡镇分成几个文件。"))
    strings: list[str] = []
    parts: list[str] = []
    depth = {"rPh": 0, "t": False}

    def start(name, attrs):
        name = name.rpartition(":")[2]
        if name == "si":
            parts.clear()
        elif name == "rPh":  # the phonetic guide of Japanese files: not part of the text
            depth["rPh"] += 1
        elif name == "t" and not depth["rPh"]:
            depth["t"] = True

    def end(name):
        name = name.rpartition(":")[2]
        if name == "si":
            strings.append("".join(parts))
        elif name == "rPh":
            depth["rPh"] -= 1
        elif name == "t":
            depth["t"] = False

    def text(data):
        if depth["t"]:
            parts.append(data)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    with book.open(info) as fh:
        parser.ParseFile(fh)
    return strings


class _SheetParser:
    """Turns the worksheet XML into (row number, values) as expat reports the elements."""

    def __init__(self, strings: list[str]):
        self.strings = strings
        self.ready: list[tuple[int, tuple]] = []
        self.merged: list[str] = []
        self.dimension_rows: int | None = None
        self.row_number = 0
        self.values: dict[int, object] = {}
        self.cell_pos = -1
        self.cell_type = ""
        self.has_formula = False
        self.text: list[str] | None = None
        self.cell_text: list[str] = []
        self.formula: list[str] = []
        self.in_rph = 0
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        self.parser = parser

    def feed(self, chunk: bytes, final: bool = False) -> None:
        self.parser.Parse(chunk, final)

    def start(self, name, attrs):
        name = name.rpartition(":")[2]
        if name == "c":
            ref = _REF.match(attrs.get("r", ""))
            self.cell_pos = _col(ref.group(1)) if ref else self.cell_pos + 1
            self.cell_type = attrs.get("t", "n")
            self.has_formula = False
            self.cell_text = []
            self.formula = []
        elif name in ("v", "t") and not self.in_rph:
            self.text = self.cell_text
        elif name == "f":
            self.has_formula = True
            self.text = self.formula
        elif name == "row":
            r = attrs.get("r")
            self.row_number = int(r) if r and r.isdigit() else self.row_number + 1
            self.values = {}
            self.cell_pos = -1
        elif name == "rPh":
            self.in_rph += 1
        elif name == "dimension":
            match = _RANGE.match(attrs.get("ref", ""))
            if match and match.group(4):
                self.dimension_rows = int(match.group(4))
        elif name == "mergeCell":
            self.merged.append(attrs.get("ref", ""))

    def end(self, name):
        name = name.rpartition(":")[2]
        if name in ("v", "t", "f"):
            self.text = None
        elif name == "c":
            self.values[self.cell_pos] = self.value()
        elif name == "row":
            if self.values:
                width = max(self.values) + 1
                self.ready.append((self.row_number, tuple(self.values.get(i) for i in range(width))))
        elif name == "rPh":
            self.in_rph -= 1

    def data(self, text):
        if self.text is not None:
            self.text.append(text)

    def value(self):
        raw = "".join(self.cell_text)
        kind = self.cell_type
        if not raw:
            return FormulaWithoutValue("=" + "".join(self.formula)) if self.has_formula else None
        if kind == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError):
                return None
        if kind in ("inlineStr", "str"):
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "e":
            return CellErrorValue(raw)
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if number.is_integer() and "E" not in raw.upper() else number


def _xlsx_rows(upload, notes: list) -> Iterator[tuple[int, tuple]]:
    try:
        book = zipfile.ZipFile(upload)
        path = _first_sheet(book)
        strings = _shared_strings(book)
        info = book.getinfo(path)
    except SheetError:
        raise
    except (*_BROKEN, expat.ExpatError) as exc:
        raise SheetError(_("无法读取这个 Excel 文件，请确认它是 .xlsx 格式。")) from exc

    def rows():
        parser = _SheetParser(strings)
        checked = False
        try:
            with book.open(info) as fh:
                while True:
                    chunk = fh.read(CHUNK)
                    parser.feed(chunk, final=not chunk)
                    if not checked and parser.dimension_rows is not None:
                        checked = True
                        if parser.dimension_rows > max_rows() + HEADER_SEARCH:
                            raise _too_many(parser.dimension_rows)
                    yield from parser.ready
                    parser.ready.clear()
                    if not chunk:
                        break
        except SheetError:
            raise
        except (*_BROKEN, expat.ExpatError) as exc:
            raise SheetError(_("无法读取这个 Excel 文件，请确认它是 .xlsx 格式。")) from exc
        finally:
            book.close()
        for ref in parser.merged:
            match = _RANGE.match(ref.replace("$", ""))
            if match and match.group(3):
                top, bottom = int(match.group(2)), int(match.group(4))
                if bottom > top:
                    notes.append((top, _col(match.group(1)), f"{top}-{bottom}"))

    return rows()


# CSV -----------------------------------------------------------------------------------------------


ENCODINGS = {"utf-8": "UTF-8", "gb18030": "GBK"}


def _decoded_lines(upload, mixed: Mismatch | None = None) -> Iterator[str]:
    """The CSV's lines, in UTF-8 (with or without a BOM) or GBK (GB18030): the file's encoding is that
    of its first line that is not plain ASCII. A later line in the other encoding is a file pieced
    together from two sources: it is refused, as a ``SheetError``, or told to ``mixed`` (line number,
    message) and skipped so that every such line can be listed."""
    chosen = ""
    for number, raw in enumerate(getattr(upload, "file", upload), start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if number == 1 and b"\x00" in raw:
            raise SheetError(_("这不是 CSV 文本文件（含有二进制内容）。请上传 .xlsx 或 .csv 文件。"))
        if chosen:
            try:
                yield raw.decode(chosen)
            except UnicodeDecodeError:
                message = _(
                    "第 %(line)s 行不是 %(encoding)s 编码：文件混用了 GBK 和 UTF-8。"
                    "请用同一种编码另存整个文件。"
                ) % {"line": number, "encoding": ENCODINGS[chosen]}
                if mixed is None:
                    raise SheetError(message) from None
                mixed(number, message)
                yield "\r\n"  # its cells are not read: they would be reported garbled
            continue
        for encoding in ENCODINGS:
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not raw.isascii():
                chosen = encoding
            yield text
            break
        else:
            raise SheetError(
                _("CSV 文件第 %s 行既不是 UTF-8 也不是 GBK 编码，请在 Excel 中另存为“CSV UTF-8”后再上传。")
                % number
            )


def _csv_rows(upload, mixed: Mismatch | None = None) -> Iterator[tuple[int, tuple]]:
    reader = csv.reader(_decoded_lines(upload, mixed))
    try:
        for values in reader:
            yield reader.line_num, tuple(values)
    except csv.Error as exc:
        raise SheetError(
            _("CSV 文件第 %(line)s 行格式有误：%(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc


# The header ----------------------------------------------------------------------------------------


SUBHEADERS = {"姓名", "出生日期", "联系电话", "电话", "身份证号码", "公民身份证号码", "与被监护人关系"}


def _with_header(rows: Iterator[tuple[int, tuple]]) -> Sheet:
    """The header: the row holding 姓名, with the row above read as groups (父亲 over 姓名 …), or — as
    the national form is laid out — two header rows, the first holding the child's columns (merged
    down) and the groups, the second the names under each group."""
    above: tuple = ()
    for number, values in rows:
        names = [norm_header(v) for v in values]
        if "姓名" in names or "儿童姓名" in names:
            groups = _groups(values)
            if groups:
                nxt = next(rows, None)
                below = [norm_header(v) for v in nxt[1]] if nxt else []
                if nxt and SUBHEADERS & set(below):
                    merged = [below[i] if i < len(below) and below[i] else n for i, n in enumerate(names)]
                    merged += below[len(names) :]
                    return _sheet(merged, _groups(values), list(merged), nxt[0] + 1, rows)
                if nxt:
                    rows = itertools.chain([nxt], rows)
            return _sheet(names, _groups(above), list(values), number + 1, rows)
        above = values
        if number >= HEADER_SEARCH:
            break
    raise SheetError(
        _("在前 %s 行没有找到表头（应有“姓名”一列）。请使用导入模板或全国登记表的格式。") % HEADER_SEARCH
    )


def _sheet(names: list[str], groups: dict[int, str], written_as: list, first_row: int, rows) -> Sheet:
    index = header_index()
    columns, headers, unknown = {}, {}, []
    for pos, name in enumerate(names):
        if not name:
            continue
        group = groups.get(pos, "")
        if group == name:
            group = ""
        column = index.get(group + name) if group else None
        column = column or index.get(name)
        written = f"{group}{name}" if group else str(written_as[pos]).strip()
        headers[pos] = written
        if column is None or not column.kept:
            unknown.append(written)
            continue
        if column in columns.values():
            continue  # the first of two columns with one meaning is read
        columns[pos] = column
    return Sheet(columns, headers, unknown, first_row, rows)


def _groups(above: tuple) -> dict[int, str]:
    """Group names over the header (父亲 over 姓名, 联系电话 …), carried across merged cells."""
    groups, current = {}, ""
    for pos, value in enumerate(above or ()):
        name = norm_header(value)
        if name:
            current = name if name in GROUPS else ""
        if current:
            groups[pos] = current
    return groups
