"""The error sheet: the rows a check refused, as they were in the uploaded sheet, to fix and upload again.

One header row (the sheet's columns as the importer named them: a group and its column written
together, 父亲姓名), the rows' cells as read (an Excel date back as a date), then 原行号 and 错误 (every
problem of the row, each with its column). Uploaded again once fixed, it imports as any register;
the children already imported are matched by their ID numbers and left as they are.

A cell holding text that starts with = + - @ is written as text, never as a formula: the file opens
in Excel without running anything.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .columns import EXCEL_EPOCH, header_index, norm_header
from .services import rejected_rows


def error_sheet(path: Path | None) -> bytes:
    """The sheet of a job's rows with problems (``path``: their sealed file; None: no such rows)."""
    headers, rows = rejected_rows(path) if path is not None else ([], iter(()))
    width = max((pos for pos, _h in headers), default=-1) + 1
    names = [""] * width
    for pos, header in headers:
        names[pos] = header
    index = header_index()
    dates = {pos for pos, header in headers if getattr(index.get(norm_header(header)), "kind", "") == "date"}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("待改正"))
    bold = Font(bold=True)
    sheet.append([_text(sheet, name, bold) for name in [*names, _("原行号"), _("错误")]])
    for row in rows:
        values = list(row["v"]) + [None] * (width - len(row["v"]))
        cells = [_cell(sheet, value, pos in dates) for pos, value in enumerate(values[:width])]
        errors = "；".join(f"{column}：{message}" if column else message for column, message in row["e"])
        sheet.append([*cells, row["n"], _text(sheet, errors)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(sheet, value, font=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value:
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if font is not None:
        cell.font = font
    return cell


def _cell(sheet, value, is_date: bool):
    if is_date and isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 80000:
        cell = WriteOnlyCell(sheet, value=EXCEL_EPOCH + dt.timedelta(days=int(value)))
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str):
        return _text(sheet, value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**11:
        return _text(sheet, str(value))  # an ID number stored as a number: kept whole, as text
    return value
