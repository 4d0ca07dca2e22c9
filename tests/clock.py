"""The tests' clock. Every test runs at a moment chosen on purpose, never at the machine's.

``NOW`` is an ordinary working morning in the middle of a month and of a quarter, so that no
schedule's period starts or ends around it. The dates that break schedules are tested on purpose by
moving the clock (``@pytest.mark.time_machine(clock.NEW_YEARS_EVE)`` or the ``time_machine``
fixture's ``move_to``); ``EDGES`` lists them for the tests that walk every one.

The clock ticks from the chosen moment (``tick=True``): time passes within a test, so timestamps
still order what happened, while the date is the one chosen.
"""

import datetime as dt
import zoneinfo

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment in China's time zone (the registry's)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZONE)


NOW = at(2026, 11, 18)
TODAY = NOW.date()

# The dates that break schedules: a year's last day (the monthly, quarterly and yearly periods all
# end), a leap day, a quarter's last day, and the first day of a month and of a quarter.
NEW_YEARS_EVE = at(2026, 12, 31, 20)
LEAP_DAY = at(2028, 2, 29)
QUARTER_END = at(2027, 6, 30, 20)
MONTH_START = at(2027, 3, 1, 8)
QUARTER_START = at(2027, 4, 1, 8)
EDGES = {
    "new-year's-eve": NEW_YEARS_EVE,
    "leap-day": LEAP_DAY,
    "quarter-end": QUARTER_END,
    "month-start": MONTH_START,
    "quarter-start": QUARTER_START,
}
