"""A report's ``Content`` as a PDF (WeasyPrint through ``documents.render``) and as an Excel workbook
(openpyxl), in the active language. Both files carry the same figures; every text cell of the workbook
is neutralised against formula injection (``audit.csvsafe``)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shouhu.audit.csvsafe import safe_cell
from shouhu.documents.render import pdf_bytes

from .selectors import Content

SHEET_TITLE_MAX = 31  # Excel's limit on a sheet's name


def pdf(content: Content) -> bytes:
    return pdf_bytes("quarterly/report_pdf.html", {"c": content, "board": content.board})


def _cell(value: Any) -> Any:
    """Numbers stay numbers (the figures are summed and compared); text never starts a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return safe_cell(value)


def xlsx(content: Content) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    board = content.board
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str] | None, rows: list[list[Any]], first: bool = False):
        ws = book.active if first else book.create_sheet()
        ws.title = safe_cell(title)[:SHEET_TITLE_MAX]
        if header:
            ws.append([_cell(h) for h in header])
            for cell in ws[1]:
                cell.font = bold
        for row in rows:
            ws.append([_cell(v) for v in row])
        return ws

    visits = board.visits
    summary = [
        [_("报告"), content.title],
        [_("统计期间"), f"{content.start:%Y-%m-%d} — {content.end:%Y-%m-%d}"],
        [_("生成时间"), content.generated_at.strftime("%Y-%m-%d %H:%M")],
        [_("版本"), content.version],
        [_("在册儿童"), board.children],
        [_("新登记"), board.changes.get("registered", 0)],
        [_("退出"), board.changes.get("exited", 0)],
        [_("新认定类别"), board.changes.get("gained", 0)],
        [_("不再属于类别"), board.changes.get("lost", 0)],
        [_("期内应走访"), visits.get("due", 0)],
        [_("按时完成"), visits.get("on_time", 0)],
        [_("逾期完成"), visits.get("late", 0)],
        [_("逾期未完成"), visits.get("overdue", 0)],
        [_("走访覆盖率（%）"), visits.get("coverage")],
        [_("儿童之家活动"), board.sessions],
        [_("在办个案"), board.cases.get("open", 0)],
        [_("期内结案"), board.cases.get("closed_in_period", 0)],
        [_("未结高风险个案"), len(content.high_risk)],
    ]
    ws = sheet(_("概况"), None, summary, first=True)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60
    sheet(_("儿童类别"), [_("类别"), _("人数")], [[c["name"], c["n"]] for c in board.categories])
    sheet(_("年龄段"), [_("年龄（周岁）"), _("人数")], [[a["band"], a["n"]] for a in board.ages])
    sheet(
        _("预警个案报告"),
        [_("项目"), _("人数/件数"), _("已超期"), _("最久（天）")],
        [[_("未解除预警") + "·" + a["label"], a["n"], a["late"], a["days"]] for a in board.alerts]
        + [[_("强制报告") + "·" + r["label"], r["n"], None, None] for r in board.reports],
    )
    sheet(
        _("救助帮扶"),
        [
            _("救助类型"),
            _("期内申请"),
            _("期内批准"),
            _("正在发放"),
            _("待审核审批"),
            _("期内发放笔数"),
            _("期内发放金额（元）"),
        ],
        [
            [r["name"], r["applied"], r["approved"], r["paying"], r["waiting"], r["payments"], r["paid"]]
            for r in content.assistance
        ],
    )
    sheet(
        _("期内变化"),
        [_("类别"), _("变化"), _("原因"), _("人数")],
        [[r["category"], r["change"], r["reason"], r["n"]] for r in content.changes]
        + [[_("退出登记"), _("退出"), r["reason"], r["n"]] for r in content.exits],
    )
    if content.named:
        sheet(
            _("变化明细"),
            [_("日期"), _("姓名"), _("村/社区"), _("类别"), _("变化"), _("原因")],
            [
                [r["on"], r["name"], r["village"], r["category"], r["change"], r["reason"]]
                for r in content.change_details
            ],
        )
    sheet(
        _("逾期工作"),
        [_("区域"), _("事项类型"), _("件数"), _("最久逾期（天）")],
        [[r["area"], r["kind"], r["n"], r["days"]] for r in content.overdue],
    )
    if content.named:
        sheet(
            _("逾期事项明细"),
            [_("事项"), _("村/社区"), _("责任人"), _("截止日期"), _("逾期（天）"), _("当前层级")],
            [
                [r["title"], r["village"], r["responsible"], r["due"], r["days"], r["tier"]]
                for r in content.overdue_items
            ],
        )
    header = [_("个案编号")] + ([_("姓名")] if content.named else [])
    header += [
        _("村/社区"),
        _("年龄段"),
        _("类别"),
        _("风险等级"),
        _("状态"),
        _("立案日期"),
        _("已立案（天）"),
        _("逾期事项"),
    ]
    sheet(
        _("高风险个案"),
        header,
        [
            [r["reference"]]
            + ([r["name"]] if content.named else [])
            + [
                r["village"],
                r["age_band"],
                r["categories"],
                r["severity"],
                r["status"],
                r["opened"],
                r["days"],
            ]
            + [r["overdue"]]
            for r in content.high_risk
        ],
    )
    rows = [[_("儿童督导员"), s["township"], s["name"], s["phone"], "", ""] for s in content.supervisors]
    for v in content.villages:
        home = v["home"]
        measures = [
            "；".join(
                part
                for part in (
                    c["reference"],
                    c["name"],
                    _("参与方：%(parties)s") % {"parties": c["parties"]},
                    c["plan"],
                    "、".join(
                        f"{x['name']}（{x['relation'] or x['role']}）{x['phone']}" for x in c["contacts"]
                    ),
                )
                if part
            )
            for c in v["cases"]
        ]
        rows.append(
            [
                _("村/社区"),
                f"{v['township']} {v['name']}".strip(),
                "、".join(d["name"] for d in v["directors"]) or _("未配备"),
                "、".join(d["phone"] for d in v["directors"]),
                f"{home.name} {home.opening_hours}".strip() if home else _("未建立"),
                "\n".join(measures),
            ]
        )
    sheet(
        _("救助措施与联系人"),
        [_("层级"), _("区域"), _("儿童主任/督导员"), _("电话"), _("儿童之家"), _("在办个案救助措施")],
        rows,
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
