"""Dates typed the UK way: the GOV.UK date input (day, month, year) and a 24-hour time box."""

import datetime as dt

import pytest
from django.utils import timezone

from pps import form_fields
from pps.forms import Form, plausible, today


class Dated(Form):
    born = plausible(form_fields.DateField(label="Date of birth"), latest=today)
    at = form_fields.TimeField(label="Time", required=False)
    happened = form_fields.DateTimeField(label="When it happened", required=False)


def boxes(day="", month="", year="", **more):
    return {"born_day": day, "born_month": month, "born_year": year, **more}


@pytest.mark.parametrize(
    "typed, expected",
    [
        (boxes("8", "12", "2020"), dt.date(2020, 12, 8)),  # 8 December, whatever the browser's language
        (boxes(" 08 ", "12", "2020"), dt.date(2020, 12, 8)),
        (boxes("3", "Mar", "2021"), dt.date(2021, 3, 3)),
        (boxes("3", "september", "2021"), dt.date(2021, 9, 3)),
        (boxes("29", "2", "2024"), dt.date(2024, 2, 29)),
    ],
)
def test_a_date_typed_in_three_boxes_is_read_day_month_year(typed, expected):
    form = Dated(typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == expected


@pytest.mark.parametrize(
    "typed, message, wrong",
    [
        (boxes(), "Enter the date of birth", {"day", "month", "year"}),
        (boxes("5", "", "2020"), "Date of birth must include a month", {"month"}),
        (boxes("", "", "2020"), "Date of birth must include a day and month", {"day", "month"}),
        (boxes("31", "2", "2023"), "Date of birth must be a real date", {"day"}),
        (boxes("29", "2", "2023"), "Date of birth must be a real date", {"day"}),
        (boxes("3", "13", "2020"), "Date of birth must be a real date", {"month"}),
        (boxes("x", "y", "2020"), "Date of birth must be a real date", {"day", "month"}),
        (boxes("3", "4", "20"), "Year must include 4 numbers", {"year"}),
        (boxes("3", "4", "1999"), "Enter a date on or after 1 January 2000", {"day", "month", "year"}),
        (boxes("3", "4", "2999"), "The date cannot be in the future", {"day", "month", "year"}),
    ],
)
def test_an_error_names_the_part_that_is_wrong_and_marks_only_its_boxes(typed, message, wrong):
    form = Dated(typed)
    assert not form.is_valid()
    assert form.errors["born"] == [message]
    html = form["born"].as_field_group()
    assert "govuk-form-group--error" in html and message in html
    for part in ("day", "month", "year"):
        box = html.split(f'id="id_born_{part}"')[0].rsplit("<input", 1)[1]
        assert ("govuk-input--error" in box) == (part in wrong), part


def test_what_was_typed_is_kept_and_the_error_summary_goes_to_the_first_wrong_box():
    form = Dated(boxes("17", "", "2019"))
    form.is_valid()
    html = form["born"].as_field_group()
    assert 'name="born_day" type="text" value="17"' in html
    assert 'name="born_year" type="text" value="2019"' in html
    assert form["born"].id_for_label == "id_born_month"


def test_the_date_input_is_a_labelled_group_of_three_text_boxes_with_a_hint():
    html = Dated(initial={"born": dt.date(2016, 5, 4)})["born"].as_field_group()
    assert '<fieldset class="govuk-fieldset" role="group" aria-describedby="id_born-hint">' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Date of birth</legend>' in html
    assert "For example, 27 3 2024. From 1 January 2000 to today." in html
    for part, value in (("day", "4"), ("month", "5"), ("year", "2016")):
        label = f'<label class="govuk-label govuk-date-input__label" for="id_born_{part}">'
        assert f"{label}{part.capitalize()}</label>" in html
        assert (
            f'id="id_born_{part}" name="born_{part}" type="text" value="{value}" inputmode="numeric"' in html
        )
    assert 'type="date"' not in html


@pytest.mark.parametrize(
    "typed, expected",
    [("14:05", dt.time(14, 5)), ("1405", dt.time(14, 5)), ("14.05", dt.time(14, 5)), ("9:05", dt.time(9, 5)),
     ("0:00", dt.time(0, 0)), ("23:59", dt.time(23, 59)), ("9", dt.time(9, 0))],
)  # fmt: skip
def test_a_time_is_read_on_the_24_hour_clock(typed, expected):
    form = Dated({**boxes("1", "1", "2020"), "at": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["at"] == expected


@pytest.mark.parametrize("typed", ["25:00", "14:60", "2pm", "14:5", "noon", "12345"])
def test_a_time_that_is_not_a_24_hour_time_gets_a_clear_message_and_is_kept(typed):
    form = Dated({**boxes("1", "1", "2020"), "at": typed})
    assert not form.is_valid()
    assert form.errors["at"] == ["Enter the time on the 24-hour clock, like 14:30"]
    assert f'value="{typed}"' in form["at"].as_field_group()


def test_a_date_and_time_is_an_aware_moment_in_the_service_time_zone():
    typed = {**boxes("1", "1", "2020"), "happened_day": "1", "happened_month": "7", "happened_year": "2025"}
    form = Dated({**typed, "happened_time": "08:30"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["happened"] == timezone.make_aware(dt.datetime(2025, 7, 1, 8, 30))
    missing = Dated(typed)
    assert not missing.is_valid()
    assert missing.errors["happened"] == ["When it happened must include a time"]
    assert (
        'id="id_happened_time" name="happened_time" type="text" inputmode="text"'
        in missing["happened"].as_field_group()
    )
