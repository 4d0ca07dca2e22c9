"""A township submits its report to the county; the county returns it with a comment or acknowledges
it; the township sees the comment and submits again. Nobody acknowledges their own report, a report
out of reach is 404, and the county sees which townships have not submitted."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shouhu.accounts.models import Role
from shouhu.escalation.models import Status, WorkItem
from shouhu.quarterly import services
from shouhu.quarterly.models import QuarterlyReport, Submission
from shouhu.regions.models import Region
from tests import factories as f

from .conftest import client_for, this_quarter


def test_submit_return_with_a_comment_resubmit_and_acknowledge(personas, generate):
    report = generate(personas.supervisor, f.TOWNSHIP)
    township, county = client_for(personas.supervisor), client_for(personas.county)

    assert township.post(f"/quarterly/{report.pk}/submit/").status_code == 302
    assert (
        county.post(f"/quarterly/{report.pk}/return/", {"comment": "请补充儿童之家活动照片"}).status_code
        == 302
    )
    report.refresh_from_db()
    assert report.status == Submission.RETURNED
    assert "请补充儿童之家活动照片" in township.get(f"/quarterly/{report.pk}/").content.decode()
    # The return is work for the supervisor, on 我的工作 with a deadline, done by submitting again.
    (item,) = WorkItem.objects.filter(kind=services.RESUBMIT_KIND)
    assert (item.responsible, item.status) == (personas.supervisor, Status.OPEN)
    assert item.title in township.get("/work/").content.decode()

    assert township.post(f"/quarterly/{report.pk}/submit/").status_code == 302
    report.refresh_from_db()
    assert report.status == Submission.SUBMITTED
    item.refresh_from_db()
    assert item.status == Status.DONE
    assert county.post(f"/quarterly/{report.pk}/acknowledge/").status_code == 302

    report.refresh_from_db()
    assert report.status == Submission.ACKNOWLEDGED
    assert report.reviewed_by == personas.county
    assert [e.kind for e in report.events.all()] == ["submit", "return", "submit", "acknowledge"]


def test_a_newer_version_may_be_submitted_after_a_return(personas, generate):
    first = generate(personas.supervisor, f.TOWNSHIP)
    services.report_submit(actor=personas.supervisor, report=first)
    second = generate(personas.supervisor, f.TOWNSHIP)

    with pytest.raises(ValidationError, match="等待县级审核"):
        services.report_submit(actor=personas.supervisor, report=second)
    services.report_return(actor=personas.county, report=first, comment="数字有误")
    services.report_submit(actor=personas.supervisor, report=second)

    assert QuarterlyReport.objects.get(pk=second.pk).status == Submission.SUBMITTED


def test_returning_needs_a_comment(personas, generate):
    report = generate(personas.supervisor, f.TOWNSHIP)
    services.report_submit(actor=personas.supervisor, report=report)

    with pytest.raises(ValidationError) as error:
        services.report_return(actor=personas.county, report=report, comment="  ")

    assert "comment" in error.value.message_dict
    assert QuarterlyReport.objects.get(pk=report.pk).status == Submission.SUBMITTED


def test_nobody_acknowledges_their_own_report(personas, generate):
    boss = f.make_user("boss", Role.ADMIN, None, is_superuser=True)
    report = generate(boss, f.TOWNSHIP)
    services.report_submit(actor=boss, report=report)

    with pytest.raises(PermissionDenied):
        services.report_acknowledge(actor=boss, report=report)
    with pytest.raises(PermissionDenied):
        services.report_acknowledge(actor=personas.supervisor, report=report)
    response = client_for(boss).post(f"/quarterly/{report.pk}/acknowledge/")

    assert response.status_code == 302
    assert QuarterlyReport.objects.get(pk=report.pk).status == Submission.SUBMITTED


def test_the_township_s_supervisor_cannot_acknowledge_its_own_submission(personas, generate):
    report = generate(personas.supervisor, f.TOWNSHIP)
    services.report_submit(actor=personas.supervisor, report=report)

    client_for(personas.supervisor).post(f"/quarterly/{report.pk}/acknowledge/")

    assert QuarterlyReport.objects.get(pk=report.pk).status == Submission.SUBMITTED


def test_village_directors_and_civil_affairs_do_not_generate(personas):
    year, quarter = this_quarter()
    for user, region in (
        (personas.dir_a, f.TOWNSHIP),
        (personas.civil, f.COUNTY),
        (personas.county, f.TOWNSHIP),
    ):
        with pytest.raises(PermissionDenied):
            services.report_request(actor=user, region_code=region, year=year, quarter=quarter)
    response = client_for(personas.dir_a).post(
        "/quarterly/new/", {"region": f.TOWNSHIP, "quarter": f"{year}-Q{quarter}"}
    )

    assert response.status_code == 404
    assert not QuarterlyReport.objects.exists()


def test_a_quarter_not_yet_begun_is_refused_in_words(personas):
    year, quarter = this_quarter()
    later = (year + 1, 1) if quarter == 4 else (year, quarter + 1)

    with pytest.raises(ValidationError) as error:
        services.report_request(
            actor=personas.supervisor, region_code=f.TOWNSHIP, year=later[0], quarter=later[1]
        )

    assert error.value.message_dict == {"quarter": ["该季度尚未开始。"]}


def _other_county():
    Region.objects.get_or_create(code="341621", defaults={"name": "涡阳县", "level": 3, "parent_id": "3416"})
    return f.make_user("guoyang", Role.COUNTY_STAFF, "341621")


def test_a_report_out_of_reach_is_404(personas, generate):
    report = generate(personas.supervisor, f.TOWNSHIP)
    services.report_submit(actor=personas.supervisor, report=report)
    strangers = [_other_county(), personas.dir_a, personas.dir_c, personas.mentor, personas.social_worker]
    kantuan = f.make_user("kantuan", Role.TOWNSHIP_SUPERVISOR, f.OTHER_TOWNSHIP)

    for user in [*strangers, kantuan]:
        client = client_for(user)
        for tail in ("", "status/", "report.pdf", "report.xlsx"):
            assert client.get(f"/quarterly/{report.pk}/{tail}").status_code == 404, (user, tail)
        for tail in ("submit/", "acknowledge/", "return/"):
            assert client.post(f"/quarterly/{report.pk}/{tail}", {"comment": "x"}).status_code == 404
    assert QuarterlyReport.objects.get(pk=report.pk).status == Submission.SUBMITTED


def test_a_draft_stays_with_its_township(personas, generate):
    report = generate(personas.supervisor, f.TOWNSHIP)

    assert client_for(personas.county).get(f"/quarterly/{report.pk}/").status_code == 404
    assert client_for(personas.supervisor).get(f"/quarterly/{report.pk}/").status_code == 200


def test_the_county_sees_which_townships_have_not_submitted(personas, generate):
    year, quarter = this_quarter()
    report = generate(personas.supervisor, f.TOWNSHIP)
    services.report_submit(actor=personas.supervisor, report=report)

    body = (
        client_for(personas.county).get(f"/quarterly/townships/?quarter={year}-Q{quarter}").content.decode()
    )

    assert f'data-township="{f.TOWNSHIP}" data-state="submitted"' in body
    assert f'data-township="{f.OTHER_TOWNSHIP}" data-state="draft"' in body
    assert "341623401" not in body  # a statistics-only industrial park files no report
    townships = Region.objects.filter(code__startswith=f.COUNTY, level=4).exclude(code__startswith="3416234")
    assert body.count('data-state="draft"') == townships.count() - 1
    assert "未报送的乡镇：22 个" in body


def test_the_township_list_is_for_the_county_only(personas):
    assert client_for(personas.supervisor).get("/quarterly/townships/").status_code == 404
    assert client_for(personas.civil).get("/quarterly/townships/").status_code == 200
