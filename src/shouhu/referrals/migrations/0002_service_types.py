"""The service catalogue a referral asks for: kept as data (more are added in the admin); the labels
of these codes are translated in ``referrals.models.SERVICE_LABELS``."""

from django.db import migrations

SERVICES = [
    ("counselling", "心理辅导"),
    ("family_education", "家庭教育指导"),
    ("autism_support", "孤独症儿童支持"),
    ("home_repair", "住房修缮"),
    ("school_support", "学业辅导"),
    ("legal_aid", "法律援助"),
    ("medical_help", "医疗救助对接"),
    ("rehabilitation", "康复训练"),
    ("material_aid", "生活物资帮扶"),
    ("guardian_support", "监护能力支持"),
]


def seed(apps, schema_editor):
    ServiceType = apps.get_model("referrals", "ServiceType")
    for order, (code, name) in enumerate(SERVICES, start=1):
        ServiceType.objects.update_or_create(code=code, defaults={"name": name, "order": order})


def unseed(apps, schema_editor):
    apps.get_model("referrals", "ServiceType").objects.filter(code__in=[c for c, _n in SERVICES]).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
