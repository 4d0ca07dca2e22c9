"""The printed documents: each PDF's text, extracted with pdftotext, holds its Chinese title and the
child's name (a PDF of empty boxes or missing glyphs fails), the font is embedded, downloads are scoped
to the child's full-file readers and logged as exports."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from shouhu.assistance import services as assistance_services
from shouhu.assistance.models import AssistanceType
from shouhu.audit.models import AccessLog, Action
from shouhu.cases.models import Alert, Case
from shouhu.documents import contents
from shouhu.documents.render import pdf_bytes
from tests.assistance.conftest import unsupported_child

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")


@pytest.fixture(autouse=True)
def registry_language():
    with translation.override(settings.LANGUAGE_CODE):
        yield


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def fonts_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


def squeeze(text: str) -> str:
    return "".join(text.split())


def document_text(pdf: bytes, tmp_path, *, title: str, name: str) -> str:
    """The PDF's text, after checking it carries the title and the child's name as text drawn with the
    embedded Chinese font (not boxes, not an empty form)."""
    text = squeeze(text_of(pdf))
    assert title in text, f"title {title!r} not in the PDF's text"
    assert name in text, f"name {name!r} not in the PDF's text"
    fonts = fonts_of(pdf, tmp_path)
    assert any("WenQuanYi" in line and " yes " in line for line in fonts.splitlines()), fonts
    return text


@pytest.fixture
def child(personas):
    from tests import factories as f

    today = dt.date.today()
    birth = today.replace(year=today.year - 9, day=1)
    return unsupported_child(name="孙小雨", birth_date=birth, id_number=f.id_number_for(birth))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(user, url: str, **headers):
    response = client_for(user).get(url, **headers)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_the_duty_notice_from_an_alert_names_the_child_the_parents_and_the_township(
    personas, child, tmp_path
):
    alert = Alert.objects.get(child=child, rule="parents_unable")

    pdf = download(personas.dir_a, f"/alerts/{alert.pk}/notice.pdf")

    text = document_text(pdf, tmp_path, title="督促监护告知书", name="孙小雨")
    assert "孙大海" in text and "李秀英" in text
    assert "王市镇儿童福利工作站" in text
    assert "未成年人保护法" in text


def test_the_duty_notice_from_a_case(personas, child, tmp_path):
    case = Case.objects.get(child=child)

    pdf = download(personas.supervisor, f"/cases/{case.pk}/notice.pdf")

    assert "孙大海" in document_text(pdf, tmp_path, title="督促监护告知书", name="孙小雨")


def test_the_guardianship_confirmation_is_filled_from_the_registry(personas, child, tmp_path):
    pdf = download(personas.dir_a, f"/children/{child.pk}/documents/guardianship.pdf")

    text = document_text(pdf, tmp_path, title="委托监护确认书", name="孙小雨")
    assert "孙大海" in text and "李秀英" in text  # the parents
    assert "孙桂兰" in text  # the entrusted carer
    assert child.id_number in text


def test_the_case_summary(personas, child, tmp_path):
    case = Case.objects.get(child=child)

    pdf = download(personas.county, f"/cases/{case.pk}/summary.pdf")

    assert "已立案" in document_text(pdf, tmp_path, title="个案摘要", name="孙小雨")


def test_the_application_form_shows_the_steps(personas, child, tmp_path):
    application = assistance_services.application_submit(
        actor=personas.dir_a,
        child=child,
        assistance_type=AssistanceType.objects.get(code="de_facto_living"),
        reason="父母均在服刑",
    )
    assistance_services.application_return(
        actor=personas.supervisor, application=application, reason="缺少证明"
    )

    pdf = download(personas.civil, f"/assistance/applications/{application.pk}/form.pdf")

    text = document_text(pdf, tmp_path, title="救助申请表", name="孙小雨")
    assert "事实无人抚养儿童基本生活补贴" in text and "缺少证明" in text


def test_each_download_is_logged_as_an_export(personas, child):
    download(personas.dir_a, f"/children/{child.pk}/documents/guardianship.pdf")

    log = AccessLog.objects.filter(child_id=child.pk, action=Action.EXPORT).get()
    assert log.user == personas.dir_a and log.path.endswith("guardianship.pdf")


@pytest.mark.parametrize("persona", ["dir_b", "dir_c", "mentor", "social_worker"])
def test_a_reader_outside_the_territory_gets_404_and_nothing_is_logged(personas, child, persona):
    from shouhu.accounts.models import Grant, GrantReason

    Grant.objects.create(user=personas.mentor, child=child, reason=GrantReason.PAIRING)  # sees, not in full
    case = Case.objects.get(child=child)
    client = client_for(getattr(personas, persona))

    for url in (f"/children/{child.pk}/documents/guardianship.pdf", f"/cases/{case.pk}/summary.pdf"):
        assert client.get(url).status_code == 404, url
    assert not AccessLog.objects.filter(child_id=child.pk, action=Action.EXPORT).exists()


def test_the_interface_language_english_still_prints_the_names(personas, child):
    pdf = download(
        personas.dir_a, f"/children/{child.pk}/documents/guardianship.pdf", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "孙小雨" in squeeze(text_of(pdf))


def test_a_form_of_empty_boxes_fails_the_check(personas, child, tmp_path):
    """The check is honest: the same form rendered without the registry's data (empty boxes) fails."""
    context = contents.guardianship(child=child)
    pdf = pdf_bytes("documents/guardianship.html", {**context, "child": None, "parents": [], "carer": None})

    with pytest.raises(AssertionError, match="name"):
        document_text(pdf, tmp_path, title="委托监护确认书", name="孙小雨")
