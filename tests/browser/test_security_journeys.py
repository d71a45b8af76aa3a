"""In a real browser: the emailed password-reset link (its token after "#", posted by the page's
script), a conflicting edit of a parent, and setting up an app again with an enrolment code."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cases.models import Parent
from pps import enrolment, otp
from pps.models import AuthenticatorApp
from tests.browser.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.browser
NEW_PASSWORD = "violet kettle marching orchard"


def test_the_reset_link_opens_choose_a_new_password_with_no_token_in_the_address(
    browser_page, screenshot, caseworker, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = browser_page
    page.goto("/sign-in/forgotten-password/")
    page.get_by_label("Username or email address").fill(caseworker.username)
    page.get_by_role("button", name=re.compile("Send")).click()
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group()
    assert "#" in link and "token" not in link.split("#")[0]
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert "token" not in page.url and "#" not in page.url
    screenshot("choose-a-new-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name=re.compile("Password changed"))).to_be_visible()
    caseworker.refresh_from_db()
    assert caseworker.check_password(NEW_PASSWORD)


def test_a_conflicting_edit_shows_what_is_saved_now_and_keeps_what_was_typed(
    browser_page, screenshot, caseworker, case
):
    page = browser_page
    sign_in(page, caseworker, PASSWORD)
    page.goto(f"/parents/{case.parent.pk}/edit/")
    # Meanwhile a colleague allows detailed messages.
    parent = Parent.objects.get(pk=case.parent.pk)
    parent.detailed_message_ok = True
    parent.version += 1
    parent.save()
    page.get_by_role("textbox", name="Phone").fill("07700 900999")
    page.get_by_role("textbox", name="Why are you changing these details?").fill("New phone number")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#edit-conflict")).to_contain_text("What is saved now")
    expect(page.get_by_role("textbox", name="Phone")).to_have_value("07700 900999")
    screenshot("edit-conflict")


def test_setting_up_a_new_app_after_a_reset_asks_for_the_enrolment_code(browser_page, screenshot, caseworker):
    otp.create_demo_device(caseworker)
    from pps import services

    services.agree_to_policy(caseworker, services.policy_to_agree(caseworker))
    code = enrolment.reset_second_factor(caseworker)
    page = browser_page
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(caseworker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your enrolment code")).to_be_visible()
    screenshot("enrolment-code")
    page.get_by_label("Enrolment code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    device = AuthenticatorApp.objects.get(user=caseworker, confirmed=False)
    page.get_by_label("Code").fill(otp.code_for(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
