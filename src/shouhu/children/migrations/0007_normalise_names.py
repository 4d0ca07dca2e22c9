"""Names become ``PersonNameField``s (normalised on clean and save), and the names already stored are
brought to the one rule of ``children.names``.

What is safe to change is changed: NFKC (full-width letters, Kangxi radicals), the radicals NFKC
leaves, spaces, the middle dot, and invisible characters dropped — none of these changes which name
was meant. A child whose name changed gets new search tokens, pinyin and initials.

Each change is written to the record's own history (``Historical*``, type "~", no user, with the
reason), not to a table of its own nor to the access log: the history is where a person reading the
file sees who changed a field from what to what, it is kept and anonymised with the child's other
history (``privacy.services``), and it needs nothing new. The access log records who saw a file; a
name there would be a copy of personal data outside the file.

A name the rule still refuses after that (another script, a symbol, a private-use character) is left
as it is for a person to correct: the migration prints how many and their record ids (never the
name), and ``shouhu names-to-fix`` lists them at any time.
"""

import sys

from django.db import migrations
from django.utils import timezone

import shouhu.children.validators

MODELS = ("Child", "Parent", "Carer", "RescueContact")
REASON = "姓名规范化：统一字形（NFKC、康熙部首）并去除不可见字符"
LISTED = 20  # ids printed by the migration; the command lists all


def normalise_names(apps, schema_editor, out=None) -> dict:
    """Normalise the stored names; returns {"changed": n, "to_fix": [(model, id), …]}."""
    from shouhu.children import names

    out = out or sys.stdout
    now = timezone.now()
    changed, to_fix = 0, []
    NameToken = apps.get_model("children", "NameToken")
    for model_name in MODELS:
        model = apps.get_model("children", model_name)
        history = apps.get_model("children", f"Historical{model_name}")
        updates = {}
        for pk, name in model.objects.values_list("pk", "name").order_by("pk").iterator(chunk_size=2000):
            if not name:
                continue
            new = names.normalise(name, drop_invisible=True)
            if names.refusal(new):
                to_fix.append((model_name, pk))
            elif new != name:
                updates[pk] = new
        for pk, new in updates.items():
            extra = {}
            if model_name == "Child":
                extra = {"name_pinyin": names.pinyin(new), "name_initials": names.initials(new)}
            model.objects.filter(pk=pk).update(name=new, **extra)
            obj = model.objects.get(pk=pk)
            own = {f.attname for f in model._meta.concrete_fields}
            values = {
                f.attname: getattr(obj, f.attname)
                for f in history._meta.concrete_fields
                if f.attname in own and not f.name.startswith("history_")
            }
            history.objects.create(
                **values,
                history_date=now,
                history_type="~",
                history_user=None,
                history_change_reason=REASON,
            )
            if model_name == "Child":
                NameToken.objects.filter(child_id=pk).delete()
                # Later migrations give tokens their child's region (0009); this one may run after it.
                where = (
                    {"region_code": obj.region_code}
                    if any(f.name == "region_code" for f in NameToken._meta.get_fields())
                    else {}
                )
                NameToken.objects.bulk_create(
                    [NameToken(child_id=pk, token=t, **where) for t in sorted(names.tokens(new))]
                )
        changed += len(updates)
    out.write(f"\n  {changed} names normalised\n")
    if to_fix:
        shown = ", ".join(f"{m} {pk}" for m, pk in to_fix[:LISTED])
        more = f" and {len(to_fix) - LISTED} more (shouhu names-to-fix)" if len(to_fix) > LISTED else ""
        out.write(f"  {len(to_fix)} names the rule refuses, to be corrected by a person: {shown}{more}\n")
    return {"changed": changed, "to_fix": to_fix}


class Migration(migrations.Migration):

    dependencies = [
        ('children', '0006_households'),
    ]

    operations = [
        migrations.AlterField(
            model_name='carer',
            name='name',
            field=shouhu.children.validators.PersonNameField(max_length=50, validators=[shouhu.children.validators.validate_person_name], verbose_name='姓名'),
        ),
        migrations.AlterField(
            model_name='child',
            name='name',
            field=shouhu.children.validators.PersonNameField(max_length=50, validators=[shouhu.children.validators.validate_person_name], verbose_name='姓名'),
        ),
        migrations.AlterField(
            model_name='historicalcarer',
            name='name',
            field=shouhu.children.validators.PersonNameField(max_length=50, validators=[shouhu.children.validators.validate_person_name], verbose_name='姓名'),
        ),
        migrations.AlterField(
            model_name='historicalchild',
            name='name',
            field=shouhu.children.validators.PersonNameField(max_length=50, validators=[shouhu.children.validators.validate_person_name], verbose_name='姓名'),
        ),
        migrations.AlterField(
            model_name='historicalparent',
            name='name',
            field=shouhu.children.validators.PersonNameField(blank=True, max_length=50, validators=[shouhu.children.validators.validate_person_name], verbose_name='姓名'),
        ),
        migrations.AlterField(
            model_name='historicalrescuecontact',
            name='name',
            field=shouhu.children.validators.PersonNameField(max_length=50, validators=[shouhu.children.validators.validate_person_name], verbose_name='姓名'),
        ),
        migrations.AlterField(
            model_name='parent',
            name='name',
            field=shouhu.children.validators.PersonNameField(blank=True, max_length=50, validators=[shouhu.children.validators.validate_person_name], verbose_name='姓名'),
        ),
        migrations.AlterField(
            model_name='rescuecontact',
            name='name',
            field=shouhu.children.validators.PersonNameField(max_length=50, validators=[shouhu.children.validators.validate_person_name], verbose_name='姓名'),
        ),
        migrations.RunPython(normalise_names, migrations.RunPython.noop),
    ]
