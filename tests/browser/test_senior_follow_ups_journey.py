"""A senior's dashboard in a real browser: the follow-ups due across the service say whose each is,
can be marked done and undone in place, and the list says when it shows only the first 20."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from tests.browser.conftest import sign_in
from tests.factories import contact_details, make_case

pytestmark = pytest.mark.browser


def test_a_senior_sees_whose_follow_ups_are_due_and_marks_one_done(
    browser_page, screenshot, caseworker, senior
):
    case = make_case(caseworker, first_name="Ottoline", last_name="Brackenfield")
    services.log_case_contact(
        by=caseworker, case=case, details=contact_details(case.service), follow_up_on=timezone.localdate()
    )
    others = make_case(caseworker)
    for day in range(20):
        services.log_case_contact(
            by=caseworker,
            case=others,
            details=contact_details(case.service),
            follow_up_on=timezone.localdate() + timezone.timedelta(days=1 + day % 5),
        )
    page = browser_page
    sign_in(page, senior)
    follow_up = page.locator(".app-follow-ups__item").filter(has_text="Ottoline Brackenfield")
    expect(follow_up).to_contain_text(f"{caseworker.display_name}'s")
    expect(follow_up.locator(".govuk-tag")).to_have_text("Today")  # the most urgent first
    expect(
        page.get_by_text("Showing the first 20 of 21 follow-ups due, the most urgent first.")
    ).to_be_visible()
    screenshot("dashboard")

    follow_up.get_by_role(
        "button", name=re.compile(r"^Mark done\W+follow-up for Ottoline Brackenfield")
    ).click()
    expect(follow_up.locator(".govuk-tag")).to_have_text("Done")
    follow_up.get_by_role("button", name=re.compile(r"^Undo\W+follow-up for Ottoline Brackenfield")).click()
    expect(follow_up.locator(".govuk-tag")).to_have_text("Today")
    page.reload()
    expect(page.locator(".app-follow-ups__item").filter(has_text="Ottoline Brackenfield")).to_contain_text(
        "Today"
    )
