"""Form machinery shared by the apps: GOV.UK Frontend markup for every form field."""

import datetime as dt

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.renderers import TemplatesSetting
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeData

from pps import form_fields

#: The longest password any password box takes (sign in, unlock, new password): long enough for
#: any passphrase, short enough that hashing it costs nothing unusual.
PASSWORD_MAX_LENGTH = 256

#: The longest text any box takes when its field does not say: every text has a limit.
DEFAULT_TEXT_MAX_LENGTH = 10_000
#: Dates are plausible when the field does not say otherwise: not before the services began
#: keeping records on this system's predecessors, and not absurdly far ahead (a follow-up in 9999).
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_YEARS_AHEAD = 2


def today() -> dt.date:
    return timezone.localdate()


def years_ago(years: int):
    """For ``plausible``: the same day ``years`` years ago (28 February for a 29 February)."""

    def earliest() -> dt.date:
        now = today()
        try:
            return now.replace(year=now.year - years)
        except ValueError:
            return now.replace(year=now.year - years, day=28)

    return earliest


def years_ahead(years: int):
    def latest() -> dt.date:
        now = today()
        try:
            return now.replace(year=now.year + years)
        except ValueError:
            return now.replace(year=now.year + years, day=28)

    return latest


def plausible(field, *, earliest=None, latest=None):
    """Gives a date or date-and-time ``field`` its plausible range: ``earliest`` and ``latest``
    are dates, or functions returning one (``today``, ``years_ago(30)``). Unset ends take the
    defaults (``EARLIEST_DATE``; ``LATEST_YEARS_AHEAD`` years from today). The range is said in
    the field's hint, given to the browser's date picker, and checked on the server."""
    field.plausible_range = (earliest, latest)
    return field


def _day(end) -> dt.date:
    return end() if callable(end) else end


def date_range_of(field) -> tuple[dt.date, dt.date]:
    earliest, latest = getattr(field, "plausible_range", (None, None))
    return (
        _day(earliest) if earliest is not None else EARLIEST_DATE,
        _day(latest) if latest is not None else years_ahead(LATEST_YEARS_AHEAD)(),
    )


def _spoken(day: dt.date) -> str:
    return "today" if day == today() else f"{day.day} {day:%B %Y}"


def _range_words(field) -> tuple[str, str]:
    earliest, latest = date_range_of(field)
    return _spoken(earliest), _spoken(latest)


def _hint(field, words: str) -> None:
    help_text = str(field.help_text or "")
    if words not in help_text:
        field.help_text = f"{help_text} {words}".strip()


WIDGET_CLASSES = {
    "textinput": "govuk-input",
    "emailinput": "govuk-input",
    "numberinput": "govuk-input govuk-input--width-4",
    "dateinput": "govuk-input govuk-input--width-10",
    "datetimeinput": "govuk-input govuk-input--width-20",
    "datetimelocalinput": "govuk-input govuk-input--width-20",
    "timeinput": "govuk-input govuk-input--width-5",
    "passwordinput": "govuk-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
}
ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
}


#: Said for a required answer whose field names no message of its own. Every field of every
#: form names what is missing in its own words ("Select how the contact happened"): messages are
#: written per field, never made from labels ("Select sEN provision"), and
#: ``tests/pps/test_form_messages.py`` checks that no form falls back to this.
UNNAMED_REQUIRED_MESSAGE = "Answer this question"


#: Every kind of date field: Django's own (still used for hidden or GET-only fields) and the
#: GOV.UK date input of ``pps.form_fields``.
DATE_FIELDS = (forms.DateField, forms.DateTimeField, form_fields.DateField)


class GovukFormRenderer(TemplatesSetting):
    """Renders each field as a GOV.UK form group (label, hint, error message, input).

    Django's select template is rendered here in Python, to the same HTML: through the
    templates, every option is an include of its own (the case page's two code lists took
    2.5 ms; 0.5 ms now)."""

    field_template_name = "forms/govuk_field.html"

    def render(self, template_name, context, request=None):
        if template_name == forms.Select.template_name and "widget" in context:
            return select_html(context["widget"])
        return super().render(template_name, context, request=request)


def _as_text(value):
    # The template's ``value|stringformat:'s'``: text, still safe if it was (the filter is_safe).
    return value if isinstance(value, SafeData) else f"{value}"


def _attributes_html(attrs):
    # django/forms/widgets/attrs.html: False leaves an attribute out, True writes its name alone.
    return _joined(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, _as_text(value))
        for name, value in attrs.items()
        if value is not False
    )


def _joined(pieces):
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def select_html(widget):
    """What ``django/forms/widgets/select.html`` makes of a select widget's context, character
    for character (``tests/pps/test_select_rendering.py`` compares them)."""
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        items = _joined(
            format_html(
                '\n  <option value="{}"{}>{}</option>\n',
                _as_text(option["value"]),
                _attributes_html(option["attrs"]),
                option["label"],
            )
            for option in options
        )
        groups.append(
            format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, items)
            if group_name
            else items
        )
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        widget["name"],
        _attributes_html(widget["attrs"]),
        _joined(groups),
    )


class GovukFormMixin:
    """Adds GOV.UK classes to widgets, error classes to invalid fields, and strips NUL bytes.

    Also describes each input by its hint and error message for screen readers, and bounds
    every input: a text without a ``max_length`` gets ``DEFAULT_TEXT_MAX_LENGTH``, long texts
    (text areas) say their limit in the hint, and every date has a plausible range (see
    ``plausible``), said in the hint and checked.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            self._bound_field(field)
        for name, field in self.fields.items():
            widget_type = field.widget.__class__.__name__.lower()
            css = WIDGET_CLASSES.get(widget_type)
            if css and "class" not in field.widget.attrs:
                field.widget.attrs["class"] = css
            if field.help_text and not isinstance(field, form_fields.DateField):  # its fieldset says
                field.widget.attrs.setdefault("aria-describedby", f"id_{self.add_prefix(name)}-hint")
            if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
                field.error_messages["required"] = UNNAMED_REQUIRED_MESSAGE

    @staticmethod
    def _bound_field(field) -> None:
        if isinstance(field, forms.CharField) and not field.widget.is_hidden:
            if field.max_length is None:
                field.max_length = DEFAULT_TEXT_MAX_LENGTH
                field.validators.append(MaxLengthValidator(field.max_length))
                field.widget.attrs.update(field.widget_attrs(field.widget))
            if isinstance(field.widget, forms.Textarea):
                _hint(field, f"Up to {field.max_length:,} characters.")
        elif isinstance(field, form_fields.DateField):
            first, last = _range_words(field)
            example = "For example, 27 3 2024"
            if isinstance(field, form_fields.DateTimeField):
                example += " 14:30 (24-hour clock)"
            _hint(field, f"{example}. From {first} to {last}.")
        elif isinstance(field, (forms.DateField, forms.DateTimeField)) and not field.widget.is_hidden:
            first, last = _range_words(field)
            _hint(field, f"From {first} to {last}.")
            earliest, latest = date_range_of(field)
            if isinstance(field, forms.DateTimeField):
                field.widget.attrs.update(min=f"{earliest}T00:00", max=f"{latest}T23:59")
            else:
                field.widget.attrs.update(min=earliest.isoformat(), max=latest.isoformat())

    def _clean_fields(self):
        super()._clean_fields()
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not isinstance(field, DATE_FIELDS) or value in (None, ""):
                continue
            day = timezone.localtime(value).date() if isinstance(value, dt.datetime) else value
            earliest, latest = date_range_of(field)
            if earliest <= day <= latest:
                continue
            first, last = _range_words(field)
            if day < earliest:
                self.add_error(name, f"Enter a date on or after {first}")
            elif latest == today():
                self.add_error(name, "The date cannot be in the future")
            else:
                self.add_error(name, f"Enter a date on or before {last}")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            if isinstance(self.fields[name], form_fields.DateField):
                # A whole-date error (out of range, in the future): every box is at fault.
                widget.error_parts = widget.error_parts or set(widget.parts)
                continue
            classes = widget.attrs.get("class", "")
            base = classes.split(" ")[0] if classes else ""
            error_class = ERROR_CLASSES.get(base)
            if error_class and error_class not in classes:
                widget.attrs["class"] = f"{classes} {error_class}"
            described = [f"id_{self.add_prefix(name)}-error"]
            if self.fields[name].help_text:
                described.insert(0, f"id_{self.add_prefix(name)}-hint")
            widget.attrs["aria-describedby"] = " ".join(described)


class Form(GovukFormMixin, forms.Form):
    pass


class ModelForm(GovukFormMixin, forms.ModelForm):
    pass


class _FocusOnTheCheckedOption:
    """Given ``autofocus``, only the checked option takes it (the one a browser would focus)."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        if not option["selected"]:
            option["attrs"].pop("autofocus", None)
        return option


class InlineRadioSelect(_FocusOnTheCheckedOption, forms.RadioSelect):
    """Radios side by side: for two to four short options."""


class ColumnsRadioSelect(_FocusOnTheCheckedOption, forms.RadioSelect):
    """Radios in two columns: for longer lists, so forms stay short."""
