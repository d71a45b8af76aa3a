"""Exports: exactly the suppressed tables, formula injection neutralised, the code asked again
when older than 15 minutes, recorded in the audit log, and limited to a few a minute."""

import csv
import io
import json

import openpyxl
from auditlog import get_logentry_model
from django.urls import reverse
from django.utils import timezone

from cases.models import Topic
from cases.services import add_reference_item
from pps import otp
from reports.exports import neutralise
from reports.models import StatisticsExport
from tests.conftest import client_for
from tests.dates import dated
from tests.reports.conftest import case_at, contact_at, local

URL = reverse("reports:statistics_export")
YEAR = {"period": "ay-2024"}


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def some_contacts(caseworker):
    case = case_at(caseworker, local(2024, 10, 1))
    for day in range(1, 8):
        contact_at(caseworker, local(2024, 11, day), case, channel="phone")
    contact_at(caseworker, local(2024, 11, 9), None, channel="email")  # one: suppressed


def csv_rows(response):
    return list(csv.reader(io.StringIO(body(response).decode())))


def test_the_csv_holds_the_suppressed_tables_with_the_rule(coordinator, caseworker):
    some_contacts(caseworker)
    response = client_for(coordinator).post(URL, {**YEAR, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    nng = next(r for r in rows if r and r[0] == "No name given (NNG)")
    assert nng[1] == "fewer than 5"  # never the 1 behind it
    on_case = next(r for r in rows if r and r[0] == "On a case")
    assert on_case[1] == "[c]"  # secondary: else 8 - 7 = 1 would show
    total = next(r for r in rows if r and r[0] == "All contacts")
    assert total[1] == "8"
    footers = [r for r in rows if r and r[0].startswith("Suppression: “fewer than 5” is a count from 1 to 4")]
    assert len(footers) == len([r for r in rows if r and r[0] == ""])  # one under every table


def test_the_xlsx_holds_the_same_cells(coordinator, caseworker):
    some_contacts(caseworker)
    response = client_for(coordinator).post(URL, {**YEAR, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    nng = next(r for r in rows if r and r[0] == "No name given (NNG)")
    assert nng[1] == "fewer than 5"
    total = next(r for r in rows if r and r[0] == "All contacts")
    assert total[1] == 8  # a number in the spreadsheet


def test_the_data_file_is_versioned_and_marks_suppressed_cells(coordinator, caseworker):
    some_contacts(caseworker)
    document = json.loads(client_for(coordinator).post(URL, {**YEAR, "format": "json"}).content)
    assert document["format"] == "pps-iass-statistics" and document["version"] == "1.0"
    table = next(t for t in document["tables"] if t["key"] == "contacts_nng")
    nng = next(r for r in table["rows"] if r["code"] == "nng")
    assert nng["this_period"] == {"value": None, "suppressed": "primary"}
    assert table["total"]["this_period"] == {"value": 8, "suppressed": None}


def test_a_topic_named_like_a_formula_is_exported_as_text(coordinator, caseworker, senior, service):
    topic = add_reference_item(by=senior, model=Topic, name='=HYPERLINK("http://evil.example","x")')
    case = case_at(caseworker, local(2024, 10, 1))
    for day in range(1, 7):
        contact_at(caseworker, local(2024, 11, day), case, topics=[topic])
    rows = csv_rows(client_for(coordinator).post(URL, {**YEAR, "format": "csv"}))
    cells = [cell for row in rows for cell in row]
    assert "'" + topic.name in cells
    assert topic.name not in cells
    sheet = openpyxl.load_workbook(
        io.BytesIO(client_for(coordinator).post(URL, {**YEAR, "format": "xlsx"}).content)
    ).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "'" + topic.name in values and not any(v.startswith("=") for v in values)


def test_every_formula_start_is_neutralised():
    for start in ("=", "+", "-", "@", "\t", "\r", "\0"):
        assert neutralise(start + "1+1") == "'" + start + "1+1"
    assert neutralise("fewer than 5") == "fewer than 5" and neutralise(12) == 12


def test_exporting_asks_for_the_code_again_when_it_is_older_than_15_minutes(coordinator):
    client = client_for(coordinator)
    session = client.session
    session[otp.VERIFIED_AT_SESSION_KEY] = (timezone.now() - timezone.timedelta(minutes=16)).isoformat()
    session.save()
    response = client.post(URL, {**YEAR, "format": "csv"})
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]
    assert "authenticator" in response.content.decode().lower()
    assert not StatisticsExport.objects.exists()


def test_an_export_is_recorded_with_who_which_tables_period_and_settings(coordinator):
    client_for(coordinator).post(URL, {**YEAR, "format": "xlsx"})
    export = StatisticsExport.objects.get()
    assert export.requested_by == coordinator and export.format == "xlsx"
    assert (str(export.period_start), str(export.period_end)) == ("2024-09-01", "2025-08-31")
    assert "contacts_nng" in export.tables and export.settings["threshold"] == 5
    entries = get_logentry_model().objects.filter(object_pk=str(export.pk), actor=coordinator)
    actions = {e.action for e in entries}
    assert {get_logentry_model().Action.CREATE, get_logentry_model().Action.ACCESS} <= actions
    created = entries.get(action=get_logentry_model().Action.CREATE)
    assert "contacts_nng" in json.dumps(created.changes) and "2024-09-01" in json.dumps(created.changes)


def test_more_than_five_exports_a_minute_are_refused_with_429(coordinator):
    client = client_for(coordinator)
    for _ in range(5):
        assert client.post(URL, {**YEAR, "format": "csv"}).status_code == 200
    response = client.post(URL, {**YEAR, "format": "csv"})
    assert response.status_code == 429
    assert "at most 5 times a minute" in response.content.decode()
    assert StatisticsExport.objects.count() == 5


def test_an_unknown_format_is_a_clear_400(coordinator):
    response = client_for(coordinator).post(URL, {**YEAR, "format": "pdf"})
    assert response.status_code == 400
    assert "Choose CSV, Excel" in response.content.decode()


def test_the_printable_report_has_the_tables_and_charts(coordinator, caseworker):
    some_contacts(caseworker)
    page = client_for(coordinator).post(URL, {**YEAR, "format": "print"}).content.decode()
    assert "Anonymised statistics: Academic year 2024/25" in page
    assert "<svg" in page and "reports.css" in page


def test_caseworkers_and_other_services_cannot_export(caseworker, outsider, maintainer):
    for user in (caseworker, outsider, maintainer):
        assert client_for(user).post(URL, {**YEAR, "format": "csv"}).status_code == 404
    assert not StatisticsExport.objects.exists()


def test_an_export_of_a_wrong_date_range_is_refused_not_swapped_for_another_period(coordinator):
    response = client_for(coordinator).post(
        URL, dated({"period": "range", "start": "2025-02-01", "end": "2025-01-01", "format": "csv"})
    )
    assert response.status_code == 400
    assert "The last day must be on or after the first day" in response.content.decode()
    assert not StatisticsExport.objects.exists()


def test_a_date_range_is_exported_for_exactly_those_days(coordinator):
    client_for(coordinator).post(
        URL, dated({"period": "range", "start": "2025-01-11", "end": "2025-01-20", "format": "csv"})
    )
    export = StatisticsExport.objects.get()
    assert (str(export.period_start), str(export.period_end), export.period_kind) == (
        "2025-01-11",
        "2025-01-20",
        "range",
    )
