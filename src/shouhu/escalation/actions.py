"""Where each piece of work is done, and what clears it: the one home of that answer.

Every work item, alert and notification the pages and the API show leads somewhere: the form that
records the visit, the alert with its response buttons, the case, the report, the referral. The item's
kind (``visit.director``, ``alert_task.police_informed`` …) says which page; its key names the record
(``alert:<id>:…``, ``case-task:<case>:…``), so no query is needed to find the way. ``clears`` is one
short line telling the responsible person what will close the item, in the reader's language.

The pages (``visits/_work_item.html``, the alert list, the notices) and the API serializers read
``item_action`` / ``alert_action`` / ``notice_action``; nothing else words these.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# Response tasks of an alert (``alert_task.<mark>``): what the button records.
_MARK_LABELS = {
    "police_informed": _("记录已报告公安机关"),
    "notice_sent": _("记录已发出告知书"),
    "school_notified": _("记录已通知学校"),
    "guardian_urged": _("记录已督促监护人"),
}
_MARK_CLEARS = {
    "police_informed": _("向公安机关报告后，在预警页点“已报告公安机关”即完成。"),
    "notice_sent": _("向监护人送达督促监护告知书后，在预警页点“已发出督促监护告知书”即完成。"),
    "school_notified": _("通知学校和教育部门后，在预警页点“已通知学校和教育部门”即完成。"),
    "guardian_urged": _("督促监护人履行监护职责后，在预警页点“已督促监护人”即完成。"),
}


@dataclass(frozen=True)
class Action:
    """Where to go (``url``, None when the reader has nowhere to go), what the button says, and what
    will clear the item."""

    url: str | None
    label: str
    clears: str

    def as_dict(self) -> dict[str, str | None]:
        return {k: (None if v is None else str(v)) for k, v in asdict(self).items()}


def _part(key: str, index: int) -> str:
    parts = (key or "").split(":")
    return parts[index] if len(parts) > index else ""


def _url(name: str, anchor: str = "", **kwargs) -> str | None:
    try:
        url = reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # a malformed key: better no link than a broken one
        return None
    return f"{url}#{anchor}" if anchor else url


def _alert_of(item):
    from django.core.exceptions import ObjectDoesNotExist

    try:
        alert = item.alert
    except (ObjectDoesNotExist, ValueError):
        return None
    return alert.pk if alert is not None else None


def _risk_of(item) -> str | None:
    """The child's file at its risk, where an alert is acted on when the alert cannot be named."""
    return _url("children:detail", "risk", pk=item.child_id) if item.child_id else None


def item_action(item) -> Action:
    """The action of a work item (``escalation.WorkItem``), by its kind."""
    kind, key = item.kind or "", item.key or ""
    family, _dot, detail = kind.partition(".")
    if family == "visit":
        url = _url("visits:visit_new", pk=item.child_id) if item.child_id else None
        if detail == "urgent":
            return Action(url, _("登记入户走访"), _("入户见到儿童并确认有人照料，保存走访即完成。"))
        if detail == "county":
            return Action(url, _("登记走访"), _("县儿童福利指导中心工作人员登记一次见到儿童的走访即完成。"))
        return Action(
            url,
            _("登记走访"),
            _("登记一次见到儿童的走访即完成；逾期后补做的走访也算，计为逾期完成。"),
        )
    if family == "home":
        return Action(_url("visits:homes"), _("登记活动"), _("登记儿童之家本周的一次活动即完成。"))
    if family == "crosscheck":
        return Action(
            _url("crosschecks:differences"), _("核实差异"), _("核实每条差异并更正档案或说明原因即完成。")
        )
    if family == "alert":
        # The alert's own item is keyed by its child; the alert is found by the item (select_related
        # ``alert`` on a list to read it with the item).
        alert_id = _alert_of(item)
        return Action(
            (_url("cases:alert", alert_id=alert_id) if alert_id else None) or _risk_of(item),
            _("处置预警"),
            _("入户走访确认儿童安全、有人照料，或由督导员说明原因后解除预警即完成。"),
        )
    if family == "alert_task":
        return Action(
            _url("cases:alert", anchor=f"mark-{detail}", alert_id=_part(key, 1)) or _risk_of(item),
            _MARK_LABELS.get(detail, _("处置预警")),
            _MARK_CLEARS.get(detail, _("在预警页记录处置即完成。")),
        )
    if family == "case_task":
        return Action(
            _url("cases:case", case_id=_part(key, 1)), _("查看个案"), _("完成任务后在个案页点“完成”即可。")
        )
    if family == "report":
        return Action(
            _url("cases:report", report_id=_part(key, 1)),
            _("核查报告"),
            _("核查后关联儿童档案、立案或说明原因结案即完成。"),
        )
    if family == "referral":
        return Action(
            _url("referrals:detail", referral_id=_part(key, 1)),
            _("回复转介"),
            _("接受或拒绝转介即完成。"),
        )
    if family == "quarterly":
        return Action(
            _url("quarterly:report", quarterly_id=key.rpartition(":")[2]),
            _("修改季报"),
            _("按退回意见修改后重新提交本季度报告即完成。"),
        )
    return Action(
        _url("children:detail", pk=item.child_id) if item.child_id else None,
        _("查看"),
        _("完成后由系统或督导员关闭。"),
    )


def alert_action(alert, *, self_closing: bool) -> Action:
    """The action of an alert: its page, and what closes it (``self_closing``: ``cases.rules``)."""
    url = _url("cases:alert", alert_id=alert.pk)
    if self_closing:
        return Action(url, _("处置"), _("触发情形不再存在时自动解除（如儿童已返校），也可说明原因后解除。"))
    return Action(url, _("处置"), _("入户走访见到儿童并确认安全、有人照料即解除，或由督导员说明原因后解除。"))


def notice_action(note) -> Action:
    """The action of a notification: the item it is about; a daily digest leads to the work list."""
    if note.item_id is not None and note.item is not None:
        return item_action(note.item)
    return Action(_url("visits:work"), _("查看我的工作"), _("处理完当日事项即可。"))


@dataclass
class Group:
    """The rows (work items or alerts) of one home or one child, the most pressing first."""

    key: object
    rows: list

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def first(self):
        return self.rows[0]

    @property
    def children(self) -> list:
        """The children the rows are about, each once, in the order of the rows."""
        seen, names = set(), []
        for row in self.rows:
            child = getattr(row, "child", None) if getattr(row, "child_id", None) else None
            if child is not None and child.pk not in seen:
                seen.add(child.pk)
                names.append(child)
        return names


def group_by_home(rows) -> list[Group]:
    """Rows grouped by the household of their child (a child in no household is a home of one; a row
    about no child stands alone), groups in the order of their first row: one query."""
    from shouhu.children.models import HouseholdMember

    rows = list(rows)
    child_ids = {r.child_id for r in rows if getattr(r, "child_id", None)}
    homes = dict(
        HouseholdMember.objects.filter(child_id__in=child_ids, left_on__isnull=True).values_list(
            "child_id", "household_id"
        )
    )
    groups: dict[object, Group] = {}
    for row in rows:
        own_home = getattr(row, "household_id", None)
        child_id = getattr(row, "child_id", None)
        key = own_home or homes.get(child_id) or child_id or row.pk
        groups.setdefault(key, Group(key=key, rows=[])).rows.append(row)
    return list(groups.values())


__all__ = ["Action", "Group", "item_action", "alert_action", "notice_action", "group_by_home"]
