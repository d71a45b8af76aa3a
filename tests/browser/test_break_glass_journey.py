"""Break glass in a real browser (SECURITY control 27): a senior manager who is not a designated
lead opens a case's child-protection file by stating a reason; the lead is alerted, sees the
opening on the file and in the queue, and reviews it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from safeguarding import services
from safeguarding.models import BreakGlassAccess
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

CANARY = "CANARY-MARIGOLD: the child said nobody collects him from school"
WHY = "Social care are on the phone now about this family and both leads are on leave today."


def test_a_senior_manager_breaks_glass_and_the_lead_reviews_it(
    browser_page,
    lead_page,
    screenshot,
    lead_screenshot,
    caseworker,
    senior,
    non_lead_senior,
    case,
):
    concern = services.raise_concern(
        by=caseworker,
        case=case,
        child=case.parent.children.get(),
        what=CANARY,
        happened_at=timezone.now() - timezone.timedelta(hours=1),
    )
    page = browser_page
    sign_in(page, non_lead_senior)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_text(CANARY)).to_have_count(0)
    page.get_by_role("link", name="open it by break glass").click()
    expect(page.get_by_role("heading", name="Open the child-protection file", level=1)).to_be_visible()
    page.get_by_label("Explain why it cannot wait for a designated lead").fill("Now")
    page.get_by_role("button", name="Open the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select why you need to open the file")
    expect(page.get_by_label("Explain why it cannot wait for a designated lead")).to_have_value("Now")
    assert not BreakGlassAccess.objects.exists()

    page.get_by_label("Social care or the police are asking about a referral now").check()
    page.get_by_label("Explain why it cannot wait for a designated lead").fill(WHY)
    screenshot("break-glass-form")
    page.get_by_role("button", name="Open the file").click()
    expect(page.get_by_role("heading", name="Child-protection file", level=1)).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text("You opened this file by break glass")
    expect(page.locator(".app-break-glass")).to_contain_text(non_lead_senior.display_name)
    screenshot("case-file")
    page.get_by_role("row").nth(1).get_by_role("link").click()
    expect(page.get_by_role("main")).to_contain_text(CANARY)
    screenshot("concern-opened-by-break-glass")

    lead = lead_page
    sign_in(lead, senior)
    banner = lead.locator(".govuk-notification-banner").filter(has_text="child-protection alert")
    expect(banner).to_contain_text(re.compile(r"You have 2 new child-protection alerts"))
    lead.get_by_role("navigation").get_by_role("link", name=re.compile("Child protection")).click()
    openings = lead.get_by_role("table").filter(has_text="Opened")
    expect(openings).to_contain_text(non_lead_senior.display_name)
    expect(openings).to_contain_text(WHY)
    lead_screenshot("queue-with-opening")
    lead.get_by_role(
        "link", name=str(timezone.localtime(concern.raised_at).strftime("%-d %b %Y, %H:%M"))
    ).click()
    expect(lead.locator(".app-break-glass")).to_contain_text("To review")
    lead.get_by_role("link", name="Child-protection concerns").click()
    lead.get_by_role("button", name=re.compile("Reviewed")).click()
    expect(lead.get_by_text("Marked as reviewed.")).to_be_visible()
    expect(lead.get_by_role("heading", name="Break-glass openings to review")).to_have_count(0)
    opening = BreakGlassAccess.objects.get()
    assert opening.reviewed_by == senior and opening.opened_by == non_lead_senior
