# One report opens at most one case (in its own migration: the constraint cannot be added in the
# transaction that unlinked the repeated cases on PostgreSQL, which has pending trigger events then).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_case_alert_version"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='case',
            constraint=models.UniqueConstraint(fields=('report',), name='one_case_per_report'),
        ),
    ]
