"""Consent and disclosure in a real browser (R3): a caseworker records the parent's oral consent
during a call, records a disclosure to the child's school, and is refused, with the reason, when
trying to share with a recipient the consent does not cover."""

import re

import pytest
from playwright.sync_api import expect

from consent.models import Disclosure
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def test_oral_consent_then_a_disclosure_to_the_school_and_a_refusal_for_health(
    browser_page, screenshot, caseworker, case
):
    page = browser_page
    sign_in(page, caseworker, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_text("no valid consent to share", exact=False)).to_be_visible()

    page.get_by_role("link", name="Record consent").click()
    page.get_by_role("group", name="How did the parent give consent?").get_by_label(
        "Orally, on a phone call"
    ).check()
    page.get_by_label("What the parent was told").fill(
        "Explained that we would talk to the SENCo about the support plan, and nothing else."
    )
    page.get_by_role("group", name="Who may information be shared with?").get_by_label(
        "The child's school", exact=False
    ).check()
    screenshot("record-consent")
    page.get_by_role("button", name=re.compile("Record consent|Save", re.I)).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    screenshot("case-with-consent")

    page.get_by_role("link", name="Record a disclosure").click()
    page.get_by_label("What was shared").fill("The parent's worries about the one-to-one support.")
    page.get_by_role("group", name="Shared with").get_by_label("The child's school", exact=False).check()
    page.get_by_label("Name of the organisation or person").fill("Mrs Patel, SENCo, Oakfield Primary")
    page.get_by_role("group", name="How was it shared?").locator("input").first.check()
    page.get_by_role("group", name="On what basis?").locator("input").first.check()
    screenshot("record-disclosure")
    page.get_by_role("button", name=re.compile("Record|Save", re.I)).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator(".app-timeline")).to_contain_text("one-to-one support")
    screenshot("disclosure-on-timeline")
    assert Disclosure.objects.count() == 1

    page.get_by_role("link", name="Record a disclosure").click()
    page.get_by_label("What was shared").fill("The latest speech and language report.")
    page.get_by_role("group", name="Shared with").get_by_label("Health", exact=False).check()
    page.get_by_label("Name of the organisation or person").fill("Community paediatrics")
    page.get_by_role("group", name="How was it shared?").locator("input").first.check()
    page.get_by_role("group", name="On what basis?").locator("input").first.check()
    page.get_by_role("button", name=re.compile("Record|Save", re.I)).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("does not cover")
    expect(page.get_by_label("What was shared")).to_have_value("The latest speech and language report.")
    screenshot("refused")
    assert Disclosure.objects.count() == 1

    # The permission form prints alone: no header, menu, back link or footer.
    page.goto(f"/cases/{case.pk}/permission-form/")
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Permission form")).to_be_visible()
    for hidden in (".govuk-header", ".govuk-service-navigation", ".app-footer", ".govuk-back-link"):
        expect(page.locator(hidden).first).to_be_hidden()
    page.emulate_media(media="screen")
    expect(page.locator(".govuk-header").first).to_be_visible()
