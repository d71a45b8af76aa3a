"""The head of service looks after staff accounts in a real browser: a lost authenticator reset
(the person is signed out, emailed, and sets up a new app with the enrolment code), a role
changed, and a leaver's account closed (signed out at once and taken off their cases)."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, set_up_authenticator, sign_in
from tests.factories import make_case

pytestmark = pytest.mark.browser


def open_account(page, member):
    page.goto(reverse("staff:staff_account", args=[member.pk]))
    expect(page.get_by_role("heading", name=member.display_name, level=1)).to_be_visible()


def test_a_lost_authenticator_is_reset_and_set_up_again_with_the_enrolment_code(
    browser_page, lead_page, screenshot, lead_screenshot, head, caseworker
):
    their = lead_page
    sign_in(their, caseworker)
    page = browser_page
    sign_in(page, head)
    open_account(page, caseworker)
    page.get_by_role("button", name="Reset their authenticator app").click()
    page.get_by_role("button", name="Reset the authenticator app").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Tick the box to confirm you have checked who is asking"
    )
    page.get_by_label(re.compile(f"^I have checked that it is {caseworker.display_name}")).check()
    page.get_by_role("button", name="Reset the authenticator app").click()
    expect(page.get_by_role("heading", name="Authenticator app removed")).to_be_visible()
    code = page.locator(".app-enrolment-code").inner_text().strip()
    screenshot("enrolment-code")
    assert mail.outbox[-1].to == [caseworker.email]
    assert code not in mail.outbox[-1].body  # the code goes by phone or in person, never by email

    their.reload()
    expect(their).to_have_url(re.compile(r"/sign-in/"))  # signed out everywhere
    their.get_by_label("Username").fill(caseworker.username)
    their.get_by_label("Password").fill(PASSWORD)
    their.get_by_role("button", name="Sign in").click()
    expect(their.get_by_role("heading", name="Enter your enrolment code", level=1)).to_be_visible()
    their.get_by_label("Enrolment code").fill("WRONG-CODE")
    their.get_by_role("button", name="Continue").click()
    expect(their.locator(".govuk-error-summary")).to_be_visible()
    their.get_by_label("Enrolment code").fill(code)
    their.get_by_role("button", name="Continue").click()
    lead_screenshot("new-app")
    set_up_authenticator(their)
    expect(their.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    open_account(page, caseworker)
    expect(page.get_by_role("main")).to_contain_text(
        f"Authenticator app removed (reset), by {head.display_name}"
    )


def test_a_role_is_changed_and_a_leavers_account_is_closed(
    browser_page, lead_page, screenshot, head, caseworker, second_caseworker
):
    make_case(second_caseworker)
    make_case(second_caseworker)
    leaver = lead_page
    sign_in(leaver, second_caseworker)
    page = browser_page
    sign_in(page, head)

    open_account(page, caseworker)
    page.get_by_role("link", name="Change role").click()
    page.get_by_label("Senior manager").check()
    page.get_by_role("button", name="Change role").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{caseworker.display_name} is now a senior manager."
    )

    open_account(page, second_caseworker)
    page.get_by_role("button", name="Close their account").click()
    page.get_by_role("button", name="Close the account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Tick the box to confirm the account is to be closed"
    )
    page.get_by_label(f"{second_caseworker.display_name} has left, or must no longer reach anything").check()
    page.get_by_role("button", name="Close the account").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "they are signed out and taken off 2 cases"
    )
    screenshot("closed")

    leaver.reload()
    expect(leaver).to_have_url(re.compile(r"/sign-in/"))
    leaver.get_by_label("Username").fill(second_caseworker.username)
    leaver.get_by_label("Password").fill(PASSWORD)
    leaver.get_by_role("button", name="Sign in").click()
    expect(leaver.get_by_role("heading", name="Dashboard", level=1)).to_have_count(0)
    expect(leaver.locator(".govuk-error-summary")).to_be_visible()
