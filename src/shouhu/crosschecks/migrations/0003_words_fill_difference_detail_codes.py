"""Codes for what the lists said of the differences found before them, where the stored words say it:
the school's name is read from the run that found the difference, the labels of the left-behind and
assistance columns turned back into their codes. Anything else keeps its stored words."""

import re

from django.db import migrations

LEFT_BEHIND = {"非留守": "none", "单亲留守": "one_parent", "双亲留守": "both_parents"}
ASSISTANCE = {"低保": "dibao", "特困": "tekun"}
HOUSEHOLD = re.compile(r"^户主 (?P<head>.+)，(?P<label>低保|特困)$")
CATEGORY = re.compile(r"^(?P<listed>.*)；学校名单：(?P<label>非留守|单亲留守|双亲留守)$")


def _school_and_rest(text: str, school: str) -> str | None:
    """What follows the school's name and a space, or None when the text does not start with it."""
    if school and text.startswith(f"{school} "):
        return text[len(school) + 1 :]
    return None


def detail_code(diff, school: str) -> tuple[str, dict] | None:
    text = diff.detail
    if m := HOUSEHOLD.match(text):
        return "crosscheck.detail.household", {"head": m["head"], "assistance": ASSISTANCE[m["label"]]}
    if m := CATEGORY.match(text):
        where = _school_and_rest(m["listed"], school)
        if where is None:
            return None
        return "crosscheck.detail.category", {
            "school": school,
            "where": where,
            "left_behind": LEFT_BEHIND[m["label"]],
        }
    if text.startswith("名册："):
        grade = _school_and_rest(text[len("名册：") :], school)
        return None if grade is None else ("crosscheck.detail.registered", {"school": school, "grade": grade})
    where = _school_and_rest(text, school)
    if where is not None and diff.kind == "unregistered":
        return "crosscheck.detail.listed", {"school": school, "where": where}
    return None


def fill(apps, schema_editor):
    Difference = apps.get_model("crosschecks", "Difference")
    rows = (
        Difference.objects.filter(detail_code="")
        .exclude(detail="")
        .select_related("first_run__school")
    )
    changed = []
    for diff in rows.iterator(2000):
        school = diff.first_run.school.name if diff.first_run.school is not None else ""
        found = detail_code(diff, school)
        if found:
            diff.detail_code, diff.detail_params = found
            changed.append(diff)
    Difference.objects.bulk_update(changed, ["detail_code", "detail_params"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("crosschecks", "0002_words_difference_detail_code")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
