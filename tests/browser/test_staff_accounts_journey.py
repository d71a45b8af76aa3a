"""The head of service adds a member of staff in a real browser; the new person follows the
emailed link, chooses a password, sets up their authenticator app and signs in."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import agree_to_the_policy, set_up_authenticator, sign_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "tangerine lighthouse quarrel 7"


def test_the_head_adds_a_member_who_sets_up_their_account_and_signs_in(
    browser_page, lead_page, screenshot, lead_screenshot, head
):
    page = browser_page
    sign_in(page, head)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Manage").click()
    page.get_by_role("link", name="Staff accounts").click()
    page.get_by_role("button", name="Add a member of staff").click()
    page.get_by_label("First name").fill("Ottoline")
    page.get_by_label("Last name").fill("Quarrendon")
    page.get_by_label("Username").fill("ottoline.q")
    page.get_by_label("Email address").fill("ottoline@pps.example")
    page.get_by_label("Volunteer (Independent Parental Supporter)").check()
    screenshot("add-a-member")
    page.get_by_role("button", name="Add and send the set-up link").click()
    expect(page.get_by_role("main")).to_contain_text("Ottoline Quarrendon is added")
    expect(page.get_by_role("main")).to_contain_text("Waiting for set-up")
    screenshot("added")

    link = re.search(r"https?://\S+", mail.outbox[-1].body).group()
    new = lead_page
    new.goto(link)
    expect(new.get_by_role("heading", name="Choose your password", level=1)).to_be_visible()
    assert "token" not in new.url
    new.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    new.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    lead_screenshot("choose-password")
    new.get_by_role("button", name="Save my password").click()
    expect(new.get_by_role("heading", name="Your password is saved", level=1)).to_be_visible()
    new.get_by_role("button", name="Sign in").click()
    new.get_by_label("Username").fill("ottoline.q")
    new.get_by_label("Password").fill(NEW_PASSWORD)
    new.get_by_role("button", name="Sign in").click()
    lead_screenshot("set-up-authenticator")
    set_up_authenticator(new)
    agree_to_the_policy(new)
    expect(new.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    page.reload()
    expect(page.get_by_role("main")).to_contain_text("Password chosen from the set-up link")
