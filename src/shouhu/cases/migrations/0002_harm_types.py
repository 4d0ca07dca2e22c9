from django.db import migrations


def load(apps, schema_editor):
    from shouhu.cases.harms import HARM_TYPES

    HarmType = apps.get_model("cases", "HarmType")
    for order, (code, name, statutory) in enumerate(HARM_TYPES):
        HarmType.objects.update_or_create(code=code, defaults={"name": name, "statutory": statutory, "order": order})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
