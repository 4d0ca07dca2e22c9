# Versions of alerts and cases; repeated cases of one report unlinked before the constraint (0006).

from django.conf import settings
from django.db import migrations, models


def unlink_repeated_cases(apps, schema_editor):
    """Before one report could open only one case, a double click opened several: the first case keeps
    the report, the others stay cases of the child without it (nothing is deleted)."""
    Case = apps.get_model("cases", "Case")
    seen = set()
    for case in Case.objects.exclude(report=None).order_by("report_id", "opened_at", "id").only("id", "report_id"):
        if case.report_id in seen:
            Case.objects.filter(pk=case.pk).update(report=None)
        else:
            seen.add(case.report_id)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_response_tasks_and_bureau'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='alert',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='case',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name='版本'),
        ),
        migrations.RunPython(unlink_repeated_cases, migrations.RunPython.noop),
    ]
