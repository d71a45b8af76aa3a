"""A long case file in a real browser: the newest 20 entries, then "Show older" brings the next 20
into the page without leaving it, and the keyboard carries on from the first of them."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.cases.test_timeline_pages import add_contacts
from tests.factories import make_case

pytestmark = pytest.mark.browser


def test_show_older_adds_the_next_entries_and_moves_focus_to_the_first_of_them(
    browser_page, screenshot, caseworker
):
    case = make_case(caseworker)
    case.events.update(at=timezone.now() - timezone.timedelta(days=60))  # opened before the calls
    add_contacts(case, caseworker, 45)  # with "Case opened": 46 entries
    page = browser_page
    sign_in(page, caseworker)
    page.goto(reverse("cases:case_detail", args=[case.pk]))
    entries = page.locator(".app-timeline__item")
    expect(entries).to_have_count(20)
    expect(page.get_by_text("Call 20 QUOKKA")).to_be_visible()
    expect(page.get_by_text("Call 21 QUOKKA")).to_have_count(0)

    show_older = page.get_by_role("link", name="Show older entries of the timeline")
    show_older.focus()
    page.keyboard.press("Enter")
    expect(entries).to_have_count(40)
    assert "shown=" not in page.url  # fetched into the page, not a new page
    first_older = page.locator("#timeline-entry-20")
    expect(first_older).to_be_focused()
    expect(first_older).to_contain_text("Call 21 QUOKKA")
    screenshot("older-entries")

    page.get_by_role("link", name="Show older entries of the timeline").click()
    expect(entries).to_have_count(46)
    expect(page.locator("#timeline-entry-40")).to_be_focused()
    expect(page.get_by_text("Case opened")).to_be_visible()
    expect(page.get_by_role("link", name="Show older entries of the timeline")).to_have_count(0)
