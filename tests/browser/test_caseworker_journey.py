"""A caseworker's day, in a real browser: sign in, log an anonymous call, add a parent with their
consent, work their case, and find them again.

Each step is its own test with its own data, so that one broken page does not hide the others.
Screenshots of every page go to var/screenshots/.
"""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case, Contact, Parent
from cases.services import log_case_contact
from tests.browser.conftest import agree_to_the_policy, fill_date, set_up_authenticator
from tests.browser.conftest import sign_in as browser_sign_in
from tests.factories import contact_details

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
CONSENT = "I have told the parent why we keep information about them, and they agreed"


def sign_in(page: Page, user) -> None:
    browser_sign_in(page, user, PASSWORD)


def parent_field(page: Page, label: str):
    """The parent's own field on "Add a parent" (the children's fieldsets have the same labels)."""
    return page.get_by_role("textbox", name=label, exact=True).and_(page.locator("[name^='parent-']"))


def success_banner(page: Page):
    return page.locator(".govuk-notification-banner--success")


def test_a_caseworker_signs_in_to_their_open_cases_follow_ups_and_recent_contacts(
    browser_page, screenshot, caseworker, case, service
):
    log_case_contact(
        by=caseworker,
        case=case,
        details=contact_details(service),
        notes="Talked through the EHC needs assessment request.",
        follow_up_on=timezone.localdate(),
    )
    page = browser_page

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/$"))
    screenshot("sign-in")
    page.get_by_label("Username").fill(caseworker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    screenshot("second-factor-set-up")
    set_up_authenticator(page)
    screenshot("confidentiality-policy")
    agree_to_the_policy(page)

    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    open_cases = page.get_by_role("table", name="Your open cases")
    expect(open_cases.get_by_role("link", name=case.reference)).to_be_visible()
    expect(open_cases).to_contain_text("Sarah Jones")
    follow_up = page.get_by_role("listitem").filter(has_text="Sarah Jones").filter(has_text="Today")
    expect(follow_up.get_by_role("button", name="Mark done")).to_be_visible()
    # Marked done in place, and undone, without leaving the dashboard (htmx).
    follow_up.get_by_role("button", name="Mark done").click()
    done = page.locator(".app-follow-ups__item").filter(has_text="Sarah Jones")
    expect(done.get_by_role("button", name="Undo")).to_be_visible()
    expect(done).to_contain_text("Done")
    done.get_by_role("button", name="Undo").click()
    expect(done.get_by_role("button", name="Mark done")).to_be_visible()
    recent = page.get_by_role("table", name="Your recent contacts")
    expect(recent.get_by_role("link", name="Sarah Jones")).to_be_visible()
    screenshot("dashboard")


def test_alt_shift_l_opens_log_a_contact_where_a_call_is_logged_with_no_name(
    browser_page, screenshot, caseworker
):
    page = browser_page
    sign_in(page, caseworker)
    # app.js marks the page once it has run, and so once the shortcut listens.
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))

    page.keyboard.press("Alt+Shift+L")

    expect(page).to_have_url(re.compile(r"/contacts/new/$"))
    expect(page.get_by_role("heading", name="Log a contact", level=1)).to_be_visible()
    main = page.get_by_role("main")
    expect(main.locator("input[name*='name'], input[type=tel], input[type=email], textarea")).to_have_count(0)
    personal = re.compile(r"name|phone|email|address|postcode", re.I)
    expect(main.get_by_role("textbox", name=personal)).to_have_count(0)
    screenshot("log-a-contact")

    page.get_by_role("group", name="How did the contact happen?").get_by_label("Phone").check()
    page.get_by_role("group", name="Topics").get_by_label("Transport").check()
    page.get_by_label("Time spent (minutes)").fill("10")
    page.get_by_role("group", name="Outcome").get_by_label("Information given").check()
    screenshot("filled-in")
    page.get_by_role("button", name="Save contact").click()

    expect(success_banner(page)).to_contain_text("Contact logged with no name given.")
    expect(page.get_by_role("heading", name="Log a contact", level=1)).to_be_visible()
    screenshot("confirmation")
    contact = Contact.objects.get()
    assert contact.case is None
    assert (contact.channel, contact.duration_minutes, contact.outcome.name) == (
        "phone",
        10,
        "Information given",
    )
    assert [topic.name for topic in contact.topics.all()] == ["Transport"]


def test_a_parent_is_added_only_with_their_consent_and_their_case_opens(browser_page, screenshot, caseworker):
    page = browser_page
    sign_in(page, caseworker)
    page.get_by_role("button", name="Log a contact").click()
    page.get_by_role("link", name="add them as a parent").click()
    expect(page.get_by_role("heading", name="Add a parent", level=1)).to_be_visible()
    screenshot("add-a-parent")

    parent_field(page, "First name").fill("Priya")
    parent_field(page, "Last name").fill("Sharma")
    page.get_by_role("button", name="Save parent and open case").click()

    expect(page.get_by_role("alert").first).to_contain_text(
        "Confirm that the parent was told why we keep information and agreed"
    )
    expect(parent_field(page, "First name")).to_have_value("Priya")
    expect(parent_field(page, "Last name")).to_have_value("Sharma")
    screenshot("no-consent")
    assert not Parent.objects.exists()

    page.get_by_label(CONSENT).check()
    page.get_by_role("group", name="How did they agree?").get_by_label("Orally, on a phone call").check()
    parent_field(page, "Phone").fill("07700 900456")
    parent_field(page, "Email").fill("priya.sharma@example.org")
    parent_field(page, "Address").fill("4 Orchard Way\nMaidstone")
    parent_field(page, "Postcode").fill("me15 6ab")
    page.get_by_role("group", name="Preferred way of contact").get_by_label("Phone").check()
    page.get_by_role("group", name="Has parental responsibility").get_by_label("Yes").check()

    first_child = page.get_by_role("group", name="Child 1")
    first_child.get_by_label("First name").fill("Aarav")
    fill_date(first_child, "Date of birth", date(2016, 5, 4))
    first_child.get_by_label("School or setting").fill("Oakwood Primary School")
    first_child.get_by_label("Primary type of need").select_option(label="Autistic spectrum disorder (ASD)")
    first_child.get_by_role("group", name="SEN provision").get_by_label("SEN support").check()
    page.get_by_role("button", name="Add another child").click()
    second_child = page.get_by_role("group", name="Child 2")
    second_child.get_by_label("First name").fill("Maya")
    fill_date(second_child, "Date of birth", date(2019, 9, 12))
    page.get_by_label("What the parent needs help with").fill(
        "Aarav's school has refused an EHC needs assessment."
    )
    screenshot("filled-in")
    page.get_by_role("button", name="Save parent and open case").click()

    (case,) = [c for c in Case.objects.select_related("parent") if c.parent.last_name == "Sharma"]
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/contacts/new/$"))
    expect(page.get_by_role("heading", name="Log a contact", level=1)).to_be_visible()
    expect(success_banner(page)).to_contain_text(f"Parent saved and case {case.reference} opened.")
    expect(page.get_by_text(f"Case {case.reference} · Priya Sharma")).to_be_visible()
    screenshot("case-log-a-contact")
    assert case.parent.consents.count() == 1
    assert sorted(child.first_name for child in case.parent.children.all()) == ["Aarav", "Maya"]


def test_a_call_shows_on_the_case_timeline_and_the_case_is_closed_and_reopened(
    browser_page, screenshot, caseworker, case
):
    page = browser_page
    sign_in(page, caseworker)
    page.get_by_role("table", name="Your open cases").get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", name="Sarah Jones", level=1)).to_contain_text("Open")
    page.get_by_role("link", name="Log a contact on this case").click()
    expect(page.get_by_role("heading", name="Log a contact", level=1)).to_be_visible()

    follow_up = timezone.localdate() + timezone.timedelta(days=7)
    page.get_by_role("group", name="How did the contact happen?").get_by_label("Phone").check()
    page.get_by_role("group", name="Who made the contact?").get_by_label("To the parent").check()
    page.get_by_label("Time spent (minutes)").fill("20")
    page.get_by_role("group", name="Topics").get_by_label("EHC needs assessment", exact=True).check()
    page.get_by_label("Notes").fill("Explained how to ask for a needs assessment. Sending the model letter.")
    page.get_by_role("group", name="Outcome").get_by_label("Follow-up arranged").check()
    fill_date(page, "Follow-up date (optional)", follow_up)
    screenshot("log-a-call")
    page.get_by_role("button", name="Save contact").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(success_banner(page)).to_contain_text("Contact logged.")
    call = page.get_by_role("listitem").filter(has_text="Sending the model letter.")
    expect(call).to_contain_text("Phone call to the parent")
    expect(call).to_contain_text(f"Follow up by {follow_up:%-d %b %Y}")
    screenshot("case-timeline")

    page.get_by_role("link", name="Close case").click()
    expect(page.get_by_role("heading", name="Close the case", level=1)).to_be_visible()
    page.get_by_label("Reason").fill("The LA agreed to assess; the parent needs nothing more for now.")
    screenshot("close")
    page.get_by_role("button", name="Close case").click()

    expect(page.get_by_role("heading", name="Sarah Jones", level=1)).to_contain_text("Closed")
    closed = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Case closed"))
    expect(closed).to_contain_text("Reason: The LA agreed to assess; the parent needs nothing more for now.")
    screenshot("closed")

    page.get_by_role("link", name="Reopen case").click()
    page.get_by_label("Reason").fill("The parent called back: the LA has missed its deadline.")
    page.get_by_role("button", name="Reopen case").click()

    expect(page.get_by_role("heading", name="Sarah Jones", level=1)).to_contain_text("Open")
    reopened = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Case reopened"))
    expect(reopened).to_contain_text("Reason: The parent called back: the LA has missed its deadline.")
    screenshot("reopened")


def test_a_parent_is_found_by_surname_or_phone_and_offered_before_being_added_twice(
    browser_page, screenshot, caseworker, case
):
    page = browser_page
    sign_in(page, caseworker)
    page.get_by_role("link", name="Find a parent").click()
    search_box = page.get_by_label("Name, phone number, email or postcode")

    search_box.fill("Jon")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 parent found")).to_be_visible()
    expect(page.get_by_role("link", name="Sarah Jones", exact=True)).to_be_visible()
    screenshot("found-by-surname")

    search_box.fill("07700900123")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 parent found")).to_be_visible()
    expect(page.get_by_role("link", name="Sarah Jones", exact=True)).to_be_visible()
    screenshot("found-by-phone")

    page.get_by_role("button", name="Add a new parent").click()
    expect(page.get_by_role("heading", name="Add a parent", level=1)).to_be_visible()
    expect(parent_field(page, "Phone")).to_have_value("07700900123")
    page.get_by_label(CONSENT).check()
    parent_field(page, "First name").fill("Sarah")
    parent_field(page, "Last name").fill("Jones")
    page.get_by_role("group", name="Preferred way of contact").get_by_label("Phone").check()
    page.get_by_role("group", name="Has parental responsibility").get_by_label("Yes").check()
    page.get_by_label("What the parent needs help with").fill("A question about school transport.")
    page.get_by_role("button", name="Save parent and open case").click()

    expect(page.get_by_role("heading", name="Is this the same parent?", level=1)).to_be_visible()
    use = page.get_by_role("button", name="Yes, use Sarah Jones's record and open the case")
    expect(use).to_be_visible()
    screenshot("already-known")
    assert Parent.objects.count() == 1

    use.click()
    new_case = case.parent.cases.exclude(pk=case.pk).get()
    expect(page).to_have_url(re.compile(rf"/cases/{new_case.pk}/contacts/new/$"))
    expect(success_banner(page)).to_contain_text("opened on the parent's existing record")
    assert Parent.objects.count() == 1
    assert new_case.summary == "A question about school transport."
