"""A child-protection concern in a real browser (R6): a caseworker raises a concern during a call;
the designated lead sees it in the queue, records the discussion and a referral; the caseworker
sees only the status."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consent.models import Disclosure
from safeguarding.models import Concern
from tests.browser.conftest import fill_date, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
CANARY = "CANARY-PIMPERNEL: Mum said the child has a burn on his hand and is scared to go home"
SPOKEN_TO = "Jo Duty, MASH duty social worker"
THEIR_REFERENCE = "MASH-2026-0417"
SHARED = "What the mother told us about the burn, and the child's school."


def minutes_ago(minutes: int):
    return timezone.localtime() - timezone.timedelta(minutes=minutes)


def test_a_concern_goes_to_the_lead_and_the_caseworker_sees_only_its_status(
    browser_page, lead_page, screenshot, lead_screenshot, caseworker, senior, case
):
    child = case.parent.children.get()

    # The caseworker, on a call with the parent, raises a concern from the case page.
    page = browser_page
    sign_in(page, caseworker, PASSWORD)
    page.get_by_role("table", name="Your open cases").get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", name="Sarah Jones", level=1)).to_be_visible()
    page.get_by_role("link", name="Raise a child-protection concern").click()
    expect(page.get_by_role("heading", name="Raise a child-protection concern", level=1)).to_be_visible()
    page.get_by_label("Which child is it about?").select_option(label=child.full_name)
    page.get_by_label("What was said or seen").fill(CANARY)
    fill_date(page, "When it happened", minutes_ago(10))
    screenshot("raise-a-concern")
    page.get_by_role("button", name="Raise concern").click()

    concern = Concern.objects.get()
    expect(page).to_have_url(re.compile(rf"/concerns/{concern.pk}/receipt/$"))
    expect(page.get_by_role("heading", name="Concern received", level=1)).to_be_visible()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Concern received by the designated safeguarding leads."
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text("New")
    assert "CANARY" not in page.content()
    screenshot("receipt")

    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("link", name=re.compile("You raised a concern on"))).to_be_visible()
    expect(page.locator("#child-protection")).to_contain_text("New")
    assert "CANARY" not in page.content()
    expect(page.locator("main")).not_to_contain_text("CANARY")
    screenshot("case-page-after-raising")
    assert concern.child == child and concern.raised_by == caseworker
    assert not case.contacts.exists()

    # The lead finds it in the queue, oldest first, with how long it has waited.
    lead = lead_page
    sign_in(lead, senior, PASSWORD)
    lead.get_by_role("navigation").get_by_role("link", name="Child protection").click()
    expect(lead.get_by_role("heading", name="Child-protection concerns", level=1)).to_be_visible()
    row = lead.get_by_role("row").filter(has_text=case.reference)
    expect(row).to_contain_text(re.compile(r"Just now|\d+\s+minutes?"))
    expect(row).to_contain_text("New")
    assert "CANARY" not in lead.content()
    lead_screenshot("queue")
    # On a 320-pixel screen the queue scrolls inside its own region; the page does not go sideways.
    lead.set_viewport_size({"width": 320, "height": 800})
    assert lead.evaluate("document.documentElement.scrollWidth") <= 320
    expect(lead.get_by_role("region", name="Open concerns")).to_be_visible()
    lead_screenshot("queue-320")
    lead.set_viewport_size({"width": 1280, "height": 900})
    row.get_by_role("link").first.click()

    expect(lead.get_by_role("heading", name=re.compile("Child-protection concern"), level=1)).to_contain_text(
        "New"
    )
    expect(lead.get_by_role("main")).to_contain_text(CANARY)
    expect(lead.get_by_role("main")).to_contain_text(child.full_name)

    # The internal discussion, then the referral to children's social care.
    lead.get_by_label("Who took part", exact=True).fill("Lee (designated lead) and Casey (caseworker)")
    lead.get_by_label("Senior manager or designated lead who took part").select_option(
        label=senior.display_name
    )
    fill_date(lead, "When the discussion took place", minutes_ago(5))
    lead.get_by_role("group", name="What was decided").get_by_label("Refer to social care").check()
    lead.get_by_label("Notes").fill("Threshold met: refer to the MASH today.")
    lead.get_by_role("button", name="Record discussion").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("Discussion recorded.")
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Discussed")

    lead.get_by_role("group", name="Referred to").get_by_label("Children's social care").check()
    fill_date(lead, "Date and time of the referral", minutes_ago(2))
    lead.get_by_role("group", name="How", exact=True).get_by_label("Phone", exact=False).first.check()
    lead.get_by_label("Person spoken to").fill(SPOKEN_TO)
    lead.get_by_label("Their reference").fill(THEIR_REFERENCE)
    lead.get_by_label("What was shared").fill(SHARED)
    lead.get_by_role("button", name="Record referral").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("Referral recorded")
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Referred")
    expect(lead.get_by_role("main")).to_contain_text(THEIR_REFERENCE)
    lead_screenshot("referred")

    concern.refresh_from_db()
    assert concern.status == Concern.Status.REFERRED
    referral = concern.referrals.get()
    assert referral.disclosure.basis == Disclosure.Basis.CHILD_PROTECTION
    assert Disclosure.objects.filter(case=case, basis=Disclosure.Basis.CHILD_PROTECTION).count() == 1

    # The caseworker sees the new status, and nothing of the concern or the referral.
    page.goto(f"/concerns/{concern.pk}/receipt/")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Referred")
    content = page.content()
    for secret in ("CANARY", SPOKEN_TO, THEIR_REFERENCE, SHARED, "social care"):
        assert secret not in content
    screenshot("receipt-referred")

    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("#child-protection")).to_contain_text("Referred")
    content = page.content()
    for secret in ("CANARY", SPOKEN_TO, THEIR_REFERENCE, SHARED, "Child protection"):
        assert secret not in content
    screenshot("case-page-referred")


def test_a_caller_who_gives_no_name_raises_a_concern_in_a_new_tab_and_the_contact_is_kept(
    browser_page, screenshot, caseworker, senior
):
    page = browser_page
    sign_in(page, caseworker, PASSWORD)
    page.get_by_role("button", name="Log a contact").click()
    page.get_by_label("Time spent (minutes)").fill("10")
    with page.context.expect_page() as new_tab:
        page.get_by_role("link", name="Raise a child-protection concern from this call").click()
    tab = new_tab.value
    expect(tab.get_by_role("heading", name="Raise a child-protection concern from a call")).to_be_visible()
    tab.get_by_label("The child's name, if the caller gave it").fill("Tom")
    tab.get_by_label("Who called, if they said").fill("a neighbour")
    tab.get_by_label("What was said or seen").fill(CANARY)
    fill_date(tab, "When it happened", minutes_ago(15))
    screenshot("raise-from-a-call")
    tab.get_by_role("button", name="Raise concern").click()
    expect(tab.get_by_role("heading", name="Concern received")).to_be_visible()
    concern = Concern.objects.get()
    assert concern.case is None and concern.child_name == "Tom"
    expect(page.get_by_role("heading", name="Log a contact", level=1)).to_be_visible()
    expect(page.get_by_label("Time spent (minutes)")).to_have_value("10")
