"""Name tokens carry their child's region, so that a search reads its own area's tokens only."""

from django.db import migrations, models

FILL = """
UPDATE children_nametoken SET region_code = COALESCE(
    (SELECT region_code FROM children_child WHERE children_child.id = children_nametoken.child_id), ''
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0008_version_database_default"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="nametoken", name="name_token_idx"),
        migrations.AddField(
            model_name="nametoken",
            name="region_code",
            field=models.CharField(default="", max_length=12),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="nametoken",
            index=models.Index(fields=["token", "region_code", "child"], name="name_token_idx"),
        ),
    ]
