"""Dates and times typed the UK way, whatever the browser's language.

Native date and time inputs follow the browser's locale (a US-English browser reads 08/12 as
12 August) and hide parts of themselves when zoomed. Instead:

- ``DateField``: the GOV.UK date input, three boxes for day, month and year
  (``<name>_day``, ``<name>_month``, ``<name>_year``). Its errors say which part is wrong
  ("Date of birth must include a month", "Year must include 4 numbers", "… must be a real
  date"), only the boxes at fault are marked, and what was typed is kept.
- ``TimeField``: one plain text box on the 24-hour clock: 14:05 (also 14.05, 1405 and 9:05).
- ``DateTimeField``: the three date boxes and the time box, in one group, giving an aware
  datetime in the current time zone.

``pps.forms.GovukFormMixin`` gives them their plausible ranges (``plausible``) like any date.
"""

import calendar
import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

DATE_PARTS = ("day", "month", "year")

MONTH_NAMES = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTH_NAMES["sept"] = 9

_TIME = re.compile(r"^(?P<hour>\d{1,2})(?:[:.]?(?P<minute>\d{2}))?$")

TIME_HINT = "24-hour clock, for example 14:30"


def parse_time(text: str) -> dt.time | None:
    """A time typed on the 24-hour clock: ``14:05``, ``14.05``, ``1405``, ``9:05``, ``9``.
    None if it is not one."""
    text = "".join(str(text).split())
    match = _TIME.match(text)
    if not match or (len(text) in (3, 4) and match["minute"] is None):
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes (rendered by
    ``forms/widgets/govuk_date.html``). ``error_parts`` names the boxes to mark as wrong."""

    template_name = "forms/widgets/govuk_date.html"
    parts = DATE_PARTS
    widths = {"day": 2, "month": 2, "year": 4, "time": 5}

    def __init__(self, attrs=None):
        self.error_parts: set[str] = set()
        super().__init__({part: forms.TextInput() for part in self.parts}, attrs)

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value[:10])
            except ValueError:
                return [""] * len(self.parts)
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [""] * len(self.parts)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        values = value if isinstance(value, list | tuple) else self.decompress(value)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"]["parts"] = [
            {
                "name": f"{name}_{part}",
                "id": f"{base_id}_{part}",
                "label": part.capitalize(),
                "value": values[index] if index < len(values) and values[index] is not None else "",
                "width": self.widths[part],
                "error": part in self.error_parts,
                "inputmode": "numeric" if part != "time" else "text",
                "autocomplete": "off",
            }
            for index, part in enumerate(self.parts)
        ]
        return context

    def id_for_label(self, id_):
        """The first box at fault (where the error summary links), else the first box."""
        first = next((part for part in self.parts if part in self.error_parts), self.parts[0])
        return f"{id_}_{first}" if id_ else ""


class GovukDateTimeInput(GovukDateInput):
    """The date boxes and a 24-hour time box."""

    parts = (*DATE_PARTS, "time")

    def decompress(self, value):
        if isinstance(value, dt.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return [*super().decompress(local.date()), local.strftime("%H:%M")]
        return [*super().decompress(value), ""]


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


class DateField(forms.MultiValueField):
    """A date typed in three boxes (the GOV.UK date input). See the module's docstring."""

    widget = GovukDateInput
    default_error_messages = {
        "required": "Enter the %(what)s",
        "incomplete": "%(label)s must include a %(missing)s",
        "invalid": "%(label)s must be a real date",
        "year": "Year must include 4 numbers",
        "time": "Enter the time on the 24-hour clock, like 14:30",
    }

    def __init__(self, *, label=None, required=True, error_messages=None, **kwargs):
        kwargs.setdefault("template_name", "forms/govuk_date_field.html")
        super().__init__(
            fields=[forms.CharField(required=False) for _ in self.widget.parts],
            label=label,
            required=required,
            require_all_fields=False,
            error_messages=error_messages,
            **kwargs,
        )

    def _fail(self, key: str, parts, **params):
        self.widget.error_parts = set(parts)
        label = str(self.label or "Date")
        params.setdefault("label", label)
        params.setdefault("what", label[:1].lower() + label[1:])
        raise ValidationError(self.error_messages[key], code=key, params=params)

    def clean(self, value):
        self.widget.error_parts = set()
        values = list(value or [])
        values += [""] * (len(self.widget.parts) - len(values))
        typed = {
            part: "".join(str(text or "").split())
            for part, text in zip(self.widget.parts, values, strict=False)
        }
        if not any(typed.values()):
            if self.required:
                self._fail("required", self.widget.parts)
            return None
        result = self._date(typed)
        self.validate(result)
        self.run_validators(result)
        return result

    def _date(self, typed: dict) -> dt.date:
        missing = [part for part in DATE_PARTS if not typed[part]]
        if missing:
            words = " and ".join(missing) if len(missing) < 3 else "day, month and year"
            self._fail("incomplete", missing, missing=words)
        day, year = _number(typed["day"]), _number(typed["year"])
        month = _number(typed["month"]) or MONTH_NAMES.get(typed["month"].lower())
        wrong = [
            part
            for part, number, top in (("day", day, 31), ("month", month, 12))
            if number is None or not 1 <= number <= top
        ]
        if wrong:
            self._fail("invalid", wrong)
        if year is None:
            self._fail("invalid", ["year"])
        if len(typed["year"]) != 4:
            self._fail("year", ["year"])
        try:
            return dt.date(year, month, day)
        except ValueError:
            self._fail("invalid", ["day"])

    def compress(self, data_list):  # clean() does the work; kept for MultiValueField's contract
        return data_list

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        if not isinstance(initial, list):
            initial = self.widget.decompress(initial)
        data = list(data or [""] * len(self.widget.parts))
        return [str(v or "").strip() for v in initial] != [str(v or "").strip() for v in data]


class DateTimeField(DateField):
    """A moment typed as a date (three boxes) and a 24-hour time; an aware datetime."""

    widget = GovukDateTimeInput

    def _date(self, typed: dict) -> dt.datetime:
        day = super()._date(typed)
        if not typed["time"]:
            self._fail("incomplete", ["time"], missing="time")
        at = parse_time(typed["time"])
        if at is None:
            self._fail("time", ["time"])
        return timezone.make_aware(dt.datetime.combine(day, at))


class TimeInput(forms.TextInput):
    """A plain text box for a time on the 24-hour clock."""

    def __init__(self, attrs=None):
        attrs = {
            "class": "govuk-input govuk-input--width-5",
            "autocomplete": "off",
            "spellcheck": "false",
            **(attrs or {}),
        }
        super().__init__(attrs)

    def format_value(self, value):
        if isinstance(value, dt.time):
            return value.strftime("%H:%M")
        return super().format_value(value)


class TimeField(forms.Field):
    """A time on the 24-hour clock, typed in one box."""

    widget = TimeInput
    default_error_messages = {
        "required": "Enter the time",
        "invalid": "Enter the time on the 24-hour clock, like 14:30",
    }

    def __init__(self, *, help_text=TIME_HINT, **kwargs):
        super().__init__(help_text=help_text, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.time):
            return value
        parsed = parse_time(value)
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "maxlength": "5"}
