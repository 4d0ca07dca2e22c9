"""Codes for the grants' notes written before them, where the stored words say what they were: a
referral's grant (its service read from the referral), a pairing, a hand-over, an assignment to do a
work item (the item found by its title). A break-glass reason, a person's words, stays as typed, and so
does anything else."""

import re

from django.db import migrations

HANDED_OVER = re.compile(r"^交接自 (?P<name>[^：]+?)(?:：(?P<note>.+))?$", re.S)
PAIRING = "一对一结对帮扶"


def fill(apps, schema_editor):
    Grant = apps.get_model("accounts", "Grant")
    Referral = apps.get_model("referrals", "Referral")
    WorkItem = apps.get_model("escalation", "WorkItem")
    through = Referral._meta.get_field("grants").remote_field.through
    services = dict(through.objects.values_list("grant_id", "referral__service_id"))
    changed = []
    rows = Grant.objects.filter(note_code="").exclude(note="").exclude(reason="break_glass")
    for grant in rows.only("pk", "note", "reason", "child_id").iterator(2000):
        found = None
        if grant.reason == "referral" and grant.pk in services and grant.note.startswith("转介："):
            found = ("grant.referral", {"service": services[grant.pk]})
        elif grant.note == PAIRING:
            found = ("grant.pairing", {})
        elif m := HANDED_OVER.match(grant.note):
            if m["note"]:
                found = ("grant.handed_over_note", {"name": m["name"], "note": m["note"]})
            else:
                found = ("grant.handed_over", {"name": m["name"]})
        elif grant.reason == "assignment":
            item = (
                WorkItem.objects.filter(child_id=grant.child_id, title=grant.note)
                .only("code", "params", "title")
                .first()
            )
            if item is not None and item.code:
                title = {"code": item.code, "params": item.params or {}, "text": item.title}
                found = ("grant.assignment", {"title": title})
        if found:
            grant.note_code, grant.note_params = found
            changed.append(grant)
    Grant.objects.bulk_update(changed, ["note_code", "note_params"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_words_grant_note_code"),
        ("escalation", "0008_words_fill_note_and_error_codes"),
        ("referrals", "0006_service_outcome"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
