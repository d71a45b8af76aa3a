"""A training case study in a real browser (R14): a senior manager makes it from a case, checks
the highlighted words and submits it; the head of service approves it; a caseworker reads it
under Training, with nothing of the family in it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services as case_services
from tests.browser.conftest import sign_in
from tests.factories import contact_details, make_case
from training.models import CaseStudy

pytestmark = pytest.mark.browser


@pytest.fixture
def case_with_history(caseworker):
    case = make_case(
        caseworker,
        first_name="Bethany",
        last_name="Okonkwo",
        phone="07700 900456",
        summary="Bethany wants help because the council refused to assess Kai for an EHC plan.",
    )
    child = case.parent.children.get()
    child.first_name, child.school = "Kai", "Hillview Primary School"
    case_services.update_child(by=caseworker, child=child)
    notes = [
        (
            20,
            "Bethany rang: the council refused to assess Kai. Hillview Primary School says he is "
            "“not bad enough”. Explained the right to appeal and the two-month time limit.",
        ),
        (
            12,
            "Met Mrs Okonkwo and the SENCO, Mrs Quillfeather, at Hillview on {meeting}. Kai's reading age is "
            "well behind. Agreed to ask for mediation; call back on 07700 900456.",
        ),
        (
            3,
            "Mediation held with Ottokar from the SEN team. The council agreed to assess Kai. "
            "Bethany relieved; sent the timeline for the assessment to beth@example.org.",
        ),
    ]
    meeting = (timezone.localdate() - timezone.timedelta(days=12)).strftime("%d/%m/%Y")
    for days_ago, text in notes:
        case_services.log_case_contact(
            by=caseworker,
            case=case,
            details=contact_details(
                case.service, occurred_at=timezone.now() - timezone.timedelta(days=days_ago)
            ),
            notes=text.format(meeting=meeting),
        )
    return case


def test_a_case_study_is_made_approved_by_a_second_senior_and_read_by_a_caseworker(
    browser_page, lead_page, screenshot, lead_screenshot, caseworker, senior, head, case_with_history
):
    page = browser_page
    sign_in(page, senior)
    page.goto(f"/cases/{case_with_history.pk}/")
    page.get_by_role("button", name="Make a training case study").click()
    expect(page.get_by_role("heading", name="Check the case study", level=1)).to_be_visible()
    main = page.get_by_role("main")
    for value in ("Bethany", "Okonkwo", "Kai", "Hillview", "07700", "beth@example.org"):
        expect(main.locator(".app-case-study__preview")).not_to_contain_text([value])
        for box in main.locator("textarea").all():
            assert value not in box.input_value()
    expect(main).to_contain_text("Parent A")
    screenshot("draft-with-highlights")
    expect(main.locator("mark.app-check").filter(has_text="Ottokar")).to_have_count(1)

    # "Ottokar" is a name the system could not know (no made-up staff name is one): the senior
    # manager takes it out.
    entry = main.locator("textarea").filter(has_text="Ottokar")
    entry.fill(entry.input_value().replace("Ottokar from the SEN team", "an officer of the SEN team"))
    page.get_by_label("Points for discussion").fill(
        "What would you have told Parent A about the time limit for an appeal?"
    )
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    expect(main.locator("mark.app-check").filter(has_text="Ottokar")).to_have_count(0)

    page.get_by_role("button", name="Save and submit for approval").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you have checked")
    page.get_by_label(re.compile("I have checked every highlighted word")).check()
    page.get_by_role("button", name="Save and submit for approval").click()
    expect(page.get_by_text("Submitted. Another senior manager")).to_be_visible()
    expect(page.get_by_role("heading", name="Approve for training")).to_have_count(0)  # not by its maker
    screenshot("submitted")

    head_page = lead_page
    sign_in(head_page, head)
    head_page.get_by_role("navigation").get_by_role("link", name="Training").click()
    head_page.get_by_role("link", name="EHC needs assessment: a case study").click()
    expect(head_page.get_by_role("heading", name="Approve for training")).to_be_visible()
    lead_screenshot("to-approve")
    head_page.get_by_label(re.compile("I have read it all")).check()
    head_page.get_by_role("button", name="Approve for training").click()
    expect(head_page.get_by_text("Approved. It is now listed under Training")).to_be_visible()
    study = CaseStudy.objects.get()
    assert study.status == CaseStudy.Status.APPROVED and study.approved_by == head

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, caseworker)
    page.get_by_role("navigation").get_by_role("link", name="Training").click()
    expect(page.get_by_role("heading", name="Training", level=1)).to_be_visible()
    screenshot("training-list")
    page.get_by_role("link", name="EHC needs assessment: a case study").click()
    expect(page.get_by_role("heading", name="EHC needs assessment: a case study", level=1)).to_be_visible()
    expect(main).to_contain_text("What would you have told Parent A")
    expect(main).to_contain_text("an officer of the SEN team")
    # A name with a title that the system does not know (no staff member can be called this).
    expect(main).to_contain_text("Person 1")
    expect(main.locator("mark")).to_have_count(0)
    text = main.inner_text()
    for value in (
        "Bethany",
        "Okonkwo",
        "Kai",
        "Hillview",
        "Quillfeather",
        "Ottokar",
        "07700",
        "beth@example.org",
        "3/10",
    ):
        assert value not in text
    screenshot("read-by-caseworker")
