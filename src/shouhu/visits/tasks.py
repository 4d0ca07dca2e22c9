from celery import shared_task

from shouhu import jobs


@shared_task(name="shouhu.visits.tasks.nightly")
def nightly() -> dict:
    return jobs.nightly()


@shared_task(name="shouhu.visits.tasks.hourly")
def hourly() -> dict:
    return jobs.hourly()
