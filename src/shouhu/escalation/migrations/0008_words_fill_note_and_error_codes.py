"""Codes for the cancelled work items' notes and the notices' delivery errors written before them,
where the stored words say what they were (in the registry's language, or in English when the person
who caused them read the pages in English). Anything else keeps its stored words, shown as they are."""

import re

from django.db import migrations

# The note's words → (code, params builder). A reason an alert closed by itself has a code of its own.
REASONS = {
    "触发条件已不再满足": "alert.closed.not_met",
    "The conditions no longer hold": "alert.closed.not_met",
    "已合并为家庭预警": "alert.closed.merged",
    "Merged into the household alert": "alert.closed.merged",
    "入户走访确认儿童安全、监护到位": "alert.closed.visited",
    "A home visit confirmed the child safe and cared for": "alert.closed.visited",
}
PLAIN_NOTES = {
    "个案已结案": "note.case_closed",
    "The case is closed": "note.case_closed",
    "儿童已退出登记": "note.child_exited",
    "The child has left the registry": "note.child_exited",
    "儿童类别变化，走访要求已重新计算": "note.categories_changed",
}
ALERT_CLOSED = re.compile(r"^(?:预警已解除：|Alert closed: )(?P<reason>.+)$", re.S)
UNSTAFFED = re.compile(r"^无人值守：(?P<place>\d{9})无在岗的儿童督导员，已直接上报上一级$")

ERRORS = (
    (re.compile(r"^(?:手机号码格式不正确：|Malformed mobile number: )(?P<address>.+)$"), "delivery.phone"),
    (re.compile(r"^(?:电子邮件地址不正确：|Invalid e-mail address: )(?P<address>.+)$"), "delivery.email"),
    (re.compile(r"^(?:发送超时（(?P<s>[\d.]+) 秒）|Sending timed out \((?P<s_en>[\d.]+) s\))$"), "delivery.timeout"),
)
NOT_GIVEN = ("未填写", "not given")


def note_code(note: str) -> tuple[str, dict] | None:
    if note in PLAIN_NOTES:
        return PLAIN_NOTES[note], {}
    if m := UNSTAFFED.match(note):
        return "item.unstaffed", {"place": m["place"]}
    if m := ALERT_CLOSED.match(note):
        reason = m["reason"]
        if reason in REASONS:
            code = REASONS[reason]
            return "note.alert_closed", {"reason": {"code": code, "params": {}, "text": reason}}
        return "note.alert_closed", {"reason": reason}
    return None


def error_code(error: str) -> tuple[str, dict] | None:
    for pattern, code in ERRORS:
        m = pattern.match(error)
        if m is None:
            continue
        if code == "delivery.timeout":
            return code, {"s": m["s"] or m["s_en"]}
        if m["address"] in NOT_GIVEN:
            return code.replace("delivery.", "delivery.no_"), {}
        return code, {"address": m["address"]}
    return None


def fill(apps, schema_editor):
    WorkItem = apps.get_model("escalation", "WorkItem")
    Notification = apps.get_model("escalation", "Notification")
    changed = []
    for item in WorkItem.objects.filter(note_code="").exclude(note="").only("pk", "note").iterator(2000):
        found = note_code(item.note)
        if found:
            item.note_code, item.note_params = found
            changed.append(item)
    WorkItem.objects.bulk_update(changed, ["note_code", "note_params"], batch_size=2000)
    changed = []
    rows = Notification.objects.filter(error_code="").exclude(last_error="").only("pk", "last_error")
    for note in rows.iterator(2000):
        found = error_code(note.last_error)
        if found:
            note.error_code, note.error_params = found
            changed.append(note)
    Notification.objects.bulk_update(changed, ["error_code", "error_params"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("escalation", "0007_words_note_and_error_codes")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
