"""How long each kind of work item gives to answer, and how long past its deadline it reaches the
township, the county and the civil-affairs bureau: the one table of deadlines, read by ``ItemSpec.timed``.

Keyed by item kind (a dotted kind such as ``alert_task.police_informed`` reads its first part). Where a
county already sets its own values they stay the county's and are passed in by the caller: the visit
policy's periods (``VisitPolicy.township_after_days``/``county_after_days``, for visits and
cross-checks) and each risk rule's deadline (``RuleSetting.deadline_hours``).

Sources: 国发〔2016〕13号 and the Minor Protection Law (reports and alerts: the township hears at
once when a child may be in danger); Lixin County (seed 002) for the visit and review periods; PIPL
art. 50 leaves the answer to a guardian's request to the handler (the county answers within 15 days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DAY = dt.timedelta(days=1)
ZERO = dt.timedelta(0)
# How far past the county's turn an unanswered alert, task or report reaches the civil-affairs bureau.
BUREAU_AFTER = 3 * DAY
# An urgent alert nobody has answered reaches the county when this share of its deadline has passed,
# so that the county hears of it while there is still time to act within the deadline.
URGENT_COUNTY_SHARE = 0.75


@dataclass(frozen=True)
class Deadline:
    """``answer``: from the item's making to its deadline (None: the caller gives the date: a visit's
    period, a task's chosen day, a rule's county setting). ``township``, ``county``, ``bureau``: how long
    after the deadline each tier hears (``township`` None: at once, when the item is made; ``bureau``
    None: never)."""

    answer: dt.timedelta | None
    township: dt.timedelta | None
    county: dt.timedelta
    bureau: dt.timedelta | None = None


def _with_bureau(
    answer: dt.timedelta | None, township: dt.timedelta | None, county: dt.timedelta
) -> Deadline:
    return Deadline(answer, township, county, county + BUREAU_AFTER)


DEADLINES: dict[str, Deadline] = {
    # Risk rules: a response task is due in the rule's hours; the county hears two days late.
    "alert_task": _with_bureau(None, ZERO, 2 * DAY),
    # A case task is due on the day the case worker chose; the county hears three days late.
    "case_task": _with_bureau(None, ZERO, 3 * DAY),
    # A report of a child in danger: the township hears at once, the county at the triage deadline.
    "report.triage.immediate": _with_bureau(dt.timedelta(hours=2), None, ZERO),
    "report.triage.soon": _with_bureau(dt.timedelta(hours=24), None, ZERO),
    "report.triage.routine": _with_bureau(dt.timedelta(hours=72), None, ZERO),
    # An organisation answers a referral within three days; the county hears two days later.
    "referral.respond": Deadline(3 * DAY, ZERO, 2 * DAY),
    # Assistance: the township reviews within five days, the county decides within ten; a returned
    # application is corrected, a stopped child checked on, an eligibility reviewed within a week. Late,
    # the county hears a week after (for its own work it already holds it).
    "assistance.township": Deadline(5 * DAY, ZERO, 7 * DAY),
    "assistance.county": Deadline(10 * DAY, ZERO, ZERO),
    "assistance.returned": Deadline(7 * DAY, ZERO, 7 * DAY),
    "assistance.check": Deadline(7 * DAY, ZERO, 7 * DAY),
    "assistance.review": Deadline(7 * DAY, ZERO, 7 * DAY),
    # A guardian's request about the child's data: answered within 15 days (the due date's end).
    "privacy.request": Deadline(15 * DAY, DAY, 3 * DAY),
    # Breaking the glass: the supervisor confirms the opening was needed within three days, or it climbs.
    "break_glass.review": Deadline(3 * DAY, None, ZERO),
    # A children's home that held no session in a week: the township at once, the county four weeks on.
    "home.session": Deadline(None, ZERO, 28 * DAY),
    # A returned quarterly report is revised within a week; the county hears three days late.
    "quarterly.resubmit": Deadline(7 * DAY, ZERO, 3 * DAY),
    # A cross-check difference is verified within its days; a child out of school within the week (the
    # Bijie children had been out of school for a month before anyone acted). Late, the county's visit
    # policy periods apply, these where it has none.
    "crosscheck.dropout": Deadline(7 * DAY, 7 * DAY, 14 * DAY),
    "crosscheck.unregistered": Deadline(15 * DAY, 7 * DAY, 14 * DAY),
    "crosscheck.category": Deadline(30 * DAY, 7 * DAY, 14 * DAY),
    "crosscheck.difficulty": Deadline(30 * DAY, 7 * DAY, 14 * DAY),
}


def deadline_of(kind: str) -> Deadline:
    """The deadline of an item ``kind``: its own row, else its first part's (``alert_task.…``)."""
    return DEADLINES[kind] if kind in DEADLINES else DEADLINES[kind.split(".")[0]]


def for_alert(*, hours: int, urgent: bool, township_at_once: bool) -> Deadline:
    """A risk rule's alert: due in the county's ``hours`` for the rule. Urgent alerts reach the township at
    once and the county when ``URGENT_COUNTY_SHARE`` of the time has passed; the others reach the
    township at the deadline (at once when the rule tells it) and the county a week later."""
    answer = dt.timedelta(hours=hours)
    if urgent:
        return _with_bureau(answer, None, dt.timedelta(hours=hours * URGENT_COUNTY_SHARE) - answer)
    return _with_bureau(answer, None if township_at_once else ZERO, 7 * DAY)
