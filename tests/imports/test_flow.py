"""A county imports its register through the API: upload, follow the check, read the problems, import
the valid rows, download the rows with problems, fix them and upload again (only the missing rows are
added). The files at rest are sealed with the field key, readable by the owner alone, gone when the
job ends or expires, and a file no job names is swept."""

import datetime as dt
import io
import os
import stat

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shouhu import jobs as background
from shouhu.children.models import Child
from shouhu.imports import jobs
from shouhu.imports.models import ImportJob, JobStatus
from tests import factories as f
from tests.api import conftest as api_helpers

from .national_form import national_sheet
from .test_national_form import FLOWER, JUN, RAIN, broken_rows, flower, jun, rain

URL = "/api/v1/imports/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


api = pytest.fixture(api_helpers.api.__wrapped__, name="api")


def _sheet():
    ids = [f.id_number_for(FLOWER), f.id_number_for(RAIN), f.id_number_for(JUN, "male")]
    bad = broken_rows()
    return national_sheet([flower(ids[0]), rain(ids[1]), jun(ids[2]), *bad]), ids, bad


def _files(folder):
    path = folder / "imports"
    return sorted(p for p in path.iterdir()) if path.exists() else []


@pytest.mark.postgres
def test_the_api_flow_imports_valid_rows_and_the_fixed_error_sheet_adds_only_the_missing(
    personas, api, tmp_path
):
    client = api(personas.county)
    data, ids, _bad = _sheet()
    before = Child.objects.count()

    created = client.post(URL, {"file": SimpleUploadedFile("登记表.xlsx", data)}, format="multipart")
    assert created.status_code == 201, created.content
    job_id = created.json()["id"]
    job = client.get(f"{URL}{job_id}/").json()  # the check ran inline (the embedded broker)
    assert job["status"] == "checked" and job["rows_total"] == 5 and job["rows_rejected"] == 2
    assert job["error_sheet"] is True

    page = client.get(f"{URL}{job_id}/problems/").json()
    assert page["count"] == 2 and [r["row"] for r in page["results"]] == [8, 9]
    assert {e["column"] for e in page["results"][0]["errors"]} >= {
        "姓名",
        "出生日期",
        "公民身份证号码",
        "户籍所在地",
    }

    # All or nothing is refused while rows have problems; the valid rows alone import.
    assert client.post(f"{URL}{job_id}/commit/", {}, format="json").status_code == 409
    done = client.post(f"{URL}{job_id}/commit/", {"valid_only": True}, format="json")
    assert done.status_code == 202, done.content
    job = client.get(f"{URL}{job_id}/").json()
    assert job["status"] == "done" and job["counts"]["new"] == 3
    assert Child.objects.count() == before + 3
    assert client.post(f"{URL}{job_id}/commit/", {"valid_only": True}, format="json").status_code == 409

    # The error sheet: the same columns, the cells as uploaded, the row number and every problem.
    sheet = client.get(f"{URL}{job_id}/error-sheet/")
    assert sheet.status_code == 200
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(sheet.streaming_content) if sheet.streaming else sheet.content)
    )
    rows = list(book.active.iter_rows(values_only=True))
    header = rows[0]
    assert header[-2:] == ("原行号", "错误") and "父亲姓名" in header and "户籍所在地" in header
    assert len(rows) == 3 and [r[-2] for r in rows[1:]] == [8, 9]
    name_at = header.index("姓名")
    assert rows[1][name_at] == '=HYPERLINK("http://x","李四")'  # text, never a formula
    assert book.active.cell(row=2, column=name_at + 1).data_type == "s"
    assert "户籍所在地" in rows[1][-1] and "公民身份证号码" in rows[1][-1]

    # Fix the two rows and upload the sheet again: only they are added.
    fixed = openpyxl.Workbook()
    ws = fixed.active
    ws.append(list(header))
    fix_8 = dict(zip(header, rows[1], strict=True))
    fix_8.update(
        {
            "姓名": "李四",
            "出生日期": dt.date(2016, 2, 3),
            "公民身份证号码": f.id_number_for(dt.date(2016, 2, 3)),
            "户籍所在地": "王市镇前潘村",
        }
    )
    fix_9 = dict(zip(header, rows[2], strict=True))
    fix_9.update(
        {
            "无监护能力": "",
            "父母一方外出、另一方无监护能力": "否",
            "有无委托其他监护人": "有",
            "家庭经济来源": "打工收入",
        }
    )
    for row in (fix_8, fix_9):
        ws.append([row[h] for h in header])
    out = io.BytesIO()
    fixed.save(out)
    again = client.post(URL, {"file": SimpleUploadedFile("改正.xlsx", out.getvalue())}, format="multipart")
    job2 = client.get(f"{URL}{again.json()['id']}/").json()
    assert job2["status"] == "checked" and job2["rows_rejected"] == 0, client.get(
        f"{URL}{again.json()['id']}/problems/"
    ).json()
    assert job2["counts"] == {"new": 2}
    assert client.post(f"{URL}{job2['id']}/commit/", {}, format="json").status_code == 202
    assert Child.objects.count() == before + 5

    # The original sheet, corrected as a whole, adds nothing twice.
    full = national_sheet([flower(ids[0]), rain(ids[1]), jun(ids[2])])
    third = client.post(URL, {"file": SimpleUploadedFile("全部.xlsx", full)}, format="multipart").json()
    assert client.get(f"{URL}{third['id']}/").json()["counts"] == {"unchanged": 3}


@pytest.mark.postgres
def test_the_api_answers_others_and_the_unentitled_as_the_web_import_does(personas, api):
    data, _ids, _bad = _sheet()
    mine = api(personas.county).post(URL, {"file": SimpleUploadedFile("a.xlsx", data)}, format="multipart")
    job_id = mine.json()["id"]
    assert api(personas.dir_a).get(f"{URL}{job_id}/").status_code == 404  # another's job
    assert api(personas.dir_a).get(f"{URL}not-a-uuid/").status_code == 404
    assert api(personas.mentor).get(URL).status_code == 403
    upload = SimpleUploadedFile("a.xlsx", data)
    assert api(personas.mentor).post(URL, {"file": upload}, format="multipart").status_code == 403
    wrong = api(personas.county).post(URL, {"file": SimpleUploadedFile("a.pdf", b"%PDF")}, format="multipart")
    assert wrong.status_code == 400 and "file" in wrong.json()


def test_the_schema_documents_the_import_api(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert "/api/v1/imports/" in paths
    commit = paths["/api/v1/imports/{id}/commit/"]["post"]["responses"]
    assert {"202", "400", "403", "404", "409", "503"} <= set(commit)
    assert "/api/v1/imports/{id}/error-sheet/" in paths and "/api/v1/imports/{id}/problems/" in paths


@pytest.mark.postgres
def test_uploads_are_sealed_owner_only_and_gone_when_the_job_ends(personas, tmp_path):
    data, ids, _bad = _sheet()
    job = jobs.job_create(actor=personas.county, upload=SimpleUploadedFile("a.xlsx", data))
    jobs.job_check(job=job)
    files = _files(tmp_path)
    assert {p.name.rsplit(".", 1)[-1] for p in files} == {"xlsx", "checked", "rejected"}
    for path in files:
        content = path.read_bytes()
        for id_number in ids:
            assert id_number.encode() not in content
        assert "王小花".encode() not in content and b"PK" not in content[:4]
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "imports").st_mode) == 0o700

    assert jobs.job_commit_request(actor=personas.county, job=job, confirmed=[], valid_only=True)
    jobs.job_commit(job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    # The upload and its checked rows are gone; the refused rows wait for the error sheet, sealed.
    assert [p.name for p in _files(tmp_path)] == [job.rejected_name]
    jobs.jobs_expire(now=timezone.now() + dt.timedelta(hours=jobs.KEEP_HOURS + 1))
    assert _files(tmp_path) == []
    job.refresh_from_db()
    assert job.rejected_name == ""


@pytest.mark.postgres
def test_an_unconfirmed_check_expires_and_a_cancel_deletes_at_once(personas, tmp_path):
    data, _ids, _bad = _sheet()
    first = jobs.job_create(actor=personas.county, upload=SimpleUploadedFile("a.xlsx", data))
    jobs.job_check(job=first)
    second = jobs.job_create(actor=personas.county, upload=SimpleUploadedFile("b.xlsx", data))
    jobs.job_check(job=second)
    name = second.stored_name
    assert jobs.job_cancel(actor=personas.county, job=second)
    second.refresh_from_db()
    assert second.status == JobStatus.CANCELLED
    assert all(name not in p.name for p in _files(tmp_path))
    jobs.jobs_expire(now=timezone.now() + dt.timedelta(hours=jobs.KEEP_HOURS + 1))
    first.refresh_from_db()
    assert first.status == JobStatus.EXPIRED and _files(tmp_path) == []


@pytest.mark.postgres
def test_a_file_no_job_names_is_swept_by_the_watchdog(personas, tmp_path):
    data, _ids, _bad = _sheet()
    job = jobs.job_create(actor=personas.county, upload=SimpleUploadedFile("a.xlsx", data))
    orphan = tmp_path / "imports" / "0123456789abcdef.xlsx"
    orphan.write_bytes(b"left by a crash")
    (tmp_path / "imports" / "0123456789abcdef.xlsx.checked").write_bytes(b"rows")
    written = timezone.now().timestamp()  # the test's clock, not the file system's
    for path in _files(tmp_path):
        os.utime(path, (written, written))
    assert background.watchdog()["imports"]["swept"] == 0  # too young: may be an upload being saved
    later = timezone.now() + dt.timedelta(minutes=jobs.ORPHAN_MINUTES + 1)
    assert background.watchdog(now=later)["imports"]["swept"] == 2
    left = _files(tmp_path)
    assert left and all(p.name.startswith(job.stored_name) for p in left)  # the job's own files stay
    for path in left:
        os.utime(path, (written, written))
    ImportJob.objects.filter(pk=job.pk).delete()  # its row gone: its files are orphans too
    assert jobs.files_sweep(now=later) == len(left) and _files(tmp_path) == []


@pytest.mark.postgres
def test_the_web_import_offers_the_valid_rows_only_and_the_error_sheet(personas, client):
    from django.urls import reverse

    data, _ids, _bad = _sheet()
    client.force_login(personas.county)
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("a.xlsx", data)})
    page = client.get(response["Location"]).content.decode()
    assert "只导入没有问题的行" in page and "errors.xlsx" in page
    assert "户籍所在地" in page  # a problem named by the sheet's column
    client.post(response["Location"], {"valid_only": "1"})
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE and job.counts["new"] == 3
    sheet = client.get(reverse("imports:errors", args=[job.pk]))
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxml")
    client.force_login(personas.dir_a)
    assert client.get(reverse("imports:errors", args=[job.pk])).status_code == 404
