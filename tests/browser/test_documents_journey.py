"""The case file's documents in a real browser: a caseworker attaches an EHC plan and a school
report, opens one, makes a letter from a template, downloads it as a PDF, and sees all three on
the case's timeline."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import Document
from tests.browser.conftest import sign_in
from tests.documents.helpers import PDF, TEXT
from tests.factories import make_case

pytestmark = pytest.mark.browser


def test_a_caseworker_attaches_documents_opens_one_and_makes_a_letter(browser_page, screenshot, caseworker):
    case = make_case(caseworker, first_name="Ysolde", last_name="Marchbank", detailed_message_ok=True)
    page = browser_page
    sign_in(page, caseworker)
    page.goto(f"/cases/{case.pk}/")

    for kind, name, data in (("EHC plan", "ehc-plan.pdf", PDF), ("School report", "report.txt", TEXT)):
        page.get_by_role("link", name="Attach documents").click()
        page.get_by_label("Files").set_input_files(
            [{"name": name, "mimeType": "application/octet-stream", "buffer": data}]
        )
        page.get_by_role("group", name="What is it?").get_by_label(kind, exact=True).check()
        if kind == "EHC plan":
            page.get_by_label("Title (optional)").fill("Final EHC plan for Ysolde's son")
            screenshot("attach")
        page.get_by_role("button", name="Attach").click()
        expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))

    page.get_by_role("link", name="Final EHC plan for Ysolde's son", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Final EHC plan for Ysolde's son")
    screenshot("document")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename == "ehc-plan.pdf"

    page.get_by_role("link", name="Back to the case").click()
    page.get_by_role("link", name="Write a letter to the parent").click()
    page.get_by_label("Meeting confirmation").check()
    page.get_by_role("button", name="Continue").click()
    letter = page.get_by_label("The letter")
    expect(letter).to_have_value(re.compile("^Dear Ysolde Marchbank"))
    letter.fill(
        letter.input_value().replace("What was agreed, and who will do it:", "Agreed: a review in May.")
    )
    screenshot("letter")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as PDF").click()
    assert download.value.suggested_filename.endswith(f"{timezone.localdate().isoformat()}.pdf")

    page.goto(f"/cases/{case.pk}/")
    timeline = page.locator(".app-timeline")
    expect(timeline).to_contain_text("EHC plan: Final EHC plan for Ysolde's son")
    expect(timeline).to_contain_text("School report: report")
    expect(timeline).to_contain_text("Letter sent: Meeting confirmation")
    screenshot("timeline")
    assert Document.objects.filter(case=case).count() == 3
