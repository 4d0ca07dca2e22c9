from django.db import migrations


def load(apps, schema_editor):
    from shouhu.children.classify import NATIONAL_CATEGORIES

    Category = apps.get_model("children", "Category")
    for order, (code, name, name_en) in enumerate(NATIONAL_CATEGORIES):
        Category.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "derived": True, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("children", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
