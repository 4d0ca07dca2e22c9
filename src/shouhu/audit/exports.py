"""The columns of the audit exports (CSV, web and API alike). Cells are neutralised by ``csvsafe``."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from .redact import display
from .selectors import changes_detail

CHUNK = 500


def log_header() -> list[str]:
    return [
        _("时间"),
        _("用户名"),
        _("操作"),
        _("途径"),
        _("儿童编号"),
        _("区划"),
        _("地址"),
        _("查询条件"),
        _("IP地址"),
    ]


def log_rows(rows) -> Iterator[list]:
    for row in rows.iterator(chunk_size=CHUNK):
        yield [
            timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
            row.username,
            row.get_action_display(),
            row.get_channel_display(),
            row.child_id or "",
            row.region_code,
            display(row.path),
            display(row.query),
            row.ip or "",
        ]


def changes_header() -> list[str]:
    return [_("时间"), _("用户名"), _("儿童编号"), _("档案部分"), _("变更类型"), _("变更字段")]


def changes_rows(user, rows) -> Iterator[list]:
    if rows is None:
        return
    batch: list = []
    for row in rows.iterator(chunk_size=CHUNK) if hasattr(rows, "iterator") else rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            yield from _change_lines(user, batch)
            batch = []
    if batch:
        yield from _change_lines(user, batch)


def _change_lines(user, batch) -> Iterator[list]:
    for change in changes_detail(user=user, rows=batch):
        yield [
            timezone.localtime(change.when).strftime("%Y-%m-%d %H:%M:%S"),
            change.username,
            change.child_id or "",
            change.part_label,
            change.kind_label,
            "、".join(change.fields),
        ]
