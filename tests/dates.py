"""Dates as a browser posts them from the GOV.UK date input (``pps.form_fields``): one box each
for day, month and year (and time, for a moment), named ``<field>_day`` and so on."""

import datetime as dt
import re

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def boxes(name: str, value) -> dict:
    """The boxes for ``value``: a date, an aware datetime, ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM``,
    ``DD/MM/YYYY``, or anything else (typed into every box, as a person might)."""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return {**boxes(name, local.date()), f"{name}_time": local.strftime("%H:%M")}
    if isinstance(value, dt.date):
        return {
            f"{name}_day": str(value.day),
            f"{name}_month": str(value.month),
            f"{name}_year": str(value.year),
        }
    text = str(value)
    if match := _ISO.match(text):
        year, month, day, at = match.groups()
        parts = {f"{name}_day": str(int(day)), f"{name}_month": str(int(month)), f"{name}_year": year}
        return {**parts, f"{name}_time": at} if at else parts
    if match := _UK.match(text):
        day, month, year = match.groups()
        return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}
    return {f"{name}_{part}": text for part in ("day", "month", "year")}


def dated(data: dict, *names: str) -> dict:
    """``data`` with each date (a date or datetime object, or an ISO date string) and each
    field named in ``names`` (whatever it holds) split into its boxes."""
    posted = {}
    for key, value in data.items():
        is_date = isinstance(value, dt.date) or (isinstance(value, str) and _ISO.match(value))
        if key in names or is_date:
            posted.update(boxes(key, value))
        else:
            posted[key] = value
    return posted
