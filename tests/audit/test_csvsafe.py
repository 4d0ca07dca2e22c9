import csv
import io

import pytest

from shouhu.audit.csvsafe import safe_cell, stream_rows


@pytest.mark.parametrize("text", ["=1+2", "+86 138", "-2+3", "@SUM(A1)", "\tcmd", "\r=cmd"])
def test_a_cell_that_would_start_a_formula_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(("value", "expected"), [("梦巧", "梦巧"), ("a=b", "a=b"), (12, "12"), (None, "")])
def test_ordinary_cells_are_left_as_they_are(value, expected):
    assert safe_cell(value) == expected


def test_a_streamed_csv_neutralises_every_cell_header_included():
    text = "".join(stream_rows(["=H"], [['=HYPERLINK("http://x")', "ok"]]))

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["'=H"], ['\'=HYPERLINK("http://x")', "ok"]]
