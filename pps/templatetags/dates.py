"""``{{ value|when:"j M Y" }}``: Django's ``date`` filter, formatted without its overhead.

Pages show many dates (a case's timeline, a dashboard's lists), and Django's ``date`` filter
costs about 25 microseconds each (a ``DateFormat`` built, the format split by a regular
expression, each name translated). ``when`` takes the same format strings and gives the same
text, built directly, for the format characters the pages use (day, weekday, month, year, hour,
minute, ISO 8601) in English, the service's language; any other character or language, and any
value that is not a date or datetime, is handed to Django's ``date`` filter, so the output is
always Django's (``tests/pps/test_dates.py`` holds every format the templates use to it).

A builtin of the templates (``TEMPLATES["OPTIONS"]["builtins"]``): no ``{% load %}`` needed.
"""

from datetime import date, datetime
from functools import lru_cache

from django import template
from django.template.defaultfilters import date as django_date
from django.utils import translation

register = template.Library()

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: Format characters of dates (and datetimes), as Django's ``dateformat`` gives them in English.
_DATE_PARTS = {
    "j": lambda v: str(v.day),
    "d": lambda v: f"{v.day:02d}",
    "D": lambda v: _WEEKDAYS[v.weekday()][:3],
    "l": lambda v: _WEEKDAYS[v.weekday()],
    "F": lambda v: _MONTHS[v.month - 1],
    "M": lambda v: _MONTHS[v.month - 1][:3],
    "n": lambda v: str(v.month),
    "m": lambda v: f"{v.month:02d}",
    "Y": lambda v: f"{v.year:04d}",
    "y": lambda v: f"{v.year % 100:02d}",
    "c": lambda v: v.isoformat(),
}
#: Format characters of times: for datetimes only (Django refuses them for a date).
_TIME_PARTS = {
    "H": lambda v: f"{v.hour:02d}",
    "G": lambda v: str(v.hour),
    "i": lambda v: f"{v.minute:02d}",
}


@lru_cache(maxsize=256)
def _compiled(format_string: str):
    """``format_string`` as a list of literal strings and format functions, and whether it needs
    a time; None when it holds a character this module does not format (Django's then)."""
    parts, needs_time, escaped = [], False, False
    for character in format_string:
        if escaped:
            parts.append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character in _DATE_PARTS:
            parts.append(_DATE_PARTS[character])
        elif character in _TIME_PARTS:
            parts.append(_TIME_PARTS[character])
            needs_time = True
        elif character.isalpha():
            return None
        else:
            parts.append(character)
    return parts, needs_time


@register.filter(expects_localtime=True, is_safe=False)
def when(value, format_string=None):
    """``value`` (a date or datetime, already in local time) as ``format_string`` says, exactly
    as ``{{ value|date:format_string }}``."""
    compiled = _compiled(format_string) if isinstance(format_string, str) else None
    if (
        compiled is None
        or not isinstance(value, date)
        or (compiled[1] and not isinstance(value, datetime))
        or not (translation.get_language() or "en").startswith("en")
    ):
        return django_date(value, format_string)
    return "".join(part if isinstance(part, str) else part(value) for part in compiled[0])
