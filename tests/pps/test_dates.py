"""The ``when`` filter (``pps/templatetags/dates.py``) gives exactly what Django's ``date`` filter
gives, for every format the templates use, across the year's clock changes."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def formats_used() -> list:
    found = set()
    for path in TEMPLATES.rglob("*.html"):
        found |= {m.group(2) for m in re.finditer(r"\|when:(['\"])(.*?)\1", path.read_text(encoding="utf-8"))}
    return sorted(found)


def both(value, format_string):
    context = Context({"value": value, "format": format_string})
    ours = Template("{{ value|when:format }}").render(context)
    django = Template("{{ value|date:format }}").render(context)
    return ours, django


def moments():
    """Every 7 hours 13 minutes over two years (both clock changes each year, midnight, noon,
    single-digit days and hours), and the minutes around each change of the clocks."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    at = start
    while at < start + timedelta(days=730):
        yield at
        at += timedelta(hours=7, minutes=13)
    for change in (
        datetime(2026, 3, 29, 1, tzinfo=UTC),
        datetime(2026, 10, 25, 1, tzinfo=UTC),
    ):
        for minutes in range(-90, 91, 15):
            yield change + timedelta(minutes=minutes)


def test_the_templates_use_formats_at_all():
    assert {"j M Y", "l j F Y, H:i", "c"} <= set(formats_used())


@pytest.mark.parametrize("format_string", formats_used())
def test_every_format_the_templates_use_gives_djangos_text(format_string):
    for at in moments():
        ours, django = both(at, format_string)
        assert ours == django, f"{at.isoformat()} as {format_string!r}"
        if not re.search(r"[HGi]", format_string):
            ours, django = both(at.date(), format_string)
            assert ours == django, f"{at.date()} as {format_string!r}"


@pytest.mark.parametrize("value", [None, "", "not a date", datetime(2026, 6, 1, 9, 5)], ids=repr)
@pytest.mark.parametrize("format_string", ["j M Y", "j F Y, H:i", "c", r"\Y\e\s: Y", "N jS", "e"])
def test_anything_else_is_djangos_answer(value, format_string):
    ours, django = both(value, format_string)
    assert ours == django


def test_a_time_of_a_date_is_refused_as_django_refuses_it():
    with pytest.raises(TypeError):
        Template("{{ value|date:'H:i' }}").render(Context({"value": date(2026, 6, 1)}))
    with pytest.raises(TypeError):
        Template("{{ value|when:'H:i' }}").render(Context({"value": date(2026, 6, 1)}))


def test_another_language_is_formatted_by_django():
    at = datetime(2026, 6, 1, 9, 5, tzinfo=UTC)
    with translation.override("cy"):
        ours, django = both(at, "l j F Y")
    assert ours == django
