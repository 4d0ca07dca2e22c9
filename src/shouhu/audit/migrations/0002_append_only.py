"""The access log becomes append-only on PostgreSQL: a trigger refuses UPDATE and DELETE of its rows.

Two exceptions, both narrow:
* inside a transaction that has run ``SET LOCAL shouhu.retention = 'on'`` (``audit.retention.
  retention_switch``: the purge of rows past their period, the blanking of an anonymised child's rows);
* an UPDATE that changes nothing but ``user_id`` to NULL: Django's ``on_delete=SET_NULL`` when a user
  account is deleted. The row keeps the ``username``, so it still says who.

TRUNCATE is not covered (it is not row-level): the database role the application runs as should not
own the table in production (docs/security.md). SQLite has no such trigger: the step is skipped.
"""

from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION audit_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('shouhu.retention', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL AND OLD.user_id IS NOT NULL
       AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the access log is append-only: % of audit_accesslog refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only shouhu purge-audit and shouhu anonymise-archived may remove or blank rows.';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog;
CREATE TRIGGER audit_accesslog_append_only
    BEFORE UPDATE OR DELETE ON audit_accesslog
    FOR EACH ROW EXECUTE FUNCTION audit_accesslog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog;
DROP FUNCTION IF EXISTS audit_accesslog_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslog",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "查看档案"),
                    ("list", "浏览列表"),
                    ("search", "搜索"),
                    ("photo", "查看照片"),
                    ("create", "新增"),
                    ("update", "修改"),
                    ("export", "导出"),
                    ("purge", "清理过期日志"),
                    ("archive", "档案归档"),
                    ("anonymise", "匿名化"),
                    ("break_glass", "紧急调阅档案"),
                ],
                max_length=20,
                verbose_name="操作",
            ),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="channel",
            field=models.CharField(
                choices=[("web", "网页"), ("api", "接口"), ("job", "后台任务")],
                max_length=10,
                verbose_name="途径",
            ),
        ),
        migrations.RunPython(install, remove, elidable=False),
    ]
