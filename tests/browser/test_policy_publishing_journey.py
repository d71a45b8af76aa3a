"""Publishing a new confidentiality policy in a real browser (R17): the head of service goes from
the Staff page to the policy, publishes a new version after a refusal, and agrees to it first."""

import pytest
from playwright.sync_api import expect

from pps.models import ConfidentialityPolicy
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_head_publishes_a_new_version_and_agrees_to_it(browser_page, screenshot, head, caseworker):
    page = browser_page
    sign_in(page, caseworker)  # agrees to version 1 on the way
    page.context.clear_cookies()
    sign_in(page, head)
    page.goto("/staff/")
    page.get_by_role("link", name="Confidentiality policy").click()
    expect(page.get_by_role("heading", name="Confidentiality policy", level=1)).to_be_visible()
    expect(page.get_by_role("row", name=caseworker.display_name)).to_contain_text("Caseworker")
    screenshot("policy")

    text = page.get_by_label("Text of the new version")
    text.fill(text.input_value() + "\n\nNo names in emails, ever.")
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_role("alert")).to_contain_text("Confirm that everyone will have to agree")
    assert "No names in emails, ever." in text.input_value()
    screenshot("refused")

    page.get_by_label("Everyone will have to agree to this version").check()
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_role("button", name="I have read and agree")).to_be_visible()
    expect(page.locator("#policy-text")).to_contain_text("No names in emails, ever.")
    page.get_by_role("button", name="I have read and agree").click()
    expect(page.get_by_role("heading", name="Version 2", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=caseworker.display_name)).to_contain_text("Not yet")
    screenshot("published")
    assert ConfidentialityPolicy.objects.filter(service=head.service).count() == 2
