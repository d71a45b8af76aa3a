"""The legal due date of a subject access request: one calendar month, on a working day (R11)."""

from datetime import date

import pytest

from consent.dates import due_date, is_working_day, next_working_day


@pytest.mark.parametrize(
    "received, due",
    [
        (date(2026, 1, 31), date(2026, 3, 2)),  # no 31 Feb: 28 Feb 2026, a Saturday, so Monday 2 March
        (date(2027, 1, 31), date(2027, 3, 1)),  # 28 Feb 2027 is a Sunday
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year: 29 February, a Tuesday
        (date(2024, 1, 30), date(2024, 2, 29)),
        (date(2026, 3, 31), date(2026, 4, 30)),  # no 31 April: its last day
        (date(2026, 6, 10), date(2026, 7, 10)),  # a plain Friday
        (date(2026, 2, 14), date(2026, 3, 16)),  # 14 March 2026 is a Saturday
        (date(2026, 12, 1), date(2027, 1, 4)),  # 1 Jan 2027 a bank holiday, then a weekend
        (date(2026, 3, 3), date(2026, 4, 7)),  # 3 April Good Friday, weekend, 6 April Easter Monday
        (date(2026, 4, 25), date(2026, 5, 26)),  # 25 May 2026: spring bank holiday
        (date(2026, 11, 25), date(2026, 12, 29)),  # Christmas, Boxing Day observed on the 28th
    ],
)
def test_it_is_one_calendar_month_moved_to_the_next_working_day(received, due):
    assert due_date(received) == due


def test_a_working_day_is_a_weekday_that_is_not_a_bank_holiday():
    assert is_working_day(date(2026, 12, 2))
    assert not is_working_day(date(2026, 12, 5))  # Saturday
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 8, 31))  # late summer bank holiday
    assert next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)


@pytest.mark.parametrize(
    "months, due",
    [
        (1, date(2027, 3, 1)),  # 28 Feb 2027 is a Sunday
        (2, date(2027, 3, 30)),  # 28 March a Sunday, 29 March Easter Monday
    ],
)
def test_an_extension_adds_whole_calendar_months_to_the_same_start(months, due):
    assert due_date(date(2026, 12, 28), extension_months=months) == due


def test_paused_days_are_added_before_moving_to_a_working_day():
    # 10 July 2026 (Friday) + 8 paused days = Saturday 18th: Monday 20th
    assert due_date(date(2026, 6, 10), paused_days=8) == date(2026, 7, 20)
    assert due_date(date(2026, 6, 10), paused_days=0) == date(2026, 7, 10)


@pytest.mark.parametrize("months", [-1, 3])
def test_an_extension_longer_than_two_months_is_refused(months):
    with pytest.raises(ValueError):
        due_date(date(2026, 1, 1), extension_months=months)
