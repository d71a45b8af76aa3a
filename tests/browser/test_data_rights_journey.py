"""Data rights in a real browser: the head of service answers a subject access request end to end,
with a redaction and a child-protection file withheld by a designated lead, and downloads the
PDF (R11); a legal request is refused without the parent's permission, then answered with it (R12)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services as case_services
from consent.models import SubjectAccessRequest
from rights.models import LegalRequest
from safeguarding import services as safeguarding_services
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.factories import contact_details
from tests.rights.helpers import pdf_text

pytestmark = pytest.mark.browser


@pytest.fixture
def lead_page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def held(caseworker, case):
    case_services.log_case_contact(
        by=caseworker,
        case=case,
        details=contact_details(case.service),
        notes="Sarah said Mrs Okafor at Oakfield Primary refused the one-to-one support.",
    )
    safeguarding_services.raise_concern(
        caseworker,
        case,
        case.parent.children.first(),
        "PROTECTED the child described bruises",
        timezone.now(),
    )
    return case


def test_the_head_of_service_answers_a_subject_access_request_end_to_end(
    browser_page, lead_page, screenshot, head, senior, held, tmp_path
):
    page = browser_page
    sign_in(page, head)
    page.goto(f"/cases/{held.pk}/")
    page.get_by_role("link", name="The parent or a young person asked for a copy of what we hold").click()
    page.get_by_role("group", name="Who asked?").get_by_label("The parent, Sarah Jones").check()
    page.get_by_role("group", name="How did they ask?").get_by_label("Letter").check()
    page.get_by_label("What did they ask for?").fill("Everything you hold about me and my son")
    screenshot("record-request")
    page.get_by_role("button", name="Record the request").click()
    sar = SubjectAccessRequest.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(sar.reference)
    expect(page.get_by_text("Waiting for a designated safeguarding lead")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("PROTECTED")

    page.get_by_label("What was seen to check their identity?").fill("Passport seen at the office")
    page.get_by_role("button", name="Record the identity check").click()
    expect(page.locator(".app-timeline")).to_contain_text("Identity checked")
    page.get_by_role("button", name="Assemble the pack").click()
    expect(page.get_by_text("A designated safeguarding lead must review")).to_be_visible()
    screenshot("waiting-for-the-lead")

    # The designated lead reviews the child-protection file, apart.
    sign_in(lead_page, senior)
    lead_page.goto(f"/access-requests/{sar.pk}/")
    card = lead_page.locator(".govuk-summary-card", has_text="PROTECTED")
    card.get_by_label("Withhold", exact=True).check()
    card.get_by_role("group", name="Exemption relied on (to withhold)").get_by_label(
        "Likely to cause serious harm", exact=False
    ).check()
    lead_page.screenshot(path=SCREENSHOTS / "data-rights-lead-review.png", full_page=True)
    card.get_by_role("button", name="Record the decision").click()
    expect(lead_page.get_by_text("Decision recorded.")).to_be_visible()
    lead_page.get_by_role("button", name="Confirm the child-protection review is done").click()
    expect(lead_page.get_by_text("Child-protection review recorded.")).to_be_visible()

    page.reload()
    expect(page.get_by_text("Done by a designated lead")).to_be_visible()
    page.get_by_role("button", name="Assemble the pack").click()
    expect(page.get_by_role("heading", name="The pack", exact=True)).to_be_visible()
    expect(page.locator("#main-content")).not_to_contain_text("PROTECTED")

    note = page.locator(".govuk-summary-card", has_text="Mrs Okafor")
    note.get_by_text("Redact a passage").click()
    note.get_by_label("Words to black out").fill("Mrs Okafor")
    note.get_by_label("Why").select_option("school_staff")
    note.get_by_role("button", name="Redact").click()
    expect(page.get_by_text("Passage marked to redact.")).to_be_visible()
    expect(page.locator(".app-redacted").first).to_have_text("Mrs Okafor")
    screenshot("pack-with-redaction")

    page.get_by_role("button", name="Approve and make the PDF").click()
    expect(page.get_by_text("Pack approved and its PDF made.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the pack")).click()
    assert download.value.suggested_filename == f"{sar.reference}.pdf"
    path = tmp_path / "pack.pdf"
    download.value.save_as(path)
    text = pdf_text(path.read_bytes())
    assert "Mrs Okafor" not in text and "[R1]" in text and "refused the one-to-one support" in text
    assert "PROTECTED" not in text and "bruises" not in text
    assert sar.reference in text and "Contents" in text

    page.get_by_role("group", name="How was it sent?").get_by_label("Post (recorded delivery)").check()
    page.get_by_role("button", name="Record as sent").click()
    page.get_by_role("button", name="Close the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed")
    screenshot("closed-with-history")
    sar = SubjectAccessRequest.objects.get()
    assert sar.status == "closed" and sar.page_count >= 3

    page.get_by_role("link", name="Access requests").first.click()
    expect(page.locator("body")).to_contain_text(sar.reference)
    screenshot("access-requests")


def test_a_legal_request_is_refused_without_permission_then_answered_with_it(
    browser_page, screenshot, head, held
):
    page = browser_page
    sign_in(page, head)
    page.goto(f"/cases/{held.pk}/")
    page.get_by_role("link", name="Council officers asked for information for legal reasons").click()
    page.get_by_label("Who asked?").fill("Pat Officer")
    page.get_by_label("Their organisation").fill("Kent County Council Legal Services")
    page.get_by_label("Their role").fill("Solicitor")
    page.get_by_label("The legal reason").fill("Judicial review of the EHC plan decision")
    page.get_by_label("Their reference (optional)").fill("JR-2026-114")
    page.get_by_label("What do they ask for?").fill("Notes of calls about the school")
    screenshot("record-legal-request")
    page.get_by_role("button", name="Record and pass to the head of service").click()
    legal = LegalRequest.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(legal.reference)

    page.get_by_label(f"Case {held.reference}").check()
    page.get_by_role("button", name="Make the extract").click()
    page.get_by_role("group", name="How did the extract go to the officer?").get_by_label(
        "Secure email"
    ).check()
    page.get_by_role("group", name="How did the copy go to the parent?").get_by_label("Post").check()
    page.get_by_role("group", name="Basis for sharing").get_by_label("The parent's consent").check()
    page.get_by_role("button", name="Record as sent, with the copy to the parent").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The parent has not given permission")
    screenshot("refused-without-permission")
    assert LegalRequest.objects.get().status == "extracted"

    page.get_by_role("group", name="How did the parent give permission?").get_by_label(
        "Written permission form at a face-to-face meeting"
    ).check()
    page.get_by_label("What the parent was told and agreed to").fill(
        "That the notes of calls about the school go to the council's solicitor, with a copy to her."
    )
    page.get_by_role("button", name="Record the parent's permission").click()
    expect(page.get_by_text("The parent's permission is recorded.")).to_be_visible()
    page.get_by_role("group", name="How did the extract go to the officer?").get_by_label(
        "Secure email"
    ).check()
    page.get_by_role("group", name="How did the copy go to the parent?").get_by_label("Post").check()
    page.get_by_role("group", name="Basis for sharing").get_by_label("The parent's consent").check()
    page.get_by_role("button", name="Record as sent, with the copy to the parent").click()
    expect(page.get_by_text("Disclosure recorded on the case")).to_be_visible()
    screenshot("legal-request-sent")
    legal = LegalRequest.objects.get()
    assert legal.status == "sent" and legal.copy_sent_at and legal.disclosure_id
