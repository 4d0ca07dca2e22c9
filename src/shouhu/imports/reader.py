"""Reading an uploaded sheet as a stream of rows: Excel (.xlsx, read-only mode) or CSV (UTF-8 or GB18030).

The size is checked before anything is read; rows are yielded one at a time, never the whole file.
The header is found in the first rows: the row holding 姓名, with the row above it read as groups
when it names 父亲, 母亲 or 受委托照料人 (merged cells leave a group in its first cell only).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from .columns import GROUPS, Column, header_index, norm_header

HEADER_SEARCH = 6  # rows at the top that may hold the title, 填报单位 and the header


class SheetError(ValueError):
    """The file as a whole cannot be read: wrong type, too big, no header."""


@dataclass
class Sheet:
    columns: dict[int, Column]  # position → column
    headers: dict[int, str]  # position → the header as written
    unknown: list[str]
    first_row: int  # the row number (1-based, as the spreadsheet shows it) of the first data row
    rows: Iterator[tuple[int, tuple]]  # (row number, values)


def open_sheet(upload) -> Sheet:
    limit = getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)
    if upload.size > limit:
        raise SheetError(
            _("文件太大（%(size)s MB），最大 %(max)s MB。请按乡镇分成几个文件。")
            % {"size": round(upload.size / 1024 / 1024, 1), "max": limit // 1024 // 1024}
        )
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(upload)
    elif name.endswith(".csv"):
        rows = _csv_rows(upload)
    else:
        raise SheetError(_("只能导入 .xlsx 或 .csv 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）。"))
    return _with_header(rows)


def _xlsx_rows(upload) -> Iterator[tuple[int, tuple]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SheetError(_("无法读取这个 Excel 文件，请确认它是 .xlsx 格式。")) from exc
    sheets = [s for s in book.worksheets if norm_header(s.title) not in ("说明", "填表说明")]
    if not sheets:
        raise SheetError(_("文件中没有数据表。"))

    def rows():
        try:
            yield from enumerate(sheets[0].iter_rows(values_only=True), start=1)
        finally:
            book.close()

    return rows()


def _csv_rows(upload) -> Iterator[tuple[int, tuple]]:
    head = upload.read(4096)
    upload.seek(0)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut multi-byte character at the end of the sample is still UTF-8.
        if exc.start < len(head) - 3:
            encoding = "gb18030"
    text = io.TextIOWrapper(getattr(upload, "file", upload), encoding=encoding, newline="")
    try:
        yield from ((n, tuple(r)) for n, r in enumerate(csv.reader(text), start=1))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SheetError(_("无法读取这个 CSV 文件：%s") % exc) from exc


def _with_header(rows: Iterator[tuple[int, tuple]]) -> Sheet:
    index = header_index()
    above: tuple = ()
    seen = []
    for number, values in rows:
        seen.append(values)
        names = [norm_header(v) for v in values]
        if "姓名" in names or "儿童姓名" in names:
            groups = _groups(above)
            columns, headers, unknown = {}, {}, []
            for pos, name in enumerate(names):
                if not name:
                    continue
                group = groups.get(pos, "")
                column = index.get(group + name) if group else None
                column = column or index.get(name)
                written = f"{group}{name}" if group else str(values[pos]).strip()
                if column is None:
                    unknown.append(written)
                    continue
                if column in columns.values():
                    continue  # the first of two columns with one meaning is read
                columns[pos] = column
                headers[pos] = written
            return Sheet(columns, headers, unknown, number + 1, rows)
        above = values
        if number >= HEADER_SEARCH:
            break
    raise SheetError(
        _("在前 %s 行没有找到表头（应有“姓名”一列）。请使用导入模板或全国登记表的格式。") % HEADER_SEARCH
    )


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
