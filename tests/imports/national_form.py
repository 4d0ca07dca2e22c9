"""A national basic-situation register (农村留守儿童基本情况登记表) as a county keeps it: title, unit
and date, two header rows (the child's columns merged down, 祖父 / 父亲 / 母亲 / 委托监护人 over their
columns), the place in one cell, options in both wordings, and the signature line under the table."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

CHILD = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "公民身份证号码",
    "是否登记户口",
    "户籍所在地",
    "现居住地",
    "身体情况",
    "残疾类别及等级",
    "患病类型",
    "是否学校寄宿",
    "就学情况",
]
GROUPED = [
    ("祖父", ["姓名", "出生日期"]),
    ("祖母", ["姓名", "出生日期"]),
    ("父亲", ["姓名", "出生日期", "当前务工地点", "联系电话", "公民身份证号码"]),
    ("母亲", ["姓名", "出生日期", "当前务工地点", "联系电话", "公民身份证号码"]),
]
GUARD = ["父母双方同时外出", "父母一方外出、另一方无监护能力", "无监护能力", "有无委托其他监护人"]
CARER = ("委托监护人", ["姓名", "电话", "身份证号码", "与被监护人关系", "居住地址"])
TAIL = ["监护类型", "家庭经济来源", "救助帮扶情况"]


def flat_headers(carer_group: str = "委托监护人") -> list[str]:
    """The columns as the importer names them (group + name), in the sheet's order."""
    out = list(CHILD)
    for group, names in GROUPED:
        out += [group + n for n in names]
    out += GUARD
    out += [carer_group + n for n in CARER[1]]
    out += TAIL
    return out


def national_sheet(rows: list[dict], *, carer_group: str = "委托监护人", formulas: dict | None = None):
    """The workbook as bytes. ``rows``: dicts by flat header. ``formulas``: {(row index, header):
    (formula, stored value)} — cells holding a formula whose result the file stores."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "登记表"
    width = len(flat_headers(carer_group))
    ws.append(["农村留守儿童基本情况登记表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["填报单位：利辛县民政局（盖章）", *[""] * 20, "填报日期：2026年11月10日"])
    top, below = [], []
    for name in CHILD:
        top.append(name)
        below.append(None)
    groups = [*GROUPED]
    for group, names in groups:
        top += [group] + [None] * (len(names) - 1)
        below += names
    for name in GUARD:
        top.append(name)
        below.append(None)
    top += [carer_group] + [None] * (len(CARER[1]) - 1)
    below += CARER[1]
    for name in TAIL:
        top.append(name)
        below.append(None)
    ws.append(top)
    ws.append(below)
    for col, value in enumerate(top, start=1):  # the child's columns merged over both header rows
        if value and below[col - 1] is None:
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    col = len(CHILD) + 1
    for _group, names in [*groups, CARER]:
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + len(names) - 1)
        col += len(names) + (len(GUARD) if _group == "母亲" else 0)
    headers = flat_headers(carer_group)
    stored: dict[str, str] = {}
    for i, row in enumerate(rows):
        values = [row.get(h, "") for h in headers]
        for (index, header), (formula, value) in (formulas or {}).items():
            if index == i:
                values[headers.index(header)] = formula
                stored[formula] = value
        ws.append(values)
    ws.append([])
    ws.append(
        [
            "单位负责人：张建国",
            "",
            "",
            "复核人：李明",
            "",
            "",
            "填表人：王芳",
            "",
            "",
            "联系电话：0558-1234567",
        ]
    )
    out = io.BytesIO()
    book.save(out)
    return _store_results(out.getvalue(), stored)


def _store_results(data: bytes, stored: dict[str, str]) -> bytes:
    """Write the results of formulas into the file, as Excel does when it saves (openpyxl does not)."""
    if not stored:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode("utf-8")
                for formula, value in stored.items():
                    body = formula[1:].replace('"', "&quot;") if "&quot;" in text else formula[1:]
                    text = re.sub(
                        r'<c r="([A-Z]+\d+)"( [^>]*)?><f>' + re.escape(body) + r"</f><v ?/>(</c>)?",
                        lambda m, v=value, f=body: f'<c r="{m.group(1)}" t="str"><f>{f}</f><v>{v}</v></c>',
                        text,
                    )
                content = text.encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()


def upload(data: bytes, name: str = "登记表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
