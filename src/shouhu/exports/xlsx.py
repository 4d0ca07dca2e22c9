"""A streaming writer of one-sheet Excel workbooks (Office Open XML, .xlsx), for large exports.

openpyxl's write-only mode builds an object and an XML element for every cell: a county's export of
100,000 children took 49 s of CPU with it (tests/bench/export.py), beyond the 30 s an export may take.
This writer formats each row as text and deflates it into the package as it comes: the same export
took 15.5 s of CPU, rows read and decrypted included, with memory bounded by one row. Excel, WPS and
openpyxl (which the tests read the files back with) open it. It writes only what exports need: text
(inline strings, never formulas), numbers, dates, a bold header, merged header cells, frozen header
rows and column widths.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable
from typing import IO, Any

EPOCH = dt.date(1899, 12, 30)
# Characters XML 1.0 cannot hold; a cell holding one would make the file unreadable.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
PLAIN, HEADER, DATE, TITLE = 0, 1, 2, 3  # the cell styles of styles.xml below

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>\
<fonts count="3"><font><sz val="11"/><name val="宋体"/></font>\
<font><b/><sz val="11"/><name val="宋体"/></font><font><b/><sz val="14"/><name val="宋体"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">\
<alignment horizontal="center" vertical="center"/></xf>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">\
<alignment horizontal="center" vertical="center"/></xf></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def escape(text: str) -> str:
    """Text for an XML element or a double-quoted attribute."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class SheetWriter:
    """Rows appended one at a time into ``out`` (a binary file); ``close`` finishes the package.

    ``widths`` gives each column's width; ``frozen`` the number of rows kept in view at the top;
    ``merged`` ranges such as ``A1:D1``, known before the rows are written."""

    def __init__(
        self, out: IO[bytes], *, name: str, widths: list[int], frozen: int = 0, merged: Iterable[str] = ()
    ):
        self.package = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        for part, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK.format(name=escape(name))),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
        ):
            self.package.writestr(part, text)
        self.sheet = self.package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.letters = [column_letter(i) for i in range(1, len(widths) + 1)]
        self.merged = list(merged)
        self.row = 0
        self.buffer: list[str] = []
        head = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        ]
        if frozen:
            head.append(
                '<sheetViews><sheetView workbookViewId="0">'
                f'<pane ySplit="{frozen}" topLeftCell="A{frozen + 1}" activePane="bottomLeft"'
                ' state="frozen"/>'
                "</sheetView></sheetViews>"
            )
        head.append("<cols>")
        head += [f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1)]
        head.append("</cols><sheetData>")
        self._write("".join(head))

    def _write(self, text: str) -> None:
        self.buffer.append(text)
        if len(self.buffer) >= 256:
            self.sheet.write("".join(self.buffer).encode("utf-8"))
            self.buffer = []

    def append(self, values: list[Any], style: int = PLAIN) -> None:
        """One row; ``None`` and "" leave a cell empty. Text is written as text, never as a formula."""
        self.row += 1
        n = str(self.row)
        cells = [f'<row r="{n}">']
        for letter, value in zip(self.letters, values, strict=False):
            if value is None or value == "":
                continue
            ref = letter + n
            if isinstance(value, bool):
                value = "是" if value else "否"
            if isinstance(value, int | float):
                cells.append(f'<c r="{ref}" s="{style}"><v>{value}</v></c>')
            elif isinstance(value, dt.date):
                days = (
                    (value - EPOCH).days
                    if not isinstance(value, dt.datetime)
                    else (value.date() - EPOCH).days
                )
                cells.append(f'<c r="{ref}" s="{DATE}"><v>{days}</v></c>')
            else:
                text = escape(ILLEGAL.sub("", str(value)))
                cells.append(
                    f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
                )
        cells.append("</row>")
        self._write("".join(cells))

    def close(self) -> None:
        tail = ["</sheetData>"]
        if self.merged:
            tail.append(f'<mergeCells count="{len(self.merged)}">')
            tail += [f'<mergeCell ref="{ref}"/>' for ref in self.merged]
            tail.append("</mergeCells>")
        tail.append("</worksheet>")
        self._write("".join(tail))
        self.sheet.write("".join(self.buffer).encode("utf-8"))
        self.buffer = []
        self.sheet.close()
        self.package.close()
