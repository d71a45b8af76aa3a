"""A coordinator picks last academic year, sees the tables and a chart, exports XLSX and CSV
(and opens both), and prints the report."""

import csv
import io

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pps import otp, services
from reports import periods
from tests.browser.conftest import PASSWORD
from tests.reports.conftest import case_at, contact_at, local

pytestmark = pytest.mark.browser


def sign_in_to_statistics(page, user):
    if otp.confirmed_device(user) is None:
        otp.create_demo_device(user)
    if policy := services.policy_to_agree(user):
        services.agree_to_policy(user, policy)
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(otp.code_for(otp.confirmed_device(user)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Statistics", level=1)).to_be_visible()


def test_a_coordinator_reports_last_academic_year(
    browser_page, screenshot, coordinator, caseworker, tmp_path
):
    page = browser_page
    last_year = periods.current_academic_year(timezone.localdate()).previous()
    start = last_year.start
    case = case_at(caseworker, local(start.year, 10, 1))
    for day in range(1, 13):
        contact_at(caseworker, local(start.year, 10, day + 1), case, channel="phone")
    for day in range(1, 7):
        contact_at(caseworker, local(start.year + 1, 2, day), None, channel="email")
    contact_at(caseworker, local(start.year + 1, 3, 3), None, channel="letter")  # one: hidden

    sign_in_to_statistics(page, coordinator)
    page.get_by_label("Period", exact=True).select_option(label=last_year.label)
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_text(f"{last_year.label}", exact=False).first).to_be_visible()
    channel = page.locator("#table-contacts_channel")
    expect(channel.get_by_role("row", name="Phone call")).to_contain_text("12")
    expect(channel.get_by_role("row", name="Letter")).to_contain_text("fewer than 5")
    expect(page.get_by_role("img", name="Contacts by channel").first).to_be_visible()
    screenshot("statistics")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download Excel (XLSX)").click()
    xlsx = tmp_path / "statistics.xlsx"
    download.value.save_as(xlsx)
    rows = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    assert next(r for r in rows if r[0] == "Phone call")[1] == 12
    assert next(r for r in rows if r[0] == "Letter")[1] == "fewer than 5"

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    text = download.value.path().read_text(encoding="utf-8")
    table = list(csv.reader(io.StringIO(text)))
    assert next(r for r in table if r and r[0] == "No name given (NNG)")[1] == "7"
    assert next(r for r in table if r and r[0] == "Letter")[1] == "fewer than 5"

    page.get_by_role("button", name="Printable report").click()
    expect(page.get_by_role("heading", name=f"Anonymised statistics: {last_year.label}")).to_be_visible()
    page.emulate_media(media="print")
    assert page.locator(".govuk-header").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator("svg.app-chart").count() >= 5
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    (tmp_path / "report.pdf").write_bytes(pdf)
    screenshot("printed")
