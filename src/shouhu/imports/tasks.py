"""The import's background steps: Celery tasks that call the job services (``jobs``). ``attempt`` is
the step's attempt the message was sent for: a message the watchdog replaced does nothing."""

from celery import shared_task

from . import jobs


@shared_task(name="shouhu.imports.tasks.check")
def check(job_id: str, attempt: int | None = None) -> str:
    job = jobs.job_by_id(job_id)
    if job is None:
        return "missing"
    return jobs.job_check(job=job, attempt=attempt).status


@shared_task(name="shouhu.imports.tasks.commit")
def commit(job_id: str, attempt: int | None = None) -> str:
    job = jobs.job_by_id(job_id)
    if job is None:
        return "missing"
    return jobs.job_commit(job=job, attempt=attempt).status
