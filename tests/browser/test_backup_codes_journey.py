"""Backup codes in a real browser: made on "Your account", then used to sign in without the app."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.browser


def test_a_caseworker_makes_backup_codes_and_signs_in_with_one(browser_page, screenshot, caseworker):
    page = browser_page
    sign_in(page, caseworker, PASSWORD)
    page.get_by_role("link", name=re.compile("Your account")).click()
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("0 left")
    page.get_by_role("button", name="Make new backup codes").click()
    expect(page.get_by_role("heading", name="Your new backup codes")).to_be_visible()
    codes = page.locator(".app-backup-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code) for code in codes)
    screenshot("backup-codes")

    page.get_by_role("button", name="Sign out").click()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(caseworker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Use a backup code instead").click()
    page.get_by_label("Backup code").fill(codes[0])
    screenshot("use-a-backup-code")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    page.get_by_role("link", name=re.compile("Your account")).click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("9 left")
    screenshot("account")
