"""强制报告: anyone files one with one form and gets a reference at once; the township triages it —
links it to a child, makes it a case or closes it with a reason; a reporter from outside sees only
its status, never the child's file."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shouhu.cases import reports
from shouhu.cases.models import Case, Report, ReportStatus
from shouhu.regions.models import Region
from tests import factories as f
from tests.web.conftest import error_next_to

from .conftest import file_report

NEW = reverse("cases:report_new")
REPORTS = reverse("cases:reports")


def report_url(report) -> str:
    return reverse("cases:report", kwargs={"report_id": report.pk})


def form_data(**overrides) -> dict:
    data = {
        "harm_type": "abandoned",
        "description": "孩子一个人在家，三天没见到大人。",
        "seen_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "urgency": "immediate",
        "township": f.TOWNSHIP,
        "village": f.VILLAGE_B,
        "child_name": "高小明",
        "county": f.COUNTY,
    }
    data.update(overrides)
    return data


def test_the_form_offers_the_nine_statutory_situations_and_the_local_ones(personas, signed_in, teacher):
    form = signed_in(teacher).get(NEW).context["form"]

    groups = dict(form.harm_groups)
    assert len(groups["法定强制报告情形"]) == 9
    assert [code for code, _name in groups["本地增加的情形"]] == ["lured"]


def test_the_form_starts_from_the_directors_own_village(personas, signed_in):
    form = signed_in(personas.dir_a).get(NEW).context["form"]

    assert (form["township"].value(), form["village"].value()) == (f.TOWNSHIP, f.VILLAGE_A)


def test_a_teacher_files_a_report_and_sees_its_reference_and_what_happens_next(personas, signed_in, teacher):
    client = signed_in(teacher)

    response = client.post(NEW, form_data(), follow=True)

    report = Report.objects.get(reporter=teacher)
    html = response.content.decode()
    assert report.reference in html
    assert "王市镇的儿童督导员已收到通知，须在 2 小时内" in html
    mine = client.get(REPORTS).content.decode()
    assert report.reference in mine and "已接收" in mine


def test_choosing_the_village_is_enough_to_route_the_report(personas, signed_in, teacher):
    signed_in(teacher).post(NEW, form_data(township=""))

    assert Report.objects.get(reporter=teacher).township_id == f.TOWNSHIP


def test_the_reporter_sees_the_status_but_not_the_childs_file(personas, signed_in, teacher):
    report = file_report(teacher, child_name="高小明", child_birth_date=personas.child_b.birth_date)
    reports.report_link(actor=personas.supervisor, report=report, child=personas.child_b)
    client = signed_in(teacher)

    html = client.get(report_url(report)).content.decode()

    assert "已关联儿童" in html
    assert reverse("children:detail", kwargs={"pk": personas.child_b.pk}) not in html
    assert "孩子一个人在家" not in html  # the details are the township's
    assert client.get(reverse("children:detail", kwargs={"pk": personas.child_b.pk})).status_code == 404


def test_a_report_that_is_not_yours_nor_in_your_territory_is_404(personas, signed_in, teacher):
    report = file_report(teacher)
    client = signed_in(personas.dir_c)

    assert client.get(report_url(report)).status_code == 404
    assert report.reference not in client.get(REPORTS).content.decode()
    for action in ("report_link", "report_case", "report_close"):
        url = reverse(f"cases:{action}", kwargs={"report_id": report.pk})
        assert client.post(url, {"child": personas.child_c.pk, "reason": "误报"}).status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED


def test_the_reporter_cannot_triage_her_own_report(personas, signed_in, teacher):
    report = file_report(teacher)

    response = signed_in(teacher).post(
        reverse("cases:report_close", kwargs={"report_id": report.pk}), {"reason": "误报"}
    )

    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED


def test_a_report_without_a_place_or_a_description_is_refused_next_to_the_fields(
    personas, signed_in, teacher
):
    response = signed_in(teacher).post(NEW, form_data(township="", village="", description=""))

    assert error_next_to(response, "id_township") == "请选择儿童所在的乡镇（街道）。"
    assert error_next_to(response, "id_description") == "请描述所见情况。"
    assert not Report.objects.exists()


def test_the_township_sees_unlinked_reports_first_and_marked(personas, signed_in, teacher):
    linked = file_report(teacher, child_name="高小明")
    reports.report_link(actor=personas.supervisor, report=linked, child=personas.child_b)
    unlinked = file_report(teacher, child_name="不知名")

    response = signed_in(personas.supervisor).get(REPORTS)

    assert [r.pk for r in response.context["page"]] == [unlinked.pk, linked.pk]
    html = response.content.decode()
    assert 'class="item unlinked' in html and "未关联儿童" in html


def test_the_supervisor_links_a_candidate_and_makes_the_report_a_case(personas, signed_in, teacher):
    report = file_report(teacher, child_name="高小明", child_birth_date=personas.child_b.birth_date)
    client = signed_in(personas.supervisor)

    page = client.get(report_url(report))
    assert [c.name for c in page.context["candidates"]] == ["高小明"]
    client.post(reverse("cases:report_link", kwargs={"report_id": report.pk}), {"child": personas.child_b.pk})
    response = client.post(
        reverse("cases:report_case", kwargs={"report_id": report.pk}),
        {"risk_level": "high", "parties": "公安机关、学校"},
    )

    case = Case.objects.get(report=report)
    assert response["Location"] == reverse("cases:case", kwargs={"case_id": case.pk})
    assert case.child == personas.child_b and case.parties == ["公安机关", "学校"]
    report.refresh_from_db()
    assert report.status == ReportStatus.CASE


def test_the_supervisor_finds_a_child_by_name_when_the_report_has_no_candidate(personas, signed_in, teacher):
    report = file_report(teacher, child_name="")

    page = signed_in(personas.supervisor).get(report_url(report), {"q": "gaoxiaoming"})

    assert [c.name for c in page.context["candidates"]] == ["高小明"]


def test_linking_a_child_out_of_the_supervisors_reach_is_404(personas, signed_in, teacher):
    report = file_report(teacher)

    response = signed_in(personas.supervisor).post(
        reverse("cases:report_link", kwargs={"report_id": report.pk}), {"child": personas.child_c.pk}
    )

    assert response.status_code == 404
    report.refresh_from_db()
    assert report.child is None


def test_closing_a_report_needs_a_reason(personas, signed_in, teacher):
    report = file_report(teacher)
    client = signed_in(personas.supervisor)
    close = reverse("cases:report_close", kwargs={"report_id": report.pk})

    assert "办结须说明原因。" in client.post(close, {"reason": ""}, follow=True).content.decode()
    client.post(close, {"reason": "核实为误报"})

    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.closed_reason == "核实为误报"


def test_a_director_cannot_triage_a_report_of_her_village(personas, signed_in, teacher):
    report = file_report(teacher, village=f.VILLAGE_B, child_name="高小明")
    client = signed_in(personas.dir_b)

    html = client.get(report_url(report)).content.decode()
    assert "孩子一个人在家" in html  # her village's report: she sees it
    assert "办结报告" not in html
    client.post(reverse("cases:report_close", kwargs={"report_id": report.pk}), {"reason": "误报"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED


def test_the_report_form_from_a_childs_file_is_filled_in_with_the_child(personas, signed_in):
    url = reverse("cases:child_report", kwargs={"pk": personas.child_a.pk})

    form = signed_in(personas.dir_a).get(url).context["form"]

    assert form["child_name"].value() == "梦巧"
    assert form["child_birth_date"].value() == personas.child_a.birth_date
    assert (form["township"].value(), form["village"].value()) == (f.TOWNSHIP, f.VILLAGE_A)
    assert form["child"].value() == str(personas.child_a.pk)


@pytest.mark.parametrize(("persona", "status"), [("mentor", 200), ("dir_c", 404), ("social_worker", 404)])
def test_the_report_form_from_a_childs_file_opens_for_whoever_sees_the_child(
    personas, signed_in, persona, status
):
    url = reverse("cases:child_report", kwargs={"pk": personas.child_a.pk})

    assert signed_in(getattr(personas, persona)).get(url).status_code == status


def test_a_mentor_reporting_from_the_file_is_not_given_the_childs_birth_date(personas, signed_in):
    url = reverse("cases:child_report", kwargs={"pk": personas.child_a.pk})

    form = signed_in(personas.mentor).get(url).context["form"]

    assert form["child_name"].value() == "梦巧" and not form["child_birth_date"].value()


def test_filing_from_the_file_offers_to_record_the_child_as_alone(personas, signed_in):
    client = signed_in(personas.dir_a)

    response = client.post(
        NEW,
        form_data(township=f.TOWNSHIP, village=f.VILLAGE_A, child_name="梦巧", child=personas.child_a.pk),
        follow=True,
    )

    assert reverse("children:edit", kwargs={"pk": personas.child_a.pk}) in response.content.decode()


def test_a_supervisor_filing_from_the_file_links_the_report_at_once(personas, signed_in):
    signed_in(personas.supervisor).post(
        NEW, form_data(township=f.TOWNSHIP, village=f.VILLAGE_A, child_name="梦巧", child=personas.child_a.pk)
    )

    report = Report.objects.get(reporter=personas.supervisor)
    assert report.child == personas.child_a and report.status == ReportStatus.LINKED


def test_filing_about_a_child_one_cannot_see_by_its_id_is_404(personas, signed_in):
    response = signed_in(personas.dir_a).post(NEW, form_data(child=personas.child_c.pk))

    assert response.status_code == 404
    assert not Report.objects.exists()


def test_a_reporter_with_no_region_chooses_the_county_first_when_there_are_several(
    personas, signed_in, teacher
):
    Region.objects.create(code="341622", name="蒙城县", level=3, parent_id="3416")
    client = signed_in(teacher)

    first = client.get(NEW)
    chosen = client.get(NEW, {"county": f.COUNTY})

    assert first.context["form"] is None and "county" in first.context["county_form"].fields
    assert (f.TOWNSHIP, "王市镇") in chosen.context["form"].fields["township"].choices
