"""The downloadable import template: one sheet with the Chinese headers, one with the instructions."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from .columns import COLUMNS


def template_xlsx() -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "儿童名册"
    sheet.append([c.header + (" *" if c.required else "") for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter_index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(letter_index)].width = max(
            10, len(column.header) * 2.2
        )
    notes = book.create_sheet("说明")
    notes.append([_("填表说明")])
    notes["A1"].font = Font(bold=True)
    for line in (
        _("每行一名儿童，第一行是表头，请勿修改表头。带 * 的列必填。"),
        _("村（社区）请同时填写乡镇（街道）和村（社区）名称，或填写 12 位区划代码（村名可能重复）。"),
        _("出生日期写作 2015-03-08；Excel 日期格式也可以。身份证号码请设为文本格式，前面的撇号会自动去掉。"),
        _("父母已去世的，姓名一栏可填“—”。选项列请填写下列文字之一："),
    ):
        notes.append([line])
    for column in COLUMNS:
        if column.choices is not None:
            from django.utils import translation

            with translation.override("zh-hans"):
                notes.append(
                    [column.header, "、".join(str(label) for _code, label in column.choices.choices)]
                )
    notes.append(
        [
            _(
                "也可以直接导入按全国《农村留守儿童基本情况登记表》格式整理的表格（“受委托监护人”与“受委托照料人”均可）。"
            )
        ]
    )
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
