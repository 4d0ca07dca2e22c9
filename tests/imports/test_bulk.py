"""The import at scale: rows written in sets leave what registering one child at a time leaves; a
second import changes nothing; an import that fails midway leaves nothing; the caps speak; the job
runs in the background with a progress bar only its uploader sees; GBK and UTF-8 read the same."""

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import reverse

from shouhu.cases.models import Alert
from shouhu.children import services as registry
from shouhu.children.models import CategoryEvent, Child, ChildCategory, NameToken
from shouhu.escalation.models import WorkItem
from shouhu.imports import jobs, reader, services
from shouhu.imports.models import ImportJob, JobStatus
from shouhu.imports.reader import SheetError
from shouhu.regions.models import Region
from tests import factories as f

from .test_import import BIRTH, HEADERS, child_row, run, xlsx

ALONE = dict(living="独自居住", code="alone")
LEFT_BEHIND = dict(living="祖父母、外祖父母", code="grandparents")


def _history(child: Child) -> tuple[int, int, int]:
    carer = getattr(child, "carer", None)
    return (
        child.history.count(),
        sum(p.history.count() for p in child.parents.all()),
        carer.history.count() if carer else 0,
    )


def _derived(child: Child) -> dict:
    """What the registry and the modules following it hold about a child, without ids and clocks."""
    return {
        "categories": sorted(ChildCategory.objects.filter(child=child).values_list("category_id", "reason")),
        "events": sorted(
            CategoryEvent.objects.filter(child=child).values_list("category_id", "gained", "reason")
        ),
        "history": _history(child),
        "tokens": sorted(NameToken.objects.filter(child=child).values_list("token", flat=True).distinct()),
        "visits": sorted(
            WorkItem.objects.filter(child=child, kind__startswith="visit.").values_list(
                "kind", "period_start", "tier", "responsible_id", "status"
            )
        ),
        # Its own alerts and its household's (the two files share parents: one home, one alert).
        "alerts": sorted(
            Alert.objects.filter(
                Q(child=child) | Q(household__members__child=child, household__members__left_on__isnull=True)
            )
            .distinct()
            .values_list("rule", "severity", "status")
        ),
        "pinyin": (child.name_pinyin, child.name_initials, child.region_code),
    }


@pytest.mark.parametrize("case", [LEFT_BEHIND, ALONE], ids=["left-behind", "alone"])
def test_a_child_imported_in_sets_is_as_one_registered_through_the_form(personas, case):
    birth = dt.date(2016, 5, 4)
    by_hand = registry.child_register(
        actor=personas.dir_a,
        fields={
            "name": "陈小雨",
            "gender": "female",
            "birth_date": birth,
            "id_number": f.id_number_for(birth),
            "village": Region.objects.get(code=f.VILLAGE_A),
            "schooling": "primary",
            "living_arrangement": case["code"],
        },
        parents={
            "father": {"name": "陈大海", "situation": "migrant", "work_place": "浙江省宁波市"},
            "mother": {"name": "李小梅", "situation": "migrant"},
        },
        carer={"name": "陈奶奶", "relation": "grandparent", "phone": "13800002222"},
    )
    row = child_row(
        "陈小雨",
        id_number=f.id_number_for(birth),
        出生日期=birth,
        实际监护=case["living"],
        父亲姓名="陈大海",
        **{
            "受委托照料人姓名": "陈奶奶",
            "受委托照料人联系电话": "13800002222",
            "受委托照料人与儿童关系": "祖父母",
        },
    )
    result = run(personas.dir_a, xlsx([row]), commit=True)
    assert result.committed, result.problems
    imported = Child.objects.get(id_number=row["公民身份证号码"])

    assert _derived(imported) == _derived(by_hand)
    assert _derived(imported)["categories"]  # the comparison is of something
    if case is ALONE:
        assert _derived(imported)["alerts"] and any(
            k == "visit.urgent" for k, *_ in _derived(imported)["visits"]
        )


def _totals() -> dict:
    return {
        "children": Child.objects.count(),
        "child_history": Child.history.count(),
        "events": CategoryEvent.objects.count(),
        "items": WorkItem.objects.count(),
        "alerts": Alert.objects.count(),
        "tokens": NameToken.objects.count(),
    }


def test_a_second_import_of_a_large_sheet_adds_nothing(personas, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)  # several sets of rows, as a large file has
    rows = [
        child_row(f"王{given}", id_number=f.id_number_for(BIRTH, "male"), 性别="男")
        for given in ("一一", "二二", "三三", "四四", "五五", "六六", "七七")
    ]
    sheet = xlsx(rows)
    first = run(personas.dir_a, sheet, commit=True)
    assert first.committed and first.counts["new"] == 7
    before = _totals()

    second = run(personas.dir_a, sheet, commit=True)

    assert second.counts["unchanged"] == 7 and second.counts["new"] == second.counts["update"] == 0
    assert _totals() == before


def test_an_import_that_fails_midway_leaves_the_registry_as_it_was(personas, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    rows = [
        child_row(f"李{given}", id_number=f.id_number_for(BIRTH)) for given in ("甲", "乙", "丙", "丁", "戊")
    ]
    before = _totals()
    write = registry.children_write
    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return write(**kwargs)

    monkeypatch.setattr(registry, "children_write", failing)
    with pytest.raises(RuntimeError):
        run(personas.dir_a, xlsx(rows), commit=True)

    assert len(calls) == 2 and _totals() == before


def test_a_job_that_fails_midway_says_so_stores_nothing_and_drops_the_file(personas, monkeypatch, settings):
    job = jobs.job_create(actor=personas.dir_a, upload=xlsx([child_row()]))
    jobs.job_check(job=job)
    assert job.status == JobStatus.CHECKED
    jobs.job_commit_request(actor=personas.dir_a, job=job, confirmed=[])
    job.refresh_from_db()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(registry, "children_write", broken)
    jobs.job_commit(job=job)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "撤销" in job.error
    assert not Child.objects.filter(name="王小花").exists()
    assert not any((Path(settings.MEDIA_ROOT) / "imports").iterdir())


def test_a_sheet_over_the_row_cap_is_refused_before_its_rows_are_read(personas, settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = [child_row(f"赵{c}", id_number=f.id_number_for(BIRTH)) for c in "一二三四五六七八九十"]

    result = run(personas.dir_a, xlsx(rows))  # openpyxl writes the sheet's dimension: read first

    assert not result.ok and result.rows == 0
    assert "12 行" in result.problems[0].message and "上限 5 行" in result.problems[0].message


def test_a_csv_over_the_row_cap_is_refused_as_soon_as_the_cap_is_passed(personas, settings):
    settings.IMPORT_MAX_ROWS = 5
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for c in "一二三四五六七八九十" * 3:
        writer.writerow([child_row(f"赵{c}", id_number="").get(h, "") for h in HEADERS])

    result = run(personas.dir_a, SimpleUploadedFile("名册.csv", out.getvalue().encode("utf-8")))

    assert not result.ok and "上限 5 行" in result.problems[-1].message
    assert result.rows <= 5 + 6  # stopped at the cap, not at the end of the file


def test_a_file_over_the_size_cap_is_refused_before_anything_is_stored(personas, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("名册.xlsx", b"0" * (1024 * 1024 + 1))

    with pytest.raises(SheetError, match="文件太大（1.0 MB），最大 1 MB"):
        jobs.job_create(actor=personas.dir_a, upload=big)

    assert not ImportJob.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_clear_message(personas):
    result = run(personas.dir_a, SimpleUploadedFile("名册.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 100))
    assert not result.ok and "无法读取这个 Excel 文件" in result.problems[0].message


def test_merged_cells_and_formulas_without_a_value_are_reported_where_they_are(personas):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append([child_row().get(h, "") for h in HEADERS])
    sheet.append([child_row("王小草", id_number=f.id_number_for(BIRTH)).get(h, "") for h in HEADERS])
    township = HEADERS.index("乡镇（街道）") + 1
    sheet.merge_cells(start_row=2, end_row=3, start_column=township, end_column=township)
    sheet.cell(row=3, column=HEADERS.index("姓名") + 1, value="=A2")  # openpyxl stores no result
    out = io.BytesIO()
    book.save(out)

    result = run(personas.dir_a, SimpleUploadedFile("名册.xlsx", out.getvalue()))

    found = {(p.row, p.column): p.message for p in result.problems}
    assert "公式" in found[(3, "姓名")]
    assert "合并单元格" in found[(2, "乡镇（街道）")]


def _csv(rows, encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row.get(h, "") for h in HEADERS])
    return out.getvalue().encode(encoding)


def test_gbk_and_utf8_csv_read_the_same_and_a_file_mixing_them_is_refused(personas):
    rows = [child_row(), child_row("张晓燕", id_number=f.id_number_for(BIRTH), 父亲务工地点="广东省东莞市")]
    results = {}
    for encoding in ("utf-8", "utf-8-sig", "gbk"):
        result = run(personas.dir_a, SimpleUploadedFile("名册.csv", _csv(rows, encoding)))
        results[encoding] = (result.ok, dict(result.counts), result.unknown_columns)
    head, tail = _csv(rows, "utf-8").split(b"\n", 2)[:2], _csv(rows, "gbk").split(b"\n", 2)[2]
    before = Child.objects.count()
    mixed = run(personas.dir_a, SimpleUploadedFile("名册.csv", b"\n".join([*head, tail])), commit=True)

    assert results["utf-8"] == results["utf-8-sig"] == results["gbk"] == (True, {"new": 2}, [])
    # A file pieced together from a UTF-8 and a GBK one: refused at the first line that differs.
    assert not mixed.committed and Child.objects.count() == before
    assert "第 3 行不是 UTF-8 编码" in mixed.problems[0].message and "GBK" in mixed.problems[0].message


# The job and its page ------------------------------------------------------------------------------


def test_the_job_checks_imports_and_reaches_100_percent(personas, client, settings):
    client.force_login(personas.dir_a)
    response = client.post(reverse("imports:upload"), {"file": xlsx([child_row()])})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "新登记：1 名" in page and "确认导入" in page and "imports/progress.js" in page
    assert not Child.objects.filter(name="王小花").exists()

    client.post(reverse("imports:job", args=[job.pk]))

    status = client.get(reverse("imports:status", args=[job.pk]))
    assert status.status_code == 200
    assert json.loads(status.content) | {"label": ""} == {
        "status": "done",
        "label": "",
        "error": "",
        "retryable": False,
        "running": False,
        "progress": 100,
        "rows_done": 1,
        "rows_total": 1,
    }
    assert Child.objects.filter(name="王小花").exists()
    assert not any((Path(settings.MEDIA_ROOT) / "imports").iterdir())  # kept only until the job ended


def test_a_job_is_its_uploader_s_alone(personas, client):
    job = jobs.job_create(actor=personas.dir_a, upload=xlsx([child_row()]))
    jobs.job_check(job=job)
    for persona in (personas.dir_b, personas.supervisor, personas.county):
        client.force_login(persona)
        assert client.get(reverse("imports:status", args=[job.pk])).status_code == 404
        assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404
        assert client.post(reverse("imports:job", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED and not Child.objects.filter(name="王小花").exists()


def test_a_commit_confirmed_twice_runs_once(personas):
    job = jobs.job_create(actor=personas.dir_a, upload=xlsx([child_row()]))
    jobs.job_check(job=job)
    assert jobs.job_commit_request(actor=personas.dir_a, job=job, confirmed=[]) is True
    assert jobs.job_commit_request(actor=personas.dir_a, job=job, confirmed=[]) is False


def test_a_checked_file_not_committed_in_time_is_deleted(personas, settings):
    job = jobs.job_create(actor=personas.dir_a, upload=xlsx([child_row()]))
    jobs.job_check(job=job)
    stored = Path(settings.MEDIA_ROOT) / "imports" / job.stored_name
    assert stored.exists()

    jobs.jobs_expire(now=job.created_at + dt.timedelta(hours=25))

    job.refresh_from_db()
    assert job.status == JobStatus.EXPIRED and not stored.exists()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_update_in_sets_keeps_encrypted_numbers_readable_and_findable(personas):
    father_id = f.id_number_for(dt.date(1985, 1, 2), "male")
    run(personas.dir_a, xlsx([child_row()]), commit=True)
    child = Child.objects.get(name="王小花")
    changed = child_row(id_number=child.id_number, 父亲联系电话="13900001111", 父亲身份证号码=father_id)

    result = run(personas.dir_a, xlsx([changed]), commit=True)

    assert result.counts["update"] == 1
    father = child.parents.get(role="father")
    assert father.phone == "13900001111" and father.id_number == father_id
    assert child.parents.model.objects.filter(id_number=father_id).get() == father
    assert father.history.count() == 2 and father.history.first().phone == "13900001111"


def shared_strings(upload: SimpleUploadedFile) -> SimpleUploadedFile:
    """The workbook as Excel saves it: text in a shared-strings part (openpyxl writes it inline),
    the first text split into two runs with a phonetic guide, as Excel stores formatted text."""
    source = zipfile.ZipFile(io.BytesIO(upload.read()))
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    strings: list[str] = []

    def shared(match):
        strings.append(match.group(3))
        return f'<c r="{match.group(1)}"{match.group(2) or ""} t="s"><v>{len(strings) - 1}</v></c>'

    sheet = re.sub(r'<c r="(\w+)"( s="\d+")? t="inlineStr"><is><t>(.*?)</t></is></c>', shared, sheet)
    items = [f"<si><t>{text}</t></si>" for text in strings]
    first = strings[0]
    items[0] = (
        f'<si><r><t>{first[:1]}</t></r><r><t>{first[1:]}</t></r><rPh sb="0" eb="1"><t>ヨミ</t></rPh></si>'
    )
    table = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(items)}" uniqueCount="{len(items)}">{"".join(items)}</sst>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9" /></Relationships>',
                )
            target.writestr(item.filename, data)
        target.writestr("xl/sharedStrings.xml", table)
    return SimpleUploadedFile(upload.name, out.getvalue())


def test_a_workbook_saved_by_excel_reads_as_openpyxl_reads_it(personas):
    serial = (BIRTH - dt.date(1899, 12, 30)).days
    upload = shared_strings(
        xlsx([child_row(), child_row("王小草", id_number=f.id_number_for(BIRTH), 出生日期=serial)])
    )
    book = openpyxl.load_workbook(io.BytesIO(upload.read()), read_only=True)
    upload.seek(0)

    read = [values for _number, values in reader.open_sheet(upload).rows]

    def as_stored(value):  # openpyxl turns date-formatted numbers into datetimes; the reader keeps them
        return (value.date() - dt.date(1899, 12, 30)).days if isinstance(value, dt.datetime) else value

    expected = [tuple(map(as_stored, row)) for row in book.worksheets[0].iter_rows(values_only=True)][2:]
    assert read == [row[: len(mine)] for row, mine in zip(expected, read, strict=True)]
    assert all(value is None for row, mine in zip(expected, read, strict=True) for value in row[len(mine) :])
    assert read[0][HEADERS.index("姓名")] == "王小花"  # the two runs joined, the phonetic guide left out
    result = run(personas.dir_a, upload)
    assert result.ok and result.counts["new"] == 2


def test_a_workbook_whose_text_unzips_too_large_is_refused(personas, monkeypatch):
    monkeypatch.setattr(reader, "MAX_SHARED_STRINGS", 100)

    result = run(personas.dir_a, shared_strings(xlsx([child_row()])))

    assert not result.ok and "解压后太大" in result.problems[0].message


def test_the_page_asks_a_person_to_confirm_a_match_without_id_number(personas, client):
    run(personas.dir_a, xlsx([child_row(id_number="")]), commit=True)
    client.force_login(personas.dir_a)

    response = client.post(
        reverse("imports:upload"), {"file": xlsx([child_row(id_number="", 就学情况="初中")])}
    )
    page = client.get(response["Location"]).content.decode()
    assert 'name="confirm" value="3"' in page and "第 3 行：王小花" in page

    client.post(response["Location"], {"confirm": "3"})

    assert Child.objects.get(name="王小花").schooling == "junior"


def test_a_checked_job_commits_the_rows_its_check_kept_as_a_direct_commit_would(personas, settings):
    number = f.id_number_for(BIRTH)
    wide = "'" + number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [
        child_row(id_number=wide, 父亲姓名="—", 父亲状况=""),
        child_row("王小草", id_number="", 性别="男"),
    ]
    job = jobs.job_create(actor=personas.dir_a, upload=xlsx(rows))
    jobs.job_check(job=job)
    kept = Path(settings.MEDIA_ROOT) / "imports" / f"{job.stored_name}.checked"
    assert job.status == JobStatus.CHECKED and kept.exists()

    jobs.job_commit_request(actor=personas.dir_a, job=job, confirmed=[])
    jobs.job_commit(job=job)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and dict(job.counts) == {"new": 2} and not kept.exists()
    flower = Child.objects.get(id_number=number)  # normalised by the model's clean, as ever
    assert flower.birth_date == BIRTH and flower.village_id == f.VILLAGE_A
    father = flower.parents.get(role="father")  # "—" is a name not given, never a death
    assert father.name == "" and father.situation == "migrant"  # a current work place: a migrant
    assert {c.category_id for c in flower.categories.all()} >= {"left_behind"}
    assert Child.objects.get(name="王小草").id_number is None


def test_what_changed_in_the_registry_since_the_check_is_checked_again_at_commit(personas):
    number = f.id_number_for(BIRTH)
    job = jobs.job_create(actor=personas.dir_a, upload=xlsx([child_row(id_number=number)]))
    jobs.job_check(job=job)
    assert job.status == JobStatus.CHECKED
    # Meanwhile the child is registered in another township's village, out of the director's reach.
    f.make_child(name="王小花", birth_date=BIRTH, id_number=number, village=f.VILLAGE_C)
    before = Child.objects.count()

    jobs.job_commit_request(actor=personas.dir_a, job=job, confirmed=[])
    jobs.job_commit(job=job)

    job.refresh_from_db()
    assert job.status == JobStatus.REFUSED and Child.objects.count() == before
    assert [(p["row"], p["column"]) for p in job.problems] == [(3, "公民身份证号码")]
