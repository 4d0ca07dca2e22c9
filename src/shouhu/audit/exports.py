"""The columns of the audit exports (CSV, web and API alike). Cells are neutralised by ``csvsafe``.

A person is named by their full name (姓名), as the pages name them, with the login name (用户名) in a
column of its own; a row of a job or of an account since removed keeps the login name it was logged with."""

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
        _("姓名"),
        _("用户名"),
        _("操作"),
        _("途径"),
        _("儿童编号"),
        _("区划"),
        _("地址"),
        _("查询条件"),
        _("IP地址"),
    ]


def full_names(user_ids) -> dict:
    """{user id: full name, the login name where none is recorded}: one query."""
    from shouhu.accounts.models import User

    ids = {pk for pk in user_ids if pk}
    rows = User.objects.filter(pk__in=ids).values_list("pk", "full_name", "username") if ids else []
    return {pk: full or username for pk, full, username in rows}


def log_rows(rows) -> Iterator[list]:
    batch: list = []
    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) >= CHUNK:
            yield from _log_lines(batch)
            batch = []
    if batch:
        yield from _log_lines(batch)


def _log_lines(batch) -> Iterator[list]:
    names = full_names(row.user_id for row in batch)
    for row in batch:
        yield [
            timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
            names.get(row.user_id) or row.username,
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
    return [_("时间"), _("姓名"), _("用户名"), _("儿童编号"), _("档案部分"), _("变更类型"), _("变更字段")]


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
            change.person,
            change.username,
            change.child_id or "",
            change.part_label,
            change.kind_label,
            "、".join(change.fields),
        ]
