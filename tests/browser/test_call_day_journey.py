"""A caseworker on a live call, in a real browser: an NNG call in under 20 keystrokes; a call
that turns into "add a parent" typed once; search results that survive Back; follow-ups that say
how to call back, marked done and undone."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case, Contact, Outcome, Topic
from cases.services import log_case_contact, log_nng_contact
from tests.browser.conftest import sign_in
from tests.factories import contact_details, make_case

pytestmark = pytest.mark.browser

CONSENT = "I have told the parent why we keep information about them, and they agreed"


class Keyboard:
    """Presses keys as a person would, counting each one (Tab, Space, Enter, each character)."""

    def __init__(self, page: Page):
        self.page, self.count = page, 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)


def test_an_nng_call_is_logged_in_under_20_keystrokes(browser_page, screenshot, caseworker, service):
    transport = Topic.objects.get(service=service, name="Transport")
    for _ in range(3):  # the service's most-used topic lately: it comes first
        log_nng_contact(by=caseworker, details=contact_details(service, topics=[transport]))
    already = set(Contact.objects.values_list("pk", flat=True))
    page = browser_page
    sign_in(page, caseworker)

    page.goto("/contacts/new/")  # from here every key counts
    keys = Keyboard(page)
    expect(
        page.get_by_role("group", name="How did the contact happen?").get_by_label("Phone call")
    ).to_be_focused()
    keys.press("Tab", 3)  # who made it, who it was with: as pre-set; to time spent
    expect(page.get_by_label("Time spent (minutes)")).to_be_focused()
    keys.type("15")
    keys.press("Tab")  # to the outcomes
    keys.press("Space")  # the first: information given
    keys.press("Tab")  # to the topics, most used first
    expect(page.get_by_role("group", name="Topics").get_by_role("checkbox").first).to_have_accessible_name(
        "Transport"
    )
    keys.press("Space")
    screenshot("filled-in-by-keyboard")
    keys.press("Enter")

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Contact logged with no name given."
    )
    (contact,) = Contact.objects.exclude(pk__in=already)
    assert contact.is_nng and contact.channel == "phone" and contact.duration_minutes == 15
    assert [topic.name for topic in contact.topics.all()] == ["Transport"]
    assert contact.outcome == Outcome.objects.filter(service=service, is_active=True).first()
    assert abs(contact.occurred_at - timezone.now()) < timezone.timedelta(minutes=2)  # pre-filled with now
    assert keys.count < 20, f"{keys.count} keystrokes"


def test_a_call_becomes_a_parent_search_survives_back_and_follow_ups_say_how_to_call(
    browser_page, screenshot, caseworker, service
):
    known = make_case(caseworker, first_name="Ottoline", last_name="Brackenfield", phone="01632 960001")
    log_case_contact(
        by=caseworker, case=known, details=contact_details(service), follow_up_on=timezone.localdate()
    )
    page = browser_page
    sign_in(page, caseworker)

    # 5. Before calling back: the number, the preferred way and the message that may be left.
    follow_up = page.locator(".app-follow-ups__item").filter(has_text="Ottoline Brackenfield")
    expect(
        follow_up.get_by_role("link", name="Call Ottoline Brackenfield on 01632 960001")
    ).to_have_attribute("href", "tel:01632960001")
    expect(follow_up).to_contain_text("Prefers phone")
    expect(follow_up).to_contain_text("Simple message only")
    mark_done = follow_up.get_by_role(
        "button", name=re.compile(r"^Mark done\W+follow-up for Ottoline Brackenfield")
    )
    expect(mark_done).to_contain_text(known.reference)  # which follow-up it marks, for a screen reader
    mark_done.click()
    expect(follow_up.get_by_role("button", name="Undo")).to_be_visible()
    screenshot("follow-up-done")
    follow_up.get_by_role("button", name="Undo").click()
    expect(follow_up.get_by_role("button", name="Mark done")).to_be_visible()

    # 2. Search, open a result, come Back: the results again, no "Confirm Form Resubmission".
    page.get_by_role("link", name="Find a parent").first.click()
    page.get_by_label("Name, phone number, email or postcode").fill("brackenf")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/parents/results/[A-Za-z0-9_-]{12}/$"))
    assert "brack" not in page.url.lower()
    results_url = page.url
    expect(page.get_by_role("heading", name="1 parent found")).to_be_visible()
    screenshot("search-results")
    page.get_by_role("link", name="Ottoline Brackenfield", exact=True).click()
    expect(page.get_by_role("heading", name="Ottoline Brackenfield", level=1)).to_be_visible()
    page.go_back()
    expect(page).to_have_url(results_url)
    expect(page.get_by_role("heading", name="1 parent found")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="1 parent found")).to_be_visible()

    # 1. A call logged with no name given turns into "add a parent": nothing typed twice.
    page.get_by_role("button", name="Log a contact").click()
    page.get_by_role("group", name="How did the contact happen?").get_by_label("Video call").check()
    page.get_by_label("Time spent (minutes)").fill("35")
    page.get_by_role("group", name="Outcome").get_by_label("Advice given").check()
    page.get_by_role("group", name="Topics").get_by_label("Exclusion").check()
    page.get_by_role("button", name="Save, then add the parent").click()
    expect(page.get_by_role("heading", name="Add a parent", level=1)).to_be_visible()
    expect(page.locator("#carried-call")).to_contain_text("video call")
    expect(page.locator("#carried-call")).to_contain_text("35 minutes: Exclusion")
    page.get_by_label(CONSENT).check()
    page.get_by_role("textbox", name="First name", exact=True).first.fill("Hyacinth")
    page.get_by_role("textbox", name="Last name", exact=True).first.fill("Pendlebury")
    page.get_by_role("textbox", name="Phone", exact=True).fill("07700 900777")
    page.get_by_role("group", name="Preferred way of contact").get_by_label("Phone").check()
    page.get_by_role("group", name="Has parental responsibility").get_by_label("Yes").check()
    page.get_by_label("What the parent needs help with").fill("An exclusion appeal.")
    page.get_by_role("button", name="Save parent and open case").click()

    expect(page.get_by_role("heading", name="Log a contact", level=1)).to_be_visible()
    expect(page.locator("#carried-call")).to_contain_text("Filled in from the call you logged")
    expect(
        page.get_by_role("group", name="How did the contact happen?").get_by_label("Video call")
    ).to_be_checked()
    expect(page.get_by_label("Time spent (minutes)")).to_have_value("35")
    expect(page.get_by_role("group", name="Topics").get_by_label("Exclusion")).to_be_checked()
    expect(page.get_by_role("group", name="Outcome").get_by_label("Advice given")).to_be_checked()
    screenshot("first-contact-filled-in")
    page.get_by_label("Notes").fill("Exclusion on Friday; appeal letter to draft HYACINTH-NOTES.")
    page.get_by_role("button", name="Save contact").click()

    (case,) = [c for c in Case.objects.select_related("parent") if c.parent.last_name == "Pendlebury"]
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.get_by_role("listitem").filter(has_text="HYACINTH-NOTES")).to_contain_text(
        "Video call from the parent"
    )
    screenshot("case-with-first-contact")
    (contact,) = case.contacts.all()
    assert (
        contact.duration_minutes == 35
        and not Contact.objects.filter(case__isnull=True, duration_minutes=35).exists()
    )
