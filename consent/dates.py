"""Legal due dates for subject access requests (R11; UK GDPR art. 12(3)).

The rule, as the Ministry of Justice's correspondence tool applies it and the ICO describes it:

- one calendar month from the day the clock starts (the day of receipt; or the day identity was
  confirmed or clarification arrived, when the clock was stopped from receipt to wait for them);
  a day with no match in the next month becomes that month's last day (31 January -> 28 or 29
  February);
- an extension adds up to two further calendar months to the same start;
- days the clock was stopped after it had started are added on;
- a due date on a weekend or an England and Wales bank holiday moves to the next working day.

Bank holidays come from the ``holidays`` package (``country_holidays("GB", subdiv="ENG")``),
kept up to date by its maintainers with every royal proclamation, rather than a hand-made list.
"""

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the 31st becomes the last day of a shorter month."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_date(clock_started_on: date, *, extension_months: int = 0, paused_days: int = 0) -> date:
    """The legal due date of a request whose clock started on ``clock_started_on``."""
    if not 0 <= extension_months <= 2:
        raise ValueError("An extension is of one or two further months.")
    if paused_days < 0:
        raise ValueError("Paused days cannot be negative.")
    return next_working_day(add_months(clock_started_on, 1 + extension_months) + timedelta(days=paused_days))


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
