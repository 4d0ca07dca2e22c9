"""The words the system writes about work, kept as a code and its parameters and put into words when
they are read, in the reader's language (the page's, or for a text message or e-mail the recipient's).

A work item (``WorkItem.code``/``params``, and why it was cancelled: ``note_code``/``note_params``), a
notice (``Notification.code``/``params``, and why it failed: ``error_code``/``error_params``), a grant's
reason (``Grant.note_code``) or what a list said of a cross-check difference (``Difference.detail_code``)
names one of the texts below; its parameters are data (a child's name, a place, a date, a number) or
codes that are themselves put into words (``rule``, ``task``, ``type``, ``service``, ``request``,
``level``, ``channel``). The text columns (``title``, ``message``, ``note``, ``last_error``, ``detail``)
keep the words in the registry's language as well: for rows written before the codes, for the search of
the admin site and for the API's older clients. A code that is missing or unknown, or parameters that do
not fit, show the stored text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop, pgettext

TEXTS: dict[str, str] = {
    # Visits (visits.services, visits.homes)
    "visit.director": gettext_noop("走访 %(name)s"),
    "visit.county": gettext_noop("县儿童福利指导中心年度走访 %(name)s"),
    "visit.urgent": gettext_noop("紧急入户走访 %(name)s（无成年人照料）"),
    "home.session": gettext_noop("%(home)s 在 %(week)s 当周没有开展活动"),
    # Alerts and their response tasks (cases.services), reports (cases.reports), case tasks
    "alert": gettext_noop("%(rule)s：%(name)s"),
    "alert.task": gettext_noop("%(task)s：%(name)s"),
    "report.triage": gettext_noop("强制报告待核查：%(reference)s"),
    "case.task": gettext_noop("%(what)s：%(name)s"),
    # Referrals, assistance, privacy, quarterly reports, emergency openings
    "referral.respond": gettext_noop("转介待回复：%(org)s · %(service)s"),
    "assistance.township": gettext_noop("救助申请待乡镇审核：%(name)s（%(type)s）"),
    "assistance.county": gettext_noop("救助申请待县级审批：%(name)s（%(type)s）"),
    "assistance.returned": gettext_noop("救助申请被退回，请修改后重新提交：%(name)s（%(type)s）"),
    "assistance.check": gettext_noop("核查儿童现状：%(name)s（%(type)s停发：%(reason)s）"),
    "assistance.review": gettext_noop("救助帮扶资格审查：%(name)s"),
    "privacy.request": gettext_noop("答复监护人%(request)s请求（%(due)s前）"),
    "quarterly.resubmit": gettext_noop(
        "季度报告被退回，请修改后重新报送：%(place)s %(year)s年第%(quarter)s季度"
    ),
    "emergency.review": gettext_noop("紧急调阅复核：%(who)s 调阅了 %(child)s 的档案"),
    # Lists compared with the registry (crosschecks.services)
    "crosscheck.category_not_held": gettext_noop(
        "留守类别待核实：%(name)s（学校名单为非留守，名册认定为农村留守儿童）"
    ),
    "crosscheck.category_held": gettext_noop(
        "留守类别待核实：%(name)s（学校名单为%(left_behind)s，名册未认定为农村留守儿童）"
    ),
    "crosscheck.unregistered": gettext_noop("名单中有、名册未登记：%(name)s（%(school)s %(where)s）"),
    "crosscheck.dropout": gettext_noop("疑似辍学：%(name)s（名册在%(school)s %(grade)s，学校名单中没有）"),
    "crosscheck.difficulty": gettext_noop("%(assistance)s家庭儿童待认定困境儿童：%(name)s"),
    "crosscheck.unregistered_family": gettext_noop("%(assistance)s家庭儿童未登记：%(name)s（%(village)s）"),
    # A case's timeline (cases.services, referrals.services)
    "case.task_added": gettext_noop("新增任务：%(what)s（责任人：%(who)s，期限：%(due)s）"),
    "case.task_done": gettext_noop("完成任务：%(title)s"),
    "case.task_done_note": gettext_noop("完成任务：%(title)s（%(note)s）"),
    "referral.sent": gettext_noop("转介至%(org)s：%(service)s。%(need)s"),
    "referral.accepted": gettext_noop("%(org)s 已接收转介。"),
    "referral.declined": gettext_noop("%(org)s 拒绝了转介：%(reason)s"),
    "referral.closed": gettext_noop(
        "转介结案报告（%(org)s，%(service)s，服务 %(count)s 次共 %(hours)s 小时）：%(report)s"
    ),
    "referral.revoked": gettext_noop("已撤回转介（%(org)s）：%(reason)s"),
    # Notices (escalation.services, escalation.delivery, escalation.digest, accounts.emergency)
    "notice.due": gettext_noop("【督办·%(level)s】%(title)s，截止 %(due)s"),
    "notice.overdue": gettext_noop("【逾期督办·%(level)s】%(title)s，截止 %(due)s"),
    "notice.undelivered": gettext_noop(
        "【通知未送达】%(channel)s未能送达%(name)s（%(reason)s）：%(message)s"
    ),
    "notice.digest": gettext_noop(
        "【守护·每日汇总 %(day)s】%(county)s：在办预警 %(alerts)d 条，待核查强制报告 %(reports)d 件，"
        "逾期事项 %(overdue)d 项（已上报县级 %(at_county)d 项），近一日未送达通知 %(undelivered)d 条，"
        "无在岗督导员的乡镇 %(unstaffed)d 个。"
    ),
    "notice.emergency": gettext_noop(
        "【紧急调阅】%(who)s 调阅了 %(child)s 的档案，原因：%(reason)s；有效至 %(until)s。"
    ),
    "item.unstaffed": gettext_noop("无人值守：%(place)s无在岗的儿童督导员，已直接上报上一级"),
    # Why a work item was cancelled (``WorkItem.note_code``; a person's note is kept as typed)
    "note.alert_closed": gettext_noop("预警已解除：%(reason)s"),
    "note.case_closed": gettext_noop("个案已结案"),
    "note.child_exited": gettext_noop("儿童已退出登记"),
    "note.categories_changed": gettext_noop("儿童类别变化，走访要求已重新计算"),
    # Why an alert closed by itself (the ``reason`` of ``note.alert_closed``)
    "alert.closed.not_met": gettext_noop("触发条件已不再满足"),
    "alert.closed.merged": gettext_noop("已合并为家庭预警"),
    "alert.closed.visited": gettext_noop("入户走访确认儿童安全、监护到位"),
    # Why a person may see a child (``accounts.Grant.note_code``; a break-glass reason is kept as typed)
    "grant.assignment": gettext_noop("督办事项：%(title)s"),
    "grant.referral": gettext_noop("转介：%(service)s"),
    "grant.handed_over": gettext_noop("交接自 %(name)s"),
    "grant.handed_over_note": gettext_noop("交接自 %(name)s：%(note)s"),
    "grant.pairing": gettext_noop("一对一结对帮扶"),
    # What a list said of a difference (``crosschecks.Difference.detail_code``)
    "crosscheck.detail.category": gettext_noop("%(school)s %(where)s；学校名单：%(left_behind)s"),
    "crosscheck.detail.listed": gettext_noop("%(school)s %(where)s"),
    "crosscheck.detail.registered": gettext_noop("名册：%(school)s %(grade)s"),
    "crosscheck.detail.household": gettext_noop("户主 %(head)s，%(assistance)s"),
    # Why a notice could not be delivered (``Notification.error_code``, by ``delivery``)
    "delivery.phone": gettext_noop("手机号码格式不正确：%(address)s"),
    "delivery.no_phone": gettext_noop("未填写手机号码"),
    "delivery.email": gettext_noop("电子邮件地址不正确：%(address)s"),
    "delivery.no_email": gettext_noop("未填写电子邮件地址"),
    "delivery.timeout": gettext_noop("发送超时（%(s)s 秒）"),
    "delivery.sender": gettext_noop("发送方返回错误：%(detail)s"),
}


def _rule(code: str) -> str:
    from shouhu.cases import rules

    kind = rules.KINDS.get(code)
    return str(kind.name) if kind else code


def _task(code: str) -> str:
    """A response task as ``<rule>.<mark>``: the label the rule gives it."""
    from shouhu.cases import rules

    rule, _dot, mark = code.rpartition(".")
    for task in getattr(rules.KINDS.get(rule), "tasks", ()):
        if task.mark == mark:
            return str(task.label)
    return code


def _type(code: str) -> str:
    from shouhu.assistance.models import AssistanceType

    found = AssistanceType.objects.filter(pk=code).first()
    return str(found) if found else code


def _service(code: str) -> str:
    from shouhu.referrals.models import SERVICE_LABELS

    return str(SERVICE_LABELS.get(code, code))


def _request(code: str) -> str:
    from shouhu.privacy.models import RequestKind

    return str(RequestKind(code).label) if code in RequestKind.values else code


def _level(tier: Any) -> str:
    from .models import Tier

    return str(Tier(int(tier)).label) if int(tier) in Tier.values else str(tier)


def _channel(code: str) -> str:
    from .models import Channel

    return str(Channel(code).label) if code in Channel.values else code


def _left_behind(code: str) -> str:
    from shouhu.crosschecks.lists import LEFT_BEHIND_LABELS

    return str(LEFT_BEHIND_LABELS.get(code, code))


def _assistance(code: str) -> str:
    from shouhu.crosschecks.lists import ASSISTANCE_LABELS

    return str(ASSISTANCE_LABELS.get(code, code))


def _place(value: Any) -> str:
    """A place by its name: stored as its name, or (rows written before the names were) as its division
    code, looked up."""
    text = str(value)
    if not text.isdigit():
        return text
    from shouhu.regions.models import Region

    return Region.objects.filter(code=text).values_list("name", flat=True).first() or text


def _moment(value: str) -> str:
    """A time stored as ISO 8601, shown in the local time zone to the minute."""
    try:
        return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(value)


def _names(value: Any) -> str:
    """A child's name, or the children of a home as ``[[name, age], …]``, eldest first."""
    if not isinstance(value, list):
        return str(value)
    return pgettext("list separator", "、").join(
        gettext("%(name)s（%(age)s周岁）") % {"name": name, "age": age} for name, age in value
    )


# Parameters stored as codes, and how each is put into words. Any other parameter is data, shown as
# stored (a name, a place, a reference number, a number).
WORDS: dict[str, Callable[[Any], str]] = {
    "rule": _rule,
    "name": _names,
    "task": _task,
    "type": _type,
    "service": _service,
    "request": _request,
    "level": _level,
    "channel": _channel,
    "left_behind": _left_behind,
    "assistance": _assistance,
    "place": _place,
    "due_at": _moment,
    "until": _moment,
}
# Parameters whose value may itself be a stored text (a code and its parameters): a notice's item, an
# item's title in a grant, why a notice failed or an alert closed, the note of a grant handed over. As a
# plain string (a person's words, a row written before the codes) it is shown as stored.
NESTED = ("message", "title", "reason", "note")


def render(code: str | None, params: dict | None, fallback: str = "") -> str:
    """The text of ``code`` with ``params`` in the active language; ``fallback`` when it cannot be."""
    template = TEXTS.get(code or "")
    if template is None:
        return fallback
    values: dict[str, Any] = {}
    try:
        for key, value in (params or {}).items():
            if key in WORDS and value not in (None, ""):
                values[key] = WORDS[key](value)
            elif key in NESTED and isinstance(value, dict):
                values[key] = render(value.get("code"), value.get("params"), value.get("text", ""))
            else:
                values[key] = value
        if "due_at" in values:
            values.setdefault("due", values["due_at"])
        return gettext(template) % values
    except (KeyError, TypeError, ValueError, AttributeError):
        return fallback


def stored(code: str, **params) -> dict[str, Any]:
    """What a writer stores: the code, its parameters and the words in the registry's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return {"code": code, "params": params, "text": render(code, params)}


def fields(code: str, **params) -> dict[str, Any]:
    """The columns of a work item for ``code``: ``title`` (the stored words), ``code``, ``params``."""
    words = stored(code, **params)
    return {"title": words["text"][:200], "code": code, "params": params}


def nested(code: str, params: dict | None, text: str) -> dict[str, Any]:
    """A stored text to be told inside another (a parameter of ``NESTED``): its code, parameters, words."""
    return {"code": code, "params": params or {}, "text": text}


def note_fields(note: str | dict) -> dict[str, Any]:
    """The columns of a stored note (``note``, ``note_code``, ``note_params``): the system's words as
    ``stored`` returns them, or a person's words as typed (no code)."""
    if isinstance(note, dict):
        return {"note": note["text"], "note_code": note["code"], "note_params": note["params"]}
    return {"note": note, "note_code": "", "note_params": {}}


def language_of(user) -> str:
    """The language a person is written to in (text messages, e-mail): their own, else the registry's."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE
