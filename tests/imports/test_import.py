"""Importing a register from the sheets counties hold: the dry run's report by row and column, the
quirks of real sheets, matching and confirming, and an import that changes nothing the second time."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shouhu.children.models import Child, Parent
from shouhu.imports import services
from shouhu.imports.columns import COLUMNS
from tests import factories as f

BIRTH = dt.date(2015, 3, 8)
HEADERS = [c.header for c in COLUMNS]


def xlsx(rows, headers=HEADERS, above=None, name="名册.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["农村留守儿童基本情况登记表"])
    if above:
        sheet.append(above)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers] if isinstance(row, dict) else row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def child_row(name="王小花", id_number=None, **kw):
    row = {
        "姓名": name,
        "性别": "女",
        "出生日期": BIRTH,
        "公民身份证号码": id_number if id_number is not None else f.id_number_for(BIRTH),
        "乡镇（街道）": "王市镇",
        "村（社区）": "前潘村",
        "就学情况": "小学",
        "实际监护": "祖父母、外祖父母",
        "父亲姓名": "王大山",
        "父亲状况": "外出务工",
        "父亲务工地点": "浙江省宁波市",
        "母亲姓名": "李小梅",
        "母亲状况": "外出务工",
    }
    row.update(kw)
    return row


def run(actor, upload, **kw):
    upload.seek(0)
    return services.import_register(actor=actor, upload=upload, **kw)


def test_a_dry_run_stores_nothing_and_the_commit_stores_everything(personas):
    sheet = xlsx([child_row(), child_row("王小草", id_number=f.id_number_for(BIRTH, "male"), 性别="男")])
    before = Child.objects.count()
    dry = run(personas.dir_a, sheet)
    assert dry.ok and dry.counts["new"] == 2 and Child.objects.count() == before
    done = run(personas.dir_a, sheet, commit=True)
    assert done.committed and Child.objects.count() == before + 2
    flower = Child.objects.get(name="王小花")
    assert flower.village_id == f.VILLAGE_A and flower.schooling == "primary"
    assert {c.category_id for c in flower.categories.all()} >= {"left_behind"}
    assert Parent.objects.get(child=flower, role="father").work_place == "浙江省宁波市"


def test_the_same_file_twice_adds_no_child_and_no_history(personas):
    sheet = xlsx([child_row()])
    run(personas.dir_a, sheet, commit=True)
    child = Child.objects.get(name="王小花")
    history = child.history.count()
    again = run(personas.dir_a, sheet, commit=True)
    assert again.counts["unchanged"] == 1 and again.counts["new"] == 0
    assert Child.objects.filter(name="王小花").count() == 1 and child.history.count() == history


def test_a_changed_row_updates_the_child_with_history(personas):
    run(personas.dir_a, xlsx([child_row()]), commit=True)
    child = Child.objects.get(name="王小花")
    history = child.history.count()
    result = run(personas.dir_a, xlsx([child_row(id_number=child.id_number, 就学情况="初中")]), commit=True)
    child.refresh_from_db()
    assert result.counts["update"] == 1 and child.schooling == "junior"
    assert child.history.count() == history + 1


def test_the_quirks_of_real_sheets(personas):
    number = f.id_number_for(BIRTH)
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    serial = (BIRTH - dt.date(1899, 12, 30)).days
    row = child_row(id_number="''" + wide, 出生日期=serial, 父亲姓名="—", 父亲状况="")
    result = run(personas.dir_a, xlsx([row]), commit=True)
    assert result.committed, result.problems
    child = Child.objects.get(id_number=number)
    assert child.birth_date == BIRTH
    father = Parent.objects.get(child=child, role="father")
    assert father.name == "" and father.situation == "migrant"  # "—": not given, never "deceased"


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_stored(personas):
    good = f.id_number_for(BIRTH)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    twice = f.id_number_for(BIRTH, "male")
    rows = [
        child_row(id_number=bad_check),  # row 3
        child_row("张三", **{"村（社区）": "不存在村"}),  # row 4
        child_row("李四", id_number="", 出生日期="2015-02-30"),  # row 5
        child_row("赵五", id_number="", 就学情况="大学"),  # row 6
        child_row("钱六", id_number=twice, 性别="男"),  # row 7
        child_row("孙七", id_number=twice, 性别="男"),  # row 8: duplicate of 7
    ]
    before = Child.objects.count()
    result = run(personas.dir_a, xlsx(rows), commit=True)
    assert not result.committed and Child.objects.count() == before
    found = {(p.row, p.column) for p in result.problems}
    assert (3, "公民身份证号码") in found
    assert (4, "村（社区）") in found
    assert (5, "出生日期") in found
    assert (6, "就学情况") in found
    assert (8, "公民身份证号码") in found
    assert any("第 7 行" in p.message for p in result.problems if p.row == 8)
    assert any("小学" in p.message for p in result.problems if p.row == 6)  # says what may be written


def test_numbers_masked_by_an_export_are_refused_not_stored(personas):
    child = f.make_child(name="王小花", birth_date=BIRTH, id_number=f.id_number_for(BIRTH))
    rows = [child_row(id_number=child.id_number, 父亲联系电话="138****5678")]
    result = run(personas.dir_a, xlsx(rows), commit=True)
    assert not result.committed
    assert [(p.row, p.column) for p in result.problems] == [(3, "父亲联系电话")]
    assert "完整号码" in result.problems[0].message
    assert not any("*" in (p.phone or "") for p in Parent.objects.filter(child=child))


def test_a_village_name_is_read_with_its_township(personas):
    result = run(personas.county, xlsx([child_row(**{"乡镇（街道）": "阚疃镇"})]))
    assert [(p.row, p.column) for p in result.problems] == [(3, "村（社区）")]


def test_a_village_outside_the_jurisdiction_is_refused(personas):
    result = run(personas.dir_b, xlsx([child_row()]))
    assert not result.ok and result.problems[0].row == 3


def test_the_national_form_with_two_header_rows_and_the_2016_wording(personas):
    above = ["", "", "", "", "", "", "父亲", "", "受委托监护人", "", ""]
    headers = [
        "姓名",
        "性别",
        "出生日期",
        "身份证号码",
        "乡镇",
        "村",
        "姓名",
        "联系电话",
        "姓名",
        "电话",
        "与被监护人关系",
    ]
    row = [
        "刘一",
        "男",
        "2016-01-02",
        f.id_number_for(dt.date(2016, 1, 2), "male"),
        "王市镇",
        "前潘村",
        "刘父",
        "13800001111",
        "刘奶奶",
        "13800002222",
        "祖母",
    ]
    result = run(personas.dir_a, xlsx([row], headers=headers, above=above), commit=True)
    assert result.committed, result.problems
    child = Child.objects.get(name="刘一")
    assert Parent.objects.get(child=child, role="father").name == "刘父"
    assert child.carer.name == "刘奶奶" and child.carer.relation == "grandparent"


def test_a_csv_in_gb18030(personas):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    row = child_row()
    writer.writerow([row.get(h, "") for h in HEADERS])
    upload = SimpleUploadedFile("名册.csv", out.getvalue().encode("gb18030"))
    result = run(personas.dir_a, upload, commit=True)
    assert result.committed, result.problems


def test_a_match_without_id_number_waits_for_a_person(personas):
    run(personas.dir_a, xlsx([child_row(id_number="")]), commit=True)
    child = Child.objects.get(name="王小花")
    changed = xlsx([child_row(id_number="", 就学情况="初中")])
    unconfirmed = run(personas.dir_a, changed, commit=True)
    assert unconfirmed.counts["confirm"] == 1 and unconfirmed.confirm[0]["pk"] == child.pk
    child.refresh_from_db()
    assert child.schooling == "primary" and Child.objects.filter(name="王小花").count() == 1
    confirmed = run(personas.dir_a, changed, commit=True, confirmed=frozenset({3}))
    child.refresh_from_db()
    assert confirmed.counts["update"] == 1 and child.schooling == "junior"


def test_a_file_that_is_not_a_sheet_or_too_big_is_refused(personas, settings):
    result = run(personas.dir_a, SimpleUploadedFile("名册.xls", b"\xd0\xcf\x11\xe0"))
    assert not result.ok and ".xlsx" in result.problems[0].message
    settings.IMPORT_MAX_BYTES = 100
    result = run(personas.dir_a, xlsx([child_row()]))
    assert not result.ok and "太大" in result.problems[0].message


def test_a_sheet_without_a_required_column_says_which(personas):
    result = run(personas.dir_a, xlsx([["王小花"]], headers=["姓名"]))
    assert not result.ok and "性别" in result.problems[0].message and "出生日期" in result.problems[0].message


def test_the_page_checks_then_imports(personas, client):
    client.force_login(personas.dir_a)
    url = reverse("imports:upload")
    response = client.post(url, {"file": xlsx([child_row()])}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "新登记：1 名" in page
    assert not Child.objects.filter(name="王小花").exists()
    job = response.context["job"]
    response = client.post(reverse("imports:job", args=[job.pk]))
    assert response.status_code == 302 and Child.objects.filter(name="王小花").exists()
    template = client.get(reverse("imports:template"))
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["姓名 *", "性别 *", "民族"]


def test_only_those_who_register_children_import(personas, client):
    client.force_login(personas.mentor)
    assert client.get(reverse("imports:upload")).status_code == 403
    assert client.get(reverse("imports:template")).status_code == 403


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
