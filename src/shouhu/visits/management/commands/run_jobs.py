import datetime as dt
import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from shouhu import jobs


class Command(BaseCommand):
    help = (
        "Run the scheduled work inline: re-classification, visit schedules, children's-home checks, "
        "escalation, notification delivery and the daily digest. --as-of DATE runs it as on that day "
        "(end of day), to move the clock."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", dest="as_of", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD"
        )
        parser.add_argument("--only", choices=["nightly", "hourly", "digest"], default=None)

    def handle(self, *args, as_of, only, **options):
        now = timezone.now()
        if as_of:
            now = timezone.make_aware(dt.datetime.combine(as_of, dt.time(23, 59)))
        on = timezone.localdate(now)
        result = {}
        if only in (None, "nightly"):
            result["nightly"] = jobs.nightly(on=on, now=now)
        if only in (None, "hourly"):
            result["hourly"] = jobs.hourly(now=now)
        if only in (None, "digest"):
            result["digest"] = jobs.daily_digest(now=now)
        self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
