"""An import's background steps are never lost: a broker that is down when a step is sent fails the
job at once with a plain message and a retry that works; a step whose worker died is found by the
watchdog, sent again a bounded number of times, then failed with a retry; a late worker can no longer
write a step the watchdog gave to another."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from shouhu import jobs as background
from shouhu.children.models import Child
from shouhu.imports import jobs
from shouhu.imports.models import ImportJob, JobStatus, Step
from tests.ops.broker import _use, broker_down_fixture, broker_fixture, queued  # noqa: F401

from .test_import import child_row, xlsx

UNAVAILABLE = "后台任务服务暂时不可用，请稍后重试。"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _checked(user) -> ImportJob:
    job = jobs.job_create(actor=user, upload=xlsx([child_row()]))
    jobs.job_check(job=job)
    assert job.status == JobStatus.CHECKED
    return job


def test_a_broker_down_at_upload_fails_the_job_plainly_and_the_retry_checks_it(
    personas, client, settings, broker_down
):
    client.force_login(personas.dir_a)
    response = client.post(reverse("imports:upload"), {"file": xlsx([child_row()])}, follow=True)

    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED and job.error == UNAVAILABLE and job.retryable
    page = response.content.decode()
    assert UNAVAILABLE in page and 'name="retry"' in page

    _use(settings, None)  # the broker is back (inline)
    client.post(reverse("imports:job", args=[job.pk]), {"retry": "1"})

    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED and job.error == "" and job.counts["new"] == 1


def test_a_broker_down_at_commit_fails_the_job_stores_nothing_and_the_retry_imports(
    personas, client, settings, broker_down
):
    _use(settings, None)
    job = _checked(personas.dir_a)
    _use(settings, broker_down)
    client.force_login(personas.dir_a)

    page = client.post(reverse("imports:job", args=[job.pk]), follow=True).content.decode()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.step == Step.COMMIT and job.retryable
    assert UNAVAILABLE in page and "已经在导入" not in page
    assert not Child.objects.filter(name="王小花").exists()

    _use(settings, None)
    client.post(reverse("imports:job", args=[job.pk]), {"retry": "1"})

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Child.objects.filter(name="王小花").count() == 1
    assert not any(Path(settings.MEDIA_ROOT, "imports").iterdir())


def test_a_commit_whose_worker_died_is_sent_again_then_failed_and_the_retry_imports_it(
    personas, client, settings, broker, time_machine
):
    job = _checked(personas.dir_a)
    assert jobs.job_commit_request(actor=personas.dir_a, job=job, confirmed=[])
    jobs.job_enqueue(job=job)
    assert queued(broker) == 1
    jobs._claim(job, 0)  # a worker took it …
    job.refresh_from_db()
    started = job.heartbeat_at

    time_machine.move_to(started + dt.timedelta(minutes=2))  # … and still beats within the limit
    assert jobs.jobs_watch() == {"requeued": 0, "failed": 0, "swept": 0}

    time_machine.move_to(started + dt.timedelta(minutes=4))  # … and died: no heartbeat for 4 minutes
    assert jobs.jobs_watch() == {"requeued": 1, "failed": 0, "swept": 0}
    job.refresh_from_db()
    assert (job.status, job.attempts, job.heartbeat_at) == (JobStatus.IMPORTING, 1, None)
    assert queued(broker) == 2

    # The first worker wakes up late: the step is no longer its own, it writes nothing.
    jobs.job_commit(job=ImportJob.objects.get(pk=job.pk), attempt=0)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.IMPORTING, 1)
    assert not Child.objects.filter(name="王小花").exists()

    # No worker takes the messages sent again: after the limit, failed with a retry.
    time_machine.move_to(started + dt.timedelta(minutes=15))
    assert jobs.jobs_watch() == {"requeued": 1, "failed": 0, "swept": 0}
    time_machine.move_to(started + dt.timedelta(minutes=26))
    assert jobs.jobs_watch() == {"requeued": 0, "failed": 1, "swept": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == str(background.LOST) and job.retryable
    assert jobs.jobs_watch() == {"requeued": 0, "failed": 0, "swept": 0}

    client.force_login(personas.dir_a)
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert str(background.LOST) in page and 'name="retry"' in page

    _use(settings, None)  # a worker again (inline)
    page = client.post(reverse("imports:job", args=[job.pk]), {"retry": "1"}, follow=True).content.decode()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Child.objects.filter(name="王小花").count() == 1
    assert "已经在导入" not in page


def test_a_check_sent_but_never_started_is_sent_again(personas, broker, time_machine):
    job = jobs.job_create(actor=personas.dir_a, upload=xlsx([child_row()]))
    jobs.job_enqueue(job=job)

    time_machine.move_to(job.queued_at + dt.timedelta(minutes=5))
    assert jobs.jobs_watch()["requeued"] == 0  # workers may be busy: a queued step waits longer
    time_machine.move_to(job.queued_at + dt.timedelta(minutes=11))
    assert jobs.jobs_watch()["requeued"] == 1
    assert ImportJob.objects.get(pk=job.pk).attempts == 1 and queued(broker) == 2


def test_only_a_failed_job_whose_file_was_kept_is_retried(personas, client):
    job = _checked(personas.dir_a)
    client.force_login(personas.dir_a)

    page = client.post(reverse("imports:job", args=[job.pk]), {"retry": "1"}, follow=True).content.decode()

    assert "不需要重试" in page and ImportJob.objects.get(pk=job.pk).status == JobStatus.CHECKED
    client.force_login(personas.dir_b)
    assert client.post(reverse("imports:job", args=[job.pk]), {"retry": "1"}).status_code == 404
