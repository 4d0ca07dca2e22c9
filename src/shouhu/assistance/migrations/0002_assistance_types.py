"""The national assistance types and their eligibility rules (parameters of ``eligibility.CHECKS``)."""

from django.db import migrations

DIFFICULTY = ["difficulty_poverty", "difficulty_disability", "difficulty_guardianship"]
TYPES = [
    # code, name, English name, monthly, rule, basis
    (
        "de_facto_living",
        "事实无人抚养儿童基本生活补贴",
        "Basic living subsidy for de-facto unsupported children",
        True,
        {"max_age": 18, "categories": ["de_facto_unsupported"], "excluded_assistance": ["orphan"]},
        "民发〔2019〕62号",
    ),
    (
        "difficulty_living",
        "困境儿童基本生活补贴",
        "Basic living subsidy for children in difficulty",
        True,
        {"max_age": 18, "categories": DIFFICULTY, "excluded_assistance": ["orphan"]},
        "国发〔2016〕36号",
    ),
    (
        "medical",
        "医疗救助",
        "Medical assistance",
        False,
        {"max_age": 18, "categories": [*DIFFICULTY, "de_facto_unsupported", "orphan"]},
        "国办发〔2015〕30号",
    ),
    (
        "education",
        "教育资助",
        "Education aid",
        False,
        {
            "min_age": 6,
            "max_age": 18,
            "categories": [*DIFFICULTY, "de_facto_unsupported", "orphan", "left_behind", "dropout"],
        },
        "国发〔2016〕36号",
    ),
    (
        "temporary",
        "临时救助",
        "Temporary assistance",
        False,
        {
            "max_age": 18,
            "categories": [
                "left_behind",
                *DIFFICULTY,
                "de_facto_unsupported",
                "orphan",
                "living_alone",
                "dropout",
            ],
        },
        "国发〔2014〕47号",
    ),
]


def seed(apps, schema_editor):
    AssistanceType = apps.get_model("assistance", "AssistanceType")
    for order, (code, name, name_en, monthly, rule, basis) in enumerate(TYPES):
        AssistanceType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "monthly": monthly,
                "rule": rule,
                "basis": basis,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
