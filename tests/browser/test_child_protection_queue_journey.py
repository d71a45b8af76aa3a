"""The leads' queue in a real browser: a child in immediate danger at the top, marked, then new
concerns, then the longest waiting; a closed concern is found under Closed concerns; a caseworker
raising a concern sees who the leads are and the number to ring now."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from safeguarding import services
from tests.browser.conftest import sign_in
from tests.safeguarding.test_queue_order import raise_one

pytestmark = pytest.mark.browser


def test_urgency_first_closed_ones_findable_and_the_leads_named(
    browser_page, lead_page, screenshot, lead_screenshot, caseworker, senior, case
):
    senior.work_phone = "01632 960111"
    senior.save()
    closed = raise_one(caseworker, case, "closed one", minutes_ago=900)
    services.record_discussion(
        senior, closed, participants="Lee", senior_manager=senior, held_at=timezone.now(), decision="nfa"
    )
    closed.refresh_from_db()
    assert closed.status == closed.Status.CLOSED  # no further action closes it
    raise_one(caseworker, case, "waiting longest", minutes_ago=300)
    raise_one(caseworker, case, "the child is in danger", minutes_ago=5, danger=True)

    lead = lead_page
    sign_in(lead, senior)
    lead.get_by_role("navigation").get_by_role("link", name="Child protection").click()
    rows = lead.get_by_role("region", name="Open concerns").get_by_role("row")
    expect(rows).to_have_count(3)  # the header and two open concerns
    expect(rows.nth(1)).to_contain_text("Immediate danger")
    expect(rows.nth(2)).to_contain_text("New")
    expect(rows.nth(2)).not_to_contain_text("Immediate danger")
    lead_screenshot("queue")
    lead.get_by_role("link", name="Closed concerns").click()
    raised = timezone.localtime(closed.raised_at).strftime("%-d %b %Y, %H:%M")
    expect(lead.get_by_role("main").get_by_role("link", name=raised)).to_be_visible()
    lead_screenshot("closed")

    page = browser_page
    sign_in(page, caseworker)
    page.goto(f"/cases/{case.pk}/concerns/new/")
    leads = page.locator(".app-leads-to-reach")
    expect(leads).to_contain_text(senior.display_name)
    expect(leads.get_by_role("link", name="01632 960111")).to_have_attribute("href", "tel:01632960111")
    screenshot("raise-names-the-leads")
