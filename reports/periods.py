"""The periods statistics are counted over: financial year (April to March), academic year
(September to August), quarter (of the financial year), month, or a date range; each with the
period of the same length just before it."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

KINDS = {
    "fy": "Financial year",
    "ay": "Academic year",
    "quarter": "Quarter",
    "month": "Month",
    "range": "Date range",
}
#: A range may be at most this long (and start after this year): plausible input only.
MAX_RANGE_DAYS = 5 * 366
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day
    end: date  # last day, included

    @property
    def label(self) -> str:
        if self.kind == "fy":
            return f"Financial year {self.start.year}–{str(self.start.year + 1)[2:]}"
        if self.kind == "ay":
            return f"Academic year {self.start.year}/{str(self.start.year + 1)[2:]}"
        if self.kind == "quarter":
            first, last = self.start.strftime("%B"), self.end.strftime("%B %Y")
            return f"{first} to {last}"
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        return f"{_day(self.start)} to {_day(self.end)}"

    @property
    def token(self) -> str:
        if self.kind in ("fy", "ay"):
            return f"{self.kind}-{self.start.year}"
        if self.kind == "quarter":
            return f"quarter-{self.start.year}-{self.start.month:02d}"
        if self.kind == "month":
            return f"month-{self.start.year}-{self.start.month:02d}"
        return "range"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        if self.kind in ("fy", "ay"):
            return Period(
                self.kind, _add_years(self.start, -1), _add_years(self.end + timedelta(1), -1) - timedelta(1)
            )
        if self.kind == "quarter":
            return quarter_starting(_add_months(self.start, -3))
        if self.kind == "month":
            return month_starting(_add_months(self.start, -1))
        return Period("range", self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes in the service's time zone."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def _day(day: date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _add_years(day: date, years: int) -> date:
    return _add_months(day, 12 * years)


def financial_year(start_year: int) -> Period:
    return Period("fy", date(start_year, 4, 1), date(start_year + 1, 3, 31))


def academic_year(start_year: int) -> Period:
    return Period("ay", date(start_year, 9, 1), date(start_year + 1, 8, 31))


def quarter_starting(first: date) -> Period:
    return Period("quarter", first, _add_months(first, 3) - timedelta(days=1))


def month_starting(first: date) -> Period:
    return Period("month", first, _add_months(first, 1) - timedelta(days=1))


def current_financial_year(today: date) -> Period:
    return financial_year(today.year if today.month >= 4 else today.year - 1)


def current_academic_year(today: date) -> Period:
    return academic_year(today.year if today.month >= 9 else today.year - 1)


def choices(today: date) -> list[tuple[str, str]]:
    """The periods offered in the list, newest first within each kind."""
    fy = current_financial_year(today).start.year
    ay = current_academic_year(today).start.year
    options = [(financial_year(y).token, financial_year(y).label) for y in range(fy, fy - 4, -1)]
    options += [(academic_year(y).token, academic_year(y).label) for y in range(ay, ay - 4, -1)]
    quarter = quarter_starting(date(fy, 4, 1))
    while quarter.end < today:
        quarter = quarter_starting(_add_months(quarter.start, 3))
    for _ in range(8):
        options.append((quarter.token, f"Quarter: {quarter.label}"))
        quarter = quarter.previous()
    month = month_starting(today.replace(day=1))
    for _ in range(18):
        options.append((month.token, f"Month: {month.label}"))
        month = month.previous()
    options.append(("range", "A date range (enter the dates below)"))
    return options


def from_token(token: str) -> Period | None:
    """The period a list value names, or None if it names none."""
    parts = token.split("-")
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError:
        return None
    if not all(EARLIEST_YEAR <= n <= 2200 for n in numbers[:1]):
        return None
    kind = parts[0]
    if kind == "fy" and len(numbers) == 1:
        return financial_year(numbers[0])
    if kind == "ay" and len(numbers) == 1:
        return academic_year(numbers[0])
    if kind in ("quarter", "month") and len(numbers) == 2 and 1 <= numbers[1] <= 12:
        first = date(numbers[0], numbers[1], 1)
        if kind == "quarter":
            return quarter_starting(first) if numbers[1] in (1, 4, 7, 10) else None
        return month_starting(first)
    return None


def date_range(start: date, end: date) -> Period:
    return Period("range", start, end)
