"""The task queue: Celery with Redis in production, eager (inline) on the embedded default.

Besides the schedule in settings (nightly, hourly), beat sends the watchdog every minute: it finds
background steps whose worker died or whose message was lost and sends them again (``shouhu.jobs``),
and, being run by a worker, it is the heartbeat /healthz reads to tell whether workers consume.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouhu.settings")

app = Celery("shouhu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

WATCHDOG_SECONDS = 60


@app.task(name="shouhu.jobs.watchdog", ignore_result=True)
def watchdog() -> dict:
    from shouhu import jobs

    return jobs.watchdog()


@app.on_after_configure.connect
def _schedule(sender, **kwargs):
    sender.add_periodic_task(WATCHDOG_SECONDS, watchdog.s(), name="jobs-watchdog", expires=WATCHDOG_SECONDS)
