"""Benchmark: the notification outbox with the text-message sender failing for an hour.

    DATABASE_URL=postgresql://…/scratch .venv/bin/python tests/bench/outbox.py [--minutes 60]

On a scratch PostgreSQL database (refused if it already holds children): every five minutes of
simulated time a director records a child found living alone and a teacher files a mandatory report,
each committed for real with the task queue inline, while the sender fails every send and the
minute job keeps retrying. Then the sender recovers and the minute job runs on. Prints what was
recorded against what was kept (nothing may be lost), how the notices ended (sent, pending, failed),
how many reached their recipient once and how many twice (must be 0), and the simulated minutes from
recovery to the last delivery.
"""

import argparse
import datetime as dt
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["SHOUHU_SMS_SENDER"] = "tests.escalation.senders.RecordingSender"

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from shouhu.accounts.models import Role  # noqa: E402
from shouhu.cases import reports  # noqa: E402
from shouhu.cases.models import Alert, Report  # noqa: E402
from shouhu.children.models import Child  # noqa: E402
from shouhu.escalation import delivery  # noqa: E402
from shouhu.escalation.models import Channel, Delivery, Notification  # noqa: E402
from shouhu.regions.loader import load_regions  # noqa: E402
from tests import clock  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.escalation.senders import RecordingSender  # noqa: E402

NAMES = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
CARRIED: Counter = Counter()  # notice id → messages that carried it and went out
_send_group = delivery._send_group


def _counted(senders, channel, notes, now):
    outcome = _send_group(senders, channel, notes, now)
    if outcome == "sent":
        CARRIED.update(n.pk for n in notes)
    return outcome


delivery._send_group = _counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60, help="how long the sender fails")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs a scratch PostgreSQL database in DATABASE_URL")
    with (
        time_machine.travel(clock.NOW, tick=False) as traveller,
        override_settings(SHOUHU_SMS_SENDER=os.environ["SHOUHU_SMS_SENDER"]),
    ):
        call_command("migrate", verbosity=0)
        if Child.objects.exists():
            sys.exit("the database already holds children: give a scratch database")
        load_regions(f.COUNTY)
        people = f.Personas.create()
        teacher = f.make_user("bench-teacher", Role.TEACHER, None)
        RecordingSender.reset()
        RecordingSender.failing = True
        start = clock.NOW
        recorded = {"children": 0, "reports": 0}
        for minute in range(args.minutes + 1):
            traveller.move_to(start + dt.timedelta(minutes=minute))
            if minute % 5 == 0 and minute < args.minutes:
                n = recorded["children"]
                f.make_child(
                    actor=people.dir_a,
                    name="独居" + NAMES[n // len(NAMES)] + NAMES[n % len(NAMES)],
                    living_arrangement="alone",
                )
                recorded["children"] += 1
                reports.report_file(
                    actor=teacher,
                    harm_type="abandoned",
                    description="孩子一个人在家",
                    urgency="immediate",
                    township=f.TOWNSHIP,
                    village=f.VILLAGE_B,
                    seen_at=None,
                )
                recorded["reports"] += 1
            delivery.deliver()
        failed_phase = len(RecordingSender.sent)
        RecordingSender.failing = False
        recovered, last_delivery = args.minutes, None
        for minute in range(args.minutes + 1, args.minutes + 181):
            traveller.move_to(start + dt.timedelta(minutes=minute))
            if delivery.deliver()["sent"]:
                last_delivery = minute
        outbox = Notification.objects.exclude(channel=Channel.IN_APP)
        states = Counter(outbox.values_list("status", flat=True))
        times = Counter(CARRIED[pk] for pk in outbox.values_list("pk", flat=True))
        twice = sum(v for k, v in times.items() if k > 1)
        kept = {
            "children found alone": Child.objects.filter(name__startswith="独居").count(),
            "urgent alerts": Alert.objects.filter(child__name__startswith="独居").count(),
            "mandatory reports": Report.objects.count(),
        }
        expected = {"children found alone": recorded["children"], "urgent alerts": recorded["children"]}
        expected["mandatory reports"] = recorded["reports"]
        print(f"sender failing for {args.minutes} simulated minutes, then recovered")
        for what, n in kept.items():
            print(f"  {what}: recorded {expected[what]}, kept {n}, lost {expected[what] - n}")
        print(f"  messages sent while failing: {failed_phase}")
        print(
            f"  e-mail and SMS notices: {outbox.count()} — sent {states.get(Delivery.SENT, 0)}, "
            f"pending {states.get(Delivery.PENDING, 0)}, failed {states.get(Delivery.FAILED, 0)}"
        )
        print(
            f"  notices delivered once: {times.get(1, 0)}, twice or more: {twice}, never: {times.get(0, 0)}"
        )
        print(f"  text messages sent after recovery: {len(RecordingSender.sent)} (one per recipient per run)")
        after = "none" if last_delivery is None else f"{last_delivery - recovered} simulated minutes"
        print(f"  recovery → last delivery: {after}")


if __name__ == "__main__":
    main()
