"""The world of the quarterly-report tests: the personas, a child of 前潘村 with an open high-risk case
(a rescue contact, a plan, an ID number), and reports generated through the job."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from shouhu.cases import services as case_services
from shouhu.cases.models import Case
from shouhu.insight.selectors import quarter_of
from shouhu.quarterly import services
from shouhu.quarterly.models import QuarterlyReport
from tests import factories as f

CHILD_NAME = "孙小雨"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def registry_language():
    with translation.override(settings.LANGUAGE_CODE):
        yield


def this_quarter() -> tuple[int, int]:
    first, _last = quarter_of(timezone.localdate())
    return first.year, (first.month - 1) // 3 + 1


@pytest.fixture
def high_risk(personas) -> Case:
    """An open high-risk case of a child of 前潘村, with an ID number, a rescue contact and a plan."""
    today = timezone.localdate()
    birth = today.replace(year=today.year - 9, day=1)
    child = f.make_child(
        name=CHILD_NAME,
        birth_date=birth,
        id_number=f.id_number_for(birth),
        contacts=[{"name": "孙桂兰", "relation": "姑姑", "phone": "13900000007"}],
    )
    case = case_services.case_open(
        actor=personas.supervisor, child=child, source="manual", risk_level="high", parties=["派出所", "学校"]
    )
    Case.objects.filter(pk=case.pk).update(plan="每周由孙桂兰接送上学")
    return case


@pytest.fixture
def generate(django_capture_on_commit_callbacks):
    """Ask for a report as ``user`` and run the job the request queued (after the commit, as in
    production; Celery runs it inline without a broker)."""

    def run(user, region: str, year: int | None = None, quarter: int | None = None) -> QuarterlyReport:
        y, q = this_quarter()
        with django_capture_on_commit_callbacks(execute=True):
            report = services.report_request(
                actor=user, region_code=region, year=year or y, quarter=quarter or q
            )
        report.refresh_from_db()
        return report

    return run


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")


def pdf_text(pdf: bytes) -> str:
    """The PDF's text without white space (pdftotext lays Chinese out with spaces between cells)."""
    assert pdf.startswith(b"%PDF-")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return "".join(out.stdout.decode("utf-8").split())


def download(user, url: str) -> bytes:
    response = client_for(user).get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def title(year: int, quarter: int, place: str = "利辛县王市镇") -> str:
    names = {1: "一", 2: "二", 3: "三", 4: "四"}
    return f"{place}{year}年第{names[quarter]}季度农村留守儿童和困境儿童关爱保护工作报告"
