"""Exporting the children list a user sees: CSV streamed as it is read, Excel written to a temporary file.

``children_export`` is what the web page and the API both call. It refuses users who may not export
(``access.can_export_children``), counts the rows, and returns an ``Export`` whose content is produced
as it is read: the CSV row by row in blocks of about 64 KB (UTF-8 with a byte-order mark, so that Excel
on Chinese Windows reads it as UTF-8), the workbook row by row (``xlsx.SheetWriter``) into a temporary
file that is gone once sent. Every text cell, in both formats, goes through ``audit.csvsafe``, so a
name or an address that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is text,
not a formula. ``log_text`` is what the access log records of the export: format, layout, whether
whole numbers were given, the row count and the filter.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhu.accounts import access
from shouhu.audit.csvsafe import safe_cell

from . import layouts, xlsx
from .selectors import export_count, export_records

CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BLOCK = 64 * 1024


@dataclass
class Export:
    filename: str
    content_type: str
    rows: int
    layout: str
    format: str
    full_numbers: bool
    filters: dict[str, Any] = field(default_factory=dict)
    content: Iterator[bytes] | None = None  # CSV: produced while the response is sent
    file: IO[bytes] | None = None  # XLSX: a temporary file, removed when closed

    def log_text(self) -> str:
        """The access log's account of the export (the log keeps 500 characters)."""
        numbers = "full ID and phone numbers" if self.full_numbers else "numbers masked"
        wanted = urlencode({k: v for k, v in self.filters.items() if v not in ("", None, False)})
        what = f"children export: {self.format}, {self.layout}, {numbers}, {self.rows} rows"
        return f"{what}; filter: {wanted or '-'}"


def children_export(
    *, user, filters: dict, layout: str = layouts.REGISTER, fmt: str = CSV, full_numbers: bool = False
) -> Export:
    """The export of what ``children_list(user=user, **filters)`` shows, every page of it."""
    if not access.can_export_children(user):
        raise PermissionDenied(_("您的账号不能导出儿童名单。"))
    full_numbers = bool(full_numbers) and access.can_export_full_numbers(user)
    shape = layouts.layout(layout)
    rows = export_count(user=user, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = "登记表" if shape.key == layouts.NATIONAL else "儿童名册"
    export = Export(
        filename=f"{name}-{stamp}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
        rows=rows,
        layout=shape.key,
        format=fmt,
        full_numbers=full_numbers,
        filters=dict(filters),
    )
    records = export_records(user=user, filters=filters, full_numbers=full_numbers)
    heading, footer = _heading(user, shape), _footer(user, shape)
    if fmt == XLSX:
        export.file = write_xlsx(shape, heading, records, footer)
    else:
        export.content = stream_csv(shape, heading, records, footer)
    return export


def _heading(user, shape: layouts.Layout) -> list[list[str]]:
    """Rows above the header: the national form's title, 填报单位 and 填报日期."""
    if not shape.title:
        return []
    unit = user.organisation.name if getattr(user, "organisation_id", None) else ""
    if not unit and user.region_id:
        unit = user.region.full_name.replace(" ", "")  # 利辛县王市镇前潘村
    return [
        [shape.title],
        [f"填报单位：{unit}", "", "", "", f"填报日期：{timezone.localdate():%Y年%m月%d日}"],
    ]


def header_rows(shape: layouts.Layout) -> list[list[str]]:
    """One header row, or for the national form the groups over the fields (a group named once, in the
    first column it covers, as a merged cell reads back)."""
    names = [c.header for c in shape.columns]
    if not shape.grouped:
        return [names]
    groups, previous = [], None
    for column in shape.columns:
        groups.append(column.group if column.group != previous else "")
        previous = column.group
    return [groups, names]


def _footer(user, shape: layouts.Layout) -> list[list[str]]:
    if not shape.footer:
        return []
    signer = getattr(user, "full_name", "") or ""
    cells: list[str] = []
    for label in shape.footer:
        cells += [label + (signer if label == shape.footer[-1] else ""), "", "", ""]
    return [[], cells]


# --- CSV --------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def stream_csv(shape: layouts.Layout, heading: list, records, footer: list = ()) -> Iterator[bytes]:
    """The CSV as UTF-8 blocks of about ``BLOCK`` bytes, byte-order mark first."""
    out = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        for row in [*heading, *header_rows(shape)]:
            yield out.writerow([safe_cell(v) for v in row])
        for record in records:
            yield out.writerow([safe_cell(_text(v)) for v in layouts.cells(shape, record)])
        for row in footer:
            yield out.writerow([safe_cell(v) for v in row])

    buffer: list[str] = []
    size = 0
    for line in lines():
        buffer.append(line)
        size += len(line)
        if size >= BLOCK // 3:  # about BLOCK bytes once encoded (Chinese is 3 bytes a character)
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


# --- Excel ------------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """Text neutralised as in CSV (``csvsafe``); dates and numbers as they are."""
    return safe_cell(value) if isinstance(value, str) else value


def write_xlsx(shape: layouts.Layout, heading: list, records, footer: list = ()) -> IO[bytes]:
    """The workbook in a temporary file (already unlinked: it goes when closed), positioned at 0."""
    headers = header_rows(shape)
    width = len(shape.columns)
    merged = []
    if shape.title:
        merged.append(f"A1:{xlsx.column_letter(width)}1")
    if shape.grouped:
        merged += _group_ranges(shape, len(heading) + 1)
    out = tempfile.TemporaryFile()
    sheet = xlsx.SheetWriter(
        out,
        name="登记表" if shape.key == layouts.NATIONAL else "儿童名册",
        widths=[c.width for c in shape.columns],
        frozen=len(heading) + len(headers),
        merged=merged,
    )
    for index, row in enumerate(heading):
        sheet.append([_cell(v) for v in row], style=xlsx.TITLE if index == 0 else xlsx.PLAIN)
    for row in headers:
        sheet.append([_cell(v) for v in row], style=xlsx.HEADER)
    for record in records:
        sheet.append([_cell(v) for v in layouts.cells(shape, record)])
    for row in footer:
        sheet.append([_cell(v) for v in row])
    sheet.close()
    out.seek(0)
    return out


def _group_ranges(shape: layouts.Layout, row: int) -> list[str]:
    """Each group's cell spans the columns under it, as on the form."""
    ranges, start, columns = [], 1, shape.columns
    for index in range(1, len(columns) + 1):
        if index == len(columns) or columns[index].group != columns[index - 1].group:
            if index > start and columns[start - 1].group:
                ranges.append(f"{xlsx.column_letter(start)}{row}:{xlsx.column_letter(index)}{row}")
            start = index + 1
    return ranges
