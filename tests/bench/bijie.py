"""Benchmark: the Bijie replay, timed — how long from the last signal to the household alert, and from
the alert to the county.

    DATABASE_URL=postgresql://… .venv/bin/python tests/bench/bijie.py

Makes a scratch database (``test_<name>``, as the test suite does, dropped at the end), loads Lixin
County's divisions and the test personas, then replays tests/cases/test_bijie.py with the clock moved:
four siblings registered with migrant parents and their grandmother as carer, the father out of contact
for 40 days without a police report, three locked-door visits to the home over 17 days, the teacher's
mandatory report on the eldest. Nobody acts; the quarter-hourly escalation runs until the alert reaches the
county. Prints:

    last signal → household alert: X s; alert → county: Y h (deadline Z h)

Not part of the test suite. The first figure depends on the machine (the evaluation runs on the write).
"""

import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from shouhu.cases.services import settings_of  # noqa: E402
from shouhu.escalation import services as escalation  # noqa: E402
from shouhu.escalation.models import Tier  # noqa: E402
from shouhu.regions.loader import load_regions  # noqa: E402
from tests import clock  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.cases.test_bijie import START, replay  # noqa: E402


class Clock:
    """The ``time_machine`` fixture's ``move_to``, outside pytest."""

    def __init__(self, start):
        self.traveller = time_machine.travel(start, tick=True)
        self.coordinates = self.traveller.start()

    def move_to(self, destination, tick=True):
        self.coordinates.move_to(destination)

    def stop(self):
        self.traveller.stop()


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    moved = Clock(START)
    try:
        load_regions(f.COUNTY)
        personas = f.Personas.create()
        r = replay(personas, moved)
        lag = (r.alert.opened_at - r.last_signal_at).total_seconds()
        deadline_hours = settings_of(f.COUNTY)[r.alert.rule].deadline_hours
        item = r.alert.work_item
        # The quarter-hourly job, with nobody acting: the first run at which the alert is at the county.
        at = r.alert.opened_at.replace(minute=0, second=0, microsecond=0)
        while item.tier != Tier.COUNTY and at < r.alert.opened_at + dt.timedelta(days=7):
            at += dt.timedelta(minutes=15)
            moved.move_to(at)
            escalation.escalate(now=at)
            item.refresh_from_db()
        hours = (at - r.alert.opened_at).total_seconds() / 3600
        print(
            f"last signal → household alert: {lag:.2f} s; alert → county: {hours:.1f} h "
            f"(deadline {deadline_hours} h)"
        )
        print(
            f"children listed: {r.alert.facts['儿童']}; clock started {clock.NOW - START} before the report"
        )
    finally:
        moved.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
