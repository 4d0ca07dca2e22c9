"""CSV cells that a spreadsheet will not run as formulas (CSV / formula injection).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
WPS and LibreOffice as a formula or a command; prefixing it with an apostrophe makes it plain text
(OWASP, "CSV Injection"). Every CSV the project writes goes through ``safe_cell`` / ``writer``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The text of ``value`` for a CSV cell, neutralised when it would start a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[str]:
    return [safe_cell(v) for v in values]


class _Echo:
    """A file-like object that hands back what is written: lets ``csv.writer`` feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def stream_rows(header: Iterable[Any], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> Iterator[str]:
    """CSV lines for a ``StreamingHttpResponse``, every cell neutralised.

    The UTF-8 byte-order mark lets Excel on Chinese Windows open the file as UTF-8 rather than GBK.
    """
    out = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    yield out.writerow(safe_row(header))
    for row in rows:
        yield out.writerow(safe_row(row))
