"""Mistakes corrected in a real browser: the author corrects a contact's notes (a correction
without a reason is refused and keeps what was typed); the earlier version stays in the history;
a senior moves a contact logged on the wrong parent's case."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases import services
from tests.browser.conftest import sign_in
from tests.factories import contact_details, make_case

pytestmark = pytest.mark.browser

OLD_NOTES = "Talked through the Quillifer tribunal bundle."
NEW_NOTES = "Talked through the Quillifer annual review paperwork."


def case_with_a_call(caseworker, **parent):
    """A case of ``caseworker``'s with one phone call on it, its notes OLD_NOTES."""
    case = make_case(caseworker, **parent)
    services.log_case_contact(
        by=caseworker, case=case, details=contact_details(case.service), notes=OLD_NOTES
    )
    return case


def on_the_case_page(page, user, case):
    sign_in(page, user)
    page.goto(reverse("cases:case_detail", args=[case.pk]))


def test_the_author_corrects_a_contact_and_sees_the_earlier_version(browser_page, screenshot, caseworker):
    page = browser_page
    on_the_case_page(page, caseworker, case_with_a_call(caseworker))
    page.get_by_role("link", name="Correct the phone call").click()
    expect(page.get_by_role("heading", name="Correct a contact", level=1)).to_be_visible()
    notes = page.get_by_label("Notes", exact=True)
    expect(notes).to_have_value(OLD_NOTES)
    notes.fill(NEW_NOTES)
    page.get_by_role("button", name="Save the correction").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Say why you are correcting this contact")
    expect(page.get_by_label("Notes", exact=True)).to_have_value(NEW_NOTES)  # nothing typed is lost
    screenshot("reason-missing")
    page.get_by_label("Why are you correcting this contact?").fill("Notes typed on the wrong call")
    page.get_by_role("button", name="Save the correction").click()

    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.get_by_text(NEW_NOTES)).to_be_visible()
    history = page.locator(".app-correction-history")
    history.get_by_text("Corrected: earlier version").click()
    expect(history).to_contain_text(OLD_NOTES)
    expect(history).to_contain_text("Why: Notes typed on the wrong call")
    expect(history).to_contain_text(caseworker.display_name)
    screenshot("corrected")


def test_a_senior_moves_a_contact_to_the_right_case(browser_page, screenshot, caseworker, senior):
    wrong = case_with_a_call(caseworker)
    right = make_case(senior, first_name="Ottoline", last_name="Brackwater")
    page = browser_page
    on_the_case_page(page, senior, wrong)
    page.get_by_role("link", name="Move to another case").click()
    expect(page.get_by_role("heading", name="Move a contact to another case", level=1)).to_be_visible()
    page.get_by_label("Reference of the case it belongs to").fill("NOSUCH")
    page.get_by_label("Why is it being moved?").fill("Logged on the wrong parent's case")
    page.get_by_role("button", name="Move the contact").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_label("Why is it being moved?")).to_have_value("Logged on the wrong parent's case")
    screenshot("no-such-case")
    page.get_by_label("Reference of the case it belongs to").fill(right.reference.lower())
    page.get_by_role("button", name="Move the contact").click()

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(f"Contact moved to case {right.reference}")
    expect(page.get_by_role("heading", name="Contact moved here from another case")).to_be_visible()
    expect(page.get_by_text(OLD_NOTES)).to_be_visible()
    screenshot("moved-here")
    page.goto(reverse("cases:case_detail", args=[wrong.pk]))
    expect(page.get_by_role("heading", name="Contact moved to another case")).to_be_visible()
    expect(page.get_by_text("Logged on the wrong parent's case")).to_be_visible()
    expect(page.get_by_text(OLD_NOTES)).to_have_count(0)
