from datetime import date

from django import forms
from django.utils import timezone

from pps.form_fields import DateField
from pps.forms import Form
from reports import periods


class PeriodForm(Form):
    """Which period the statistics are for (sent by GET: it holds nothing personal)."""

    period = forms.ChoiceField(
        label="Period",
        error_messages={"invalid_choice": "Choose a period from the list", "required": "Select a period"},
    )
    start = DateField(label="From", required=False)
    end = DateField(
        label="To (included)",
        required=False,
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["period"].choices = periods.choices(self.today)
        self.fields["period"].initial = periods.current_financial_year(self.today).token

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("period")
        if not chosen:
            return cleaned
        if chosen != "range":
            cleaned["chosen"] = periods.from_token(chosen)
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None and "start" not in self.errors:
            self.add_error("start", "Enter the first day of the date range")
        if end is None and "end" not in self.errors:
            self.add_error("end", "Enter the last day of the date range")
        if start and end:
            if start.year < periods.EARLIEST_YEAR:
                self.add_error("start", f"Enter a date from 1 January {periods.EARLIEST_YEAR}")
            elif end < start:
                self.add_error("end", "The last day must be on or after the first day")
            elif (end - start).days >= periods.MAX_RANGE_DAYS:
                self.add_error("end", "A date range can be at most five years long")
            elif end > self.today.replace(year=self.today.year + 1):
                self.add_error("end", "Enter a date no more than a year from today")
            else:
                cleaned["chosen"] = periods.date_range(start, end)
        return cleaned

    def period_or_default(self) -> periods.Period:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("chosen"):
            return self.cleaned_data["chosen"]
        return periods.current_financial_year(self.today)


class SuppressionRuleForm(Form):
    """The service's small-number rule (head of service)."""

    threshold = forms.IntegerField(
        label="Smallest count shown",
        help_text="Counts from 1 to one less than this are shown as “fewer than …”. Between 3 and 20.",
        min_value=3,
        max_value=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-3"}),
        error_messages={
            "required": "Enter the smallest count shown",
            "invalid": "Enter a whole number, like 5",
            "min_value": "The smallest count shown must be at least 3",
            "max_value": "The smallest count shown must be 20 or less",
        },
    )
    rounding = forms.BooleanField(label="Also round every published count to the nearest 5", required=False)
