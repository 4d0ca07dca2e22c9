"""Codes for the work items written before them, where the stored words say what they were: due
visits, alerts and mandatory reports. Any other row keeps its stored words (``WorkItem.text`` falls
back to them)."""

import re

from django.db import migrations

PATTERNS = {
    "visit.director": ("visit.director", re.compile(r"^走访 (?P<name>.+)$")),
    "visit.county": ("visit.county", re.compile(r"^县儿童福利指导中心年度走访 (?P<name>.+)$")),
    "visit.urgent": ("visit.urgent", re.compile(r"^紧急入户走访 (?P<name>.+)（无成年人照料）$")),
    "report.triage": ("report.triage", re.compile(r"^强制报告待核查：(?P<reference>.+)$")),
}
ALERT = re.compile(r"^[^：]+：(?P<name>.+)$")


def fill(apps, schema_editor):
    WorkItem = apps.get_model("escalation", "WorkItem")
    rows = WorkItem.objects.filter(code="").filter(kind__in=[*PATTERNS]) | WorkItem.objects.filter(
        code="", kind__startswith="alert."
    )
    changed = []
    for item in rows.only("pk", "kind", "title").iterator(chunk_size=2000):
        if item.kind.startswith("alert."):
            code, params, match = "alert", {"rule": item.kind.split(".", 1)[1]}, ALERT.match(item.title)
        else:
            code, pattern = PATTERNS[item.kind]
            params, match = {}, pattern.match(item.title)
        if match is None:
            continue
        item.code, item.params = code, {**params, **match.groupdict()}
        changed.append(item)
        if len(changed) >= 2000:
            WorkItem.objects.bulk_update(changed, ["code", "params"])
            changed = []
    WorkItem.objects.bulk_update(changed, ["code", "params"])


class Migration(migrations.Migration):
    dependencies = [("escalation", "0004_words_texts")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
