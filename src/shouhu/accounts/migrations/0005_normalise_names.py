"""Users' and the child-welfare workers' names become ``PersonNameField``s and follow the one rule of
``children.names``; the names already stored are normalised where that is safe (see
``children/migrations/0007_normalise_names``).

Users and workers have no change history: each change is recorded in the access log as work done by
a job (who: the system; what: this migration; the record's id; never the name), the log the county
and administrators read. A name the rule still refuses is listed by id for a person to correct.
"""

import sys

from django.db import migrations
from django.utils import timezone

import shouhu.children.validators

WHAT = "migrate accounts.0005_normalise_names"
LISTED = 20


def normalise_names(apps, schema_editor, out=None) -> dict:
    """Normalise users' and workers' stored names; returns {"changed": n, "to_fix": [(model, id), …]}."""
    from shouhu.children import names

    out = out or sys.stdout
    AccessLog = apps.get_model("audit", "AccessLog")
    changed, to_fix = 0, []
    for model_name, field in (("User", "full_name"), ("WelfareWorker", "name")):
        model = apps.get_model("accounts", model_name)
        for pk, name in model.objects.values_list("pk", field).order_by("pk").iterator(chunk_size=2000):
            if not name:
                continue
            new = names.normalise(name, drop_invisible=True)
            if names.refusal(new):
                to_fix.append((model_name, pk))
            elif new != name:
                model.objects.filter(pk=pk).update(**{field: new})
                AccessLog.objects.create(
                    at=timezone.now(),
                    username="system",
                    action="update",
                    channel="job",
                    path=WHAT,
                    query=f"{model_name} {pk}: {field} normalised (NFKC, invisible characters removed)",
                )
                changed += 1
    out.write(f"\n  {changed} names normalised (users and workers)\n")
    if to_fix:
        shown = ", ".join(f"{m} {pk}" for m, pk in to_fix[:LISTED])
        more = f" and {len(to_fix) - LISTED} more (shouhu names-to-fix)" if len(to_fix) > LISTED else ""
        out.write(f"  {len(to_fix)} names the rule refuses, to be corrected by a person: {shown}{more}\n")
    return {"changed": changed, "to_fix": to_fix}


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_grant_reason_break_glass'),
        ('audit', '0002_append_only'),
    ]

    operations = [
        migrations.AlterField(
            model_name='user',
            name='full_name',
            field=shouhu.children.validators.PersonNameField(blank=True, max_length=50, validators=[shouhu.children.validators.validate_person_name], verbose_name='姓名'),
        ),
        migrations.AlterField(
            model_name='welfareworker',
            name='name',
            field=shouhu.children.validators.PersonNameField(max_length=50, validators=[shouhu.children.validators.validate_person_name], verbose_name='姓名'),
        ),
        migrations.RunPython(normalise_names, migrations.RunPython.noop),
    ]
