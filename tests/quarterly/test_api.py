"""The API of quarterly reports: jobs created and followed, files downloaded (and logged), and the
submission, with session or token sign-in like every /api/v1/ route."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from rest_framework.test import APIClient

from shouhu.accounts.models import ApiToken
from shouhu.audit.models import AccessLog, Action
from shouhu.quarterly import services
from shouhu.quarterly.models import QuarterlyReport
from tests import factories as f

from .conftest import this_quarter

URL = "/api/v1/quarterly-reports/"


def token_client(user) -> APIClient:
    _token, secret = ApiToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_create_enqueues_the_generation_and_retrieve_shows_its_progress(
    personas, django_capture_on_commit_callbacks
):
    year, quarter = this_quarter()
    client = token_client(personas.supervisor)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(URL, {"region": f.TOWNSHIP, "year": year, "quarter": quarter}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["job_status"] == "queued" and len(queued) == 1
    body = client.get(f"{URL}{response.json()['id']}/").json()
    assert (body["job_status"], body["progress"], body["version"]) == ("done", 100, 1)
    assert body["title"].startswith("利辛县王市镇") and body["deidentified"] is False
    assert body["figures"]["children"] == 2
    assert client.get(URL).json()["count"] == 1


def test_files_download_and_each_download_is_logged(personas, generate):
    report = generate(personas.supervisor, f.TOWNSHIP)
    client = token_client(personas.supervisor)

    pdf = client.get(f"{URL}{report.pk}/pdf/")
    xlsx = client.get(f"{URL}{report.pk}/xlsx/", HTTP_ACCEPT="application/json")

    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert "概况" in book.sheetnames
    logged = AccessLog.objects.filter(action=Action.EXPORT, query__contains=str(report.pk), channel="api")
    assert logged.count() == 2


def test_submit_return_and_acknowledge(personas, generate):
    report = generate(personas.supervisor, f.TOWNSHIP)
    township, county = session_client(personas.supervisor), token_client(personas.county)

    assert township.post(f"{URL}{report.pk}/submit/").json()["status"] == "submitted"
    assert county.post(f"{URL}{report.pk}/return/", {}, format="json").status_code == 400
    returned = county.post(f"{URL}{report.pk}/return/", {"comment": "请核对走访数"}, format="json").json()
    assert (returned["status"], returned["comment"]) == ("returned", "请核对走访数")
    assert township.get(f"{URL}{report.pk}/").json()["comment"] == "请核对走访数"
    township.post(f"{URL}{report.pk}/submit/")
    acknowledged = county.post(f"{URL}{report.pk}/acknowledge/", {}, format="json").json()

    assert acknowledged["status"] == "acknowledged"
    assert [e["kind"] for e in acknowledged["events"]] == ["submit", "return", "submit", "acknowledge"]
    assert acknowledged["deidentified"] is True  # the county reads the township's report without names


def test_refusals_answer_403_and_reports_out_of_reach_404(personas, generate):
    year, quarter = this_quarter()
    report = generate(personas.supervisor, f.TOWNSHIP)
    services.report_submit(actor=personas.supervisor, report=report)

    director = token_client(personas.dir_a)
    assert (
        director.post(
            URL, {"region": f.TOWNSHIP, "year": year, "quarter": quarter}, format="json"
        ).status_code
        == 403
    )
    assert director.get(f"{URL}{report.pk}/").status_code == 404
    assert director.get(f"{URL}{report.pk}/pdf/").status_code == 404
    assert token_client(personas.supervisor).post(f"{URL}{report.pk}/acknowledge/").status_code == 403
    assert token_client(personas.county).get(f"{URL}not-a-uuid/").status_code == 404
    assert QuarterlyReport.objects.get(pk=report.pk).status == "submitted"


def test_the_townships_of_the_county(personas, generate):
    year, quarter = this_quarter()
    report = generate(personas.supervisor, f.TOWNSHIP)
    services.report_submit(actor=personas.supervisor, report=report)

    rows = token_client(personas.county).get(f"{URL}townships/?year={year}&quarter={quarter}").json()

    states = {row["code"]: row["state"] for row in rows}
    assert states[f.TOWNSHIP] == "submitted" and states[f.OTHER_TOWNSHIP] == "draft"
    assert len(states) == 23
    assert token_client(personas.county).get(f"{URL}townships/?quarter=5").status_code == 400
    assert token_client(personas.supervisor).get(f"{URL}townships/").status_code == 404
