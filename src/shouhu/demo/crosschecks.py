"""The demo's cross-check: 王市镇中心小学's enrolment list, checked by the Wangshi supervisor, lacks
one pupil of 前潘村 — so the village's director has a possible drop-out to verify. The list is made
from the registry (every pupil of the school but that one, with the school's left-behind coding) and
goes through ``crosschecks.services`` as an uploaded CSV does."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from shouhu.accounts.models import Organisation, OrganisationKind, User
from shouhu.children import classify
from shouhu.children.models import Child
from shouhu.children.options import Schooling
from shouhu.crosschecks import services
from shouhu.crosschecks.models import CrossCheck

FILE_NAME = "王市镇中心小学-在校生名单（演示数据）.csv"
GENDER_WORDS = {"male": "男", "female": "女"}
HEADER = ["学校", "姓名", "身份证号", "性别", "出生日期", "年级", "班级", "留守类型"]


def seed_crosschecks(
    *, township: str, village: str, supervisor: str = "supervisor-wangshi"
) -> dict[str, int]:
    school = Organisation.objects.filter(
        kind=OrganisationKind.SCHOOL, region_id=township, name__endswith="中心小学"
    ).first()
    actor = User.objects.filter(username=supervisor).first()
    if school is None or actor is None:
        return {"crosscheck_differences": 0}
    CrossCheck.objects.filter(school=school, file_name=FILE_NAME).delete()  # a re-seed starts afresh
    pupils = list(
        Child.objects.filter(school=school, exited_on__isnull=True)
        .exclude(schooling__in=[Schooling.DROPPED_OUT, Schooling.NOT_IN_SCHOOL])
        .order_by("region_code", "name", "pk")
    )
    missing = next((c for c in pupils if c.region_code == village), None)
    if missing is None:
        return {"crosscheck_differences": 0}
    left_behind = set(
        Child.objects.filter(
            pk__in=[c.pk for c in pupils], categories__category_id=classify.LEFT_BEHIND
        ).values_list("pk", flat=True)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for child in pupils:
        if child.pk == missing.pk:
            continue
        writer.writerow(
            [
                school.name,
                child.name,
                child.id_number or "",
                GENDER_WORDS.get(child.gender, ""),
                child.birth_date.isoformat(),
                child.grade,
                "1班",
                "双亲留守" if child.pk in left_behind else "非留守",
            ]
        )
    upload = SimpleUploadedFile(FILE_NAME, out.getvalue().encode("utf-8"))
    outcome = services.crosscheck_run(actor=actor, upload=upload, kind="school", school=school, commit=True)
    return {"crosscheck_differences": sum(outcome.counts.values()) if outcome.ok else 0}
