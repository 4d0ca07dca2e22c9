"""The task queue: Celery with Redis in production, eager (inline) on the embedded default."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouhu.settings")

app = Celery("shouhu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
