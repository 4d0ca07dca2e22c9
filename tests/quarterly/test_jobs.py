"""A report's generation is never lost: a broker that is down when it is asked for keeps no version
and says so (503 from the API, the form again on the page); a generation whose worker died is sent
again by the watchdog, then failed with its reason, and generating again works."""

import datetime as dt

from django.urls import reverse

from shouhu import jobs as background
from shouhu.quarterly import services
from shouhu.quarterly.models import JobStatus, QuarterlyReport
from tests import factories as f
from tests.ops.broker import _use, broker_down_fixture, broker_fixture, queued  # noqa: F401
from tests.ops.world import COMMITTED, committed_personas_fixture  # noqa: F401

from .conftest import client_for, this_quarter
from .test_api import URL, token_client

UNAVAILABLE = "后台任务服务暂时不可用，请稍后重试。"


@COMMITTED
def test_the_api_answers_503_and_keeps_no_version_when_the_broker_is_down(
    committed_personas, settings, broker_down
):
    year, quarter = this_quarter()
    client = token_client(committed_personas.supervisor)

    response = client.post(URL, {"region": f.TOWNSHIP, "year": year, "quarter": quarter}, format="json")

    assert response.status_code == 503 and response.json() == {"detail": UNAVAILABLE}
    assert not QuarterlyReport.objects.exists()

    _use(settings, None)  # the broker is back: the same request works, as version 1
    again = client.post(URL, {"region": f.TOWNSHIP, "year": year, "quarter": quarter}, format="json")
    assert again.status_code == 201 and again.json()["version"] == 1
    assert QuarterlyReport.objects.get().job_status == JobStatus.DONE


@COMMITTED
def test_the_page_says_so_and_shows_the_form_again_when_the_broker_is_down(committed_personas, broker_down):
    year, quarter = this_quarter()
    client = client_for(committed_personas.supervisor)

    response = client.post(reverse("quarterly:new"), {"region": f.TOWNSHIP, "quarter": f"{year}-Q{quarter}"})

    assert response.status_code == 200
    page = response.content.decode()
    assert UNAVAILABLE in page and 'action="/quarterly/new/"' in page
    assert not QuarterlyReport.objects.exists()


def test_a_generation_whose_worker_died_is_sent_again_then_failed_and_generating_again_works(
    personas, settings, broker, time_machine, django_capture_on_commit_callbacks
):
    year, quarter = this_quarter()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            actor=personas.supervisor, region_code=f.TOWNSHIP, year=year, quarter=quarter
        )
    assert queued(broker) == 1
    # A worker claimed it and died after its first step.
    QuarterlyReport.objects.filter(pk=report.pk).update(
        job_status=JobStatus.RUNNING, heartbeat_at=report.queued_at, progress=40
    )

    time_machine.move_to(report.queued_at + dt.timedelta(minutes=4))
    assert services.reports_watch() == {"requeued": 1, "failed": 0}
    report.refresh_from_db()
    assert (report.job_status, report.attempts, report.progress) == (JobStatus.QUEUED, 1, 0)
    assert queued(broker) == 2

    # The message of the first attempt, delivered late, does nothing.
    assert services.report_generate(report_id=report.pk, attempt=0).job_status == JobStatus.QUEUED

    time_machine.move_to(report.queued_at + dt.timedelta(minutes=11))
    assert services.reports_watch() == {"requeued": 1, "failed": 0}
    time_machine.move_to(report.queued_at + dt.timedelta(minutes=22))
    assert services.reports_watch() == {"requeued": 0, "failed": 1}
    report.refresh_from_db()
    assert report.job_status == JobStatus.FAILED and report.error == str(background.LOST)

    client = client_for(personas.supervisor)
    page = client.get(reverse("quarterly:report", args=[report.pk])).content.decode()
    assert str(background.LOST) in page and "重新生成" in page

    _use(settings, None)  # a worker again (inline): generating again works
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("quarterly:new"), {"region": f.TOWNSHIP, "quarter": f"{year}-Q{quarter}"})
    assert QuarterlyReport.objects.get(version=2).job_status == JobStatus.DONE
