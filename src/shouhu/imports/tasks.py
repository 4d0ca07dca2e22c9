"""The import's background steps: Celery tasks that call the job services (``jobs``)."""

from celery import shared_task

from . import jobs


@shared_task(name="shouhu.imports.tasks.check")
def check(job_id: str) -> str:
    job = jobs.job_by_id(job_id)
    if job is None:
        return "missing"
    return jobs.job_check(job=job).status


@shared_task(name="shouhu.imports.tasks.commit")
def commit(job_id: str) -> str:
    job = jobs.job_by_id(job_id)
    if job is None:
        return "missing"
    return jobs.job_commit(job=job).status
