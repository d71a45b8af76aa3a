"""The head of service asks to be made a designated lead in a real browser: nothing changes until
a senior manager confirms it on their Staff page; then the existing lead is alerted and reviews it."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_head_asks_a_senior_manager_confirms_and_the_lead_reviews(
    browser_page, lead_page, screenshot, lead_screenshot, head, senior, non_lead_senior
):
    page = browser_page
    sign_in(page, head)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Manage").click()
    page.get_by_role("main").get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("button", name="Ask to be made designated lead").click()
    expect(page.get_by_role("main")).to_contain_text("takes effect when a second person confirms it")
    expect(page.get_by_role("button", name="Withdraw the request")).to_be_visible()
    screenshot("head-asked")
    head.refresh_from_db()
    assert not head.is_safeguarding_lead

    sign_in(lead_page, non_lead_senior)
    lead_page.goto("/staff/")
    expect(lead_page.get_by_role("region", name="Designated lead: waiting for confirmation")).to_contain_text(
        f"{head.display_name} asked on"
    )
    lead_screenshot("senior-manager-confirms")
    lead_page.get_by_role("button", name=f"Confirm {head.display_name} as designated lead").click()
    expect(lead_page.get_by_role("main")).to_contain_text(
        f"{head.display_name} is now a designated safeguarding lead"
    )
    head.refresh_from_db()
    assert head.is_safeguarding_lead

    lead_page.context.clear_cookies()
    sign_in(lead_page, senior)
    lead_page.goto("/safeguarding/")
    expect(lead_page.get_by_role("region", name="New alerts")).to_contain_text(
        f"New designated safeguarding lead: {head.display_name}"
    )
    expect(lead_page.get_by_role("heading", name="New designated leads to review")).to_be_visible()
    lead_screenshot("lead-reviews")
    lead_page.get_by_role("button", name=f"Reviewed designation of {head.display_name}").click()
    expect(lead_page.get_by_role("heading", name="New designated leads to review")).to_have_count(0)
