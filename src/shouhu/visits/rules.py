"""Which visits a child needs, by whom and by when. The one home of the visit schedule rules.

Source: Lixin County (seed 002) — the village child director visits left-behind and other listed
children once a month and ordinary children once a year; the county institute visits scattered
orphans and key children in difficulty yearly. National texts say only "regularly", so frequencies
come from the county's ``VisitPolicy``; these are its defaults.

Choices made here:

* Periods are calendar periods: an interval of n months divides the year into blocks of n months
  starting in January (1 → every calendar month, 12 → the calendar year, 3 → quarters). A visit is
  due by the end of the last day of the period, local time. So a category change (a parent leaves
  for work) makes the monthly visit due within the current month.
* "Listed" children: left-behind, any kind of difficulty, de-facto unsupported, orphans, children
  with no adult at home, drop-outs. "Key children in difficulty" for the county centre's yearly
  visit: orphans and de-facto unsupported children (scattered: not in an institution).
* A child with no adult at home needs a home visit within ``urgent_hours`` of being flagged.
* What satisfies a requirement: a completed visit (not a failed attempt) in its period, or made after
  it while the item is still open — the late visit an overdue item asks for closes it, done after its
  deadline and so counted late in the figures (``done_at`` > ``due_at``); a phone call
  only when the county allows it; the county centre's visit must be made by county staff; the
  urgent visit must be a completed home visit after the flag. This reading is applied in sets, as SQL,
  by ``visits.services.complete_satisfied``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from shouhu.children import classify as c

DIRECTOR = "director"
COUNTY = "county"
URGENT = "urgent"

LISTED = {
    c.LEFT_BEHIND,
    c.DIFFICULTY_POVERTY,
    c.DIFFICULTY_DISABILITY,
    c.DIFFICULTY_GUARDIANSHIP,
    c.DE_FACTO_UNSUPPORTED,
    c.ORPHAN,
    c.LIVING_ALONE,
    c.DROPOUT,
}
COUNTY_VISITED = {c.ORPHAN, c.DE_FACTO_UNSUPPORTED}


@dataclass(frozen=True)
class Requirement:
    kind: str  # DIRECTOR, COUNTY or URGENT
    period_start: dt.date
    due_at: dt.datetime
    months: int = 0  # 0 for urgent

    def key(self, child_id) -> str:
        return f"visit:{child_id}:{self.kind}:{self.period_start.isoformat()}"


def period_of(on: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The calendar block of ``months`` months containing ``on``: (first day, last day)."""
    index = (on.month - 1) // months * months
    start = dt.date(on.year, index + 1, 1)
    end_month_index = index + months - 1
    end_year, end_month = on.year + end_month_index // 12, end_month_index % 12 + 1
    end = dt.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    return start, end


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def requirements(
    categories: set[str], *, policy, on: dt.date, flagged_alone_at: dt.datetime | None = None
) -> list[Requirement]:
    """The visit requirements that apply to a child with ``categories`` on ``on``, all at once."""
    result = []
    months = policy.listed_months if categories & LISTED else policy.others_months
    start, end = period_of(on, months)
    result.append(Requirement(DIRECTOR, start, end_of_day(end), months))
    if categories & COUNTY_VISITED:
        start, end = period_of(on, policy.county_months)
        result.append(Requirement(COUNTY, start, end_of_day(end), policy.county_months))
    if c.LIVING_ALONE in categories and flagged_alone_at is not None:
        due = flagged_alone_at + dt.timedelta(hours=policy.urgent_hours)
        result.append(Requirement(URGENT, timezone.localdate(flagged_alone_at), due))
    return result
