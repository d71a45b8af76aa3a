"""The product's fields an old system's columns map to, and how each cell is read.

Dates
-----
One rule, said on the mapping page: **dates are day first (UK), or ISO**.

- ``2020-04-03`` (ISO, optionally with a time) is 3 April 2020;
- ``03/04/2020`` (also with ``-`` or ``.``) is 3 April 2020, never 4 March: a file from a system
  that writes month first must be saved with ISO or UK dates first;
- a date that cannot be day first, such as ``04/13/2020`` (there is no 13th month), is refused
  with its row, as month-first; so is a two-digit year (``03/04/20``: which century?) and any
  date that does not exist (``31/02/2020``);
- an Excel date cell is taken as the date it holds; a bare number in a date column (an Excel
  serial date, days since 1900, or 1904 for old Mac workbooks) is converted the same way.
"""

import re
from datetime import date, datetime, time, timedelta

FIELDS = [
    # (key, label, group)
    ("parent_id", "Parent's id in the old system", "Parent"),
    ("parent_first_name", "Parent's first name", "Parent"),
    ("parent_last_name", "Parent's last name", "Parent"),
    ("parent_full_name", "Parent's full name (first and last in one column)", "Parent"),
    ("phone", "Phone", "Parent"),
    ("email", "Email", "Parent"),
    ("address", "Address", "Parent"),
    ("postcode", "Postcode", "Parent"),
    ("consent", "Consent to keep details (R2)", "Parent"),
    ("child_id", "Child's id in the old system", "Child"),
    ("child_first_name", "Child's first name", "Child"),
    ("child_last_name", "Child's last name", "Child"),
    ("child_date_of_birth", "Child's date of birth", "Child"),
    ("provision", "SEN provision", "Child"),
    ("need", "Primary type of need", "Child"),
    ("case_id", "Case id in the old system", "Case"),
    ("case_opened_on", "Case opened on", "Case"),
    ("case_closed_on", "Case closed on", "Case"),
    ("case_summary", "What the parent needs help with", "Case"),
    ("contact_id", "Contact id in the old system", "Contact"),
    ("contact_date", "Contact date", "Contact"),
    ("contact_time", "Contact time", "Contact"),
    ("channel", "Channel", "Contact"),
    ("topic", "Topic", "Contact"),
    ("outcome", "Outcome", "Contact"),
    ("duration", "Time spent (minutes)", "Contact"),
    ("notes", "Notes", "Contact"),
]
FIELD_KEYS = [key for key, _, _ in FIELDS]
FIELD_LABELS = {key: label for key, label, _ in FIELDS}

#: Columns whose values are mapped to one of the service's lists.
VALUE_FIELDS = ["topic", "outcome", "channel", "need", "provision", "consent"]

#: Words in a column header that suggest a field, for the first guess of a mapping.
GUESSES = {
    "parent_id": ["parent id", "client id", "family id", "parent ref", "client ref"],
    "parent_first_name": ["parent first name", "first name", "forename", "given name"],
    "parent_last_name": ["parent last name", "last name", "surname", "family name"],
    "parent_full_name": ["parent name", "client name", "full name"],
    "phone": ["phone", "telephone", "mobile", "tel"],
    "email": ["email", "e-mail"],
    "address": ["address"],
    "postcode": ["postcode", "post code", "zip"],
    "consent": ["consent", "consent to keep details", "gdpr", "permission to keep"],
    "child_id": ["child id", "child ref", "young person id"],
    "child_first_name": ["child first name", "child forename", "child name"],
    "child_last_name": ["child last name", "child surname"],
    "child_date_of_birth": ["date of birth", "dob", "child dob", "child date of birth", "birth"],
    "provision": ["provision", "sen provision", "sen status", "ehcp"],
    "need": ["need", "primary need", "sen type"],
    "case_id": ["case id", "case ref", "referral id"],
    "case_opened_on": ["opened", "case opened", "case start", "start date", "referral date"],
    "case_closed_on": ["closed", "case closed", "case end", "end date"],
    "case_summary": ["summary", "reason for referral", "presenting issue"],
    "contact_id": ["contact id", "activity id", "interaction id", "contact ref"],
    "contact_date": ["contact date", "activity date", "date of contact", "date"],
    "contact_time": ["contact time", "time"],
    "channel": ["channel", "method", "contact method", "contact type", "type of contact"],
    "topic": ["topic", "subject", "issue", "category"],
    "outcome": ["outcome", "result"],
    "duration": ["duration", "minutes", "time spent", "length"],
    "notes": ["notes", "note", "comments", "details"],
}


class BadValue(ValueError):
    """A cell that cannot be read; the message names the problem, never the value."""


def text(value) -> str:
    """A cell as text, stripped; numbers as Excel shows them (no ``.0`` on whole numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return " ".join(str(value).split())


ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
SERIAL = re.compile(r"^\d{1,6}(?:\.\d+)?$")
EXCEL_1900 = datetime(1899, 12, 30)
EXCEL_1904 = datetime(1904, 1, 1)


def from_serial(number: float, epoch=None) -> datetime:
    if not 1 <= number < 2958466:
        raise BadValue("is a number that is not a date")
    start = EXCEL_1904 if epoch is not None and epoch.year == 1904 else EXCEL_1900
    return start + timedelta(days=float(number))


def _check_year(year: int) -> None:
    if not 1900 <= year <= 2100:
        raise BadValue("has a year out of range")


def parse_datetime(value, *, epoch=None) -> tuple[date, time | None] | None:
    """(date, time or None) from a cell; None when empty; ``BadValue`` when unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date(), (value.time() if value.time() != time(0, 0) else None)
    if isinstance(value, date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = from_serial(value, epoch)
        return moment.date(), None
    cell = text(value)
    if match := ISO.match(cell):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        at = _time_parts(match[4], match[5], match[6])
    elif match := DAY_FIRST.match(cell):
        day, month, year_text = int(match[1]), int(match[2]), match[3]
        if len(year_text) != 4:
            raise BadValue("has a two-digit year: give the year in full (day/month/year)")
        year = int(year_text)
        if month > 12 and day <= 12:
            raise BadValue("looks month first (US); dates must be day/month/year (UK) or year-month-day")
        at = _time_parts(match[4], match[5], match[6])
    elif SERIAL.match(cell):
        return from_serial(float(cell), epoch).date(), None
    else:
        raise BadValue("is not a date (use day/month/year or year-month-day)")
    _check_year(year)
    try:
        return date(year, month, day), at
    except ValueError:
        raise BadValue("is not a real date") from None


def _time_parts(hours, minutes, seconds) -> time | None:
    if hours is None:
        return None
    try:
        return time(int(hours), int(minutes), int(seconds or 0))
    except ValueError:
        raise BadValue("has a time that does not exist") from None


def parse_date(value, *, epoch=None) -> date | None:
    parsed = parse_datetime(value, epoch=epoch)
    return parsed[0] if parsed else None


TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def parse_time(value) -> time | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1:
        seconds = round(float(value) * 86400)
        return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    match = TIME.match(text(value))
    if not match:
        raise BadValue("is not a time (use hours:minutes)")
    hours, minutes = int(match[1]), int(match[2])
    if match[4]:
        if not 1 <= hours <= 12:
            raise BadValue("is not a time (use hours:minutes)")
        hours = hours % 12 + (12 if match[4].lower() == "pm" else 0)
    try:
        return time(hours, minutes, int(match[3] or 0))
    except ValueError:
        raise BadValue("is not a time (use hours:minutes)") from None


DURATION = re.compile(r"^(\d{1,4})(?:\.0+)?\s*(?:m|min|mins|minutes)?$", re.IGNORECASE)
HOURS_MINUTES = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")


def parse_minutes(value) -> int | None:
    """Minutes from ``45``, ``45 mins`` or ``0:45``; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    cell = text(value)
    if match := DURATION.match(cell):
        return int(match[1])
    if match := HOURS_MINUTES.match(cell):
        return int(match[1]) * 60 + int(match[2])
    raise BadValue("is not a number of minutes")


def split_full_name(full: str) -> tuple[str, str]:
    """ "Sarah Jane Jones" -> ("Sarah Jane", "Jones"); "Jones, Sarah" -> ("Sarah", "Jones")."""
    full = text(full)
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    first, _, last = full.rpartition(" ")
    return (first, last) if first else ("", last)


def split_list(value) -> list[str]:
    """Several topics in one cell, separated by ``;``, ``|`` or a new line."""
    return [part.strip() for part in re.split(r"[;|\n]", str(value or "")) if part.strip()]
