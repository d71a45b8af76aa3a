"""R2: a parent's details are kept only after they were told why and agreed; R5: only with
parental responsibility. Adding a parent opens their case and offers existing records first."""

import pytest
from django.urls import reverse

from cases.models import Case, Child, Parent
from consent.models import Consent
from tests.dates import dated
from tests.factories import make_case

URL = reverse("cases:parent_new")


def form_data(**overrides):
    data = {
        "consent-consent_confirmed": "on",
        "consent-consent_method": "oral_phone",
        "parent-first_name": "Priya",
        "parent-last_name": "Okonkwo-Smith",
        "parent-phone": "07700 900456",
        "parent-email": "priya@example.org",
        "parent-address": "1 Example Road\nMaidstone",
        "parent-postcode": "me14 1xx",
        "parent-preferred_contact": "phone",
        "parent-parental_responsibility": "yes",
        "child-TOTAL_FORMS": "1",
        "child-INITIAL_FORMS": "0",
        "child-MIN_NUM_FORMS": "0",
        "child-MAX_NUM_FORMS": "12",
        "child-0-first_name": "Tomasz",
        "child-0-last_name": "Okonkwo-Smith",
        "child-0-date_of_birth": "2016-05-04",
        "child-0-school": "Oakfield Primary School",
        "child-0-need": "SLCN",
        "child-0-provision": "ehc_plan",
        "case-summary": "Wants help preparing for the EHC plan annual review.",
    }
    data.update(overrides)
    return dated({key: value for key, value in data.items() if value is not None}, "child-0-date_of_birth")


def test_it_saves_the_parent_consent_children_and_opens_a_case(as_caseworker, caseworker):
    response = as_caseworker.post(URL, form_data())
    parent = Parent.objects.get()
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:case_contact_log", args=[case.pk])
    assert parent.full_name == "Priya Okonkwo-Smith"
    assert parent.postcode == "ME14 1XX"
    assert parent.detailed_message_ok is False
    consent = Consent.objects.get()
    assert consent.parent == parent and consent.keeps_details
    assert consent.recorded_by == caseworker and consent.method == "oral_phone"
    assert consent.parent_was_told == caseworker.service.why_we_keep_statement
    child = Child.objects.get()
    assert (child.first_name, child.need, child.provision) == ("Tomasz", "SLCN", "ehc_plan")
    assert case.parent == parent and case.is_open and case.opened_by == caseworker
    assert caseworker.has_perm("cases.view_case", case)
    assert "Case opened" in as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()


def test_without_consent_nothing_is_saved_and_what_was_typed_stays(as_caseworker):
    response = as_caseworker.post(URL, form_data(**{"consent-consent_confirmed": None}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Confirm that the parent was told why we keep information and agreed" in page
    assert 'value="Priya"' in page and "Okonkwo-Smith" in page and "Tomasz" in page
    assert "Wants help preparing for the EHC plan annual review." in page
    assert Parent.objects.count() == 0 and Consent.objects.count() == 0 and Case.objects.count() == 0


def test_the_form_shows_the_services_statement(as_caseworker, service):
    page = as_caseworker.get(URL).content.decode()
    assert service.why_we_keep_statement[:60] in page
    assert "log the contact with no name given" in page


def test_a_parent_without_parental_responsibility_is_refused(as_caseworker):
    response = as_caseworker.post(URL, form_data(**{"parent-parental_responsibility": "no"}))
    assert response.status_code == 200
    assert "only for parents with parental responsibility" in response.content.decode()
    assert Parent.objects.count() == 0


def test_a_child_is_optional(as_caseworker):
    data = form_data()
    for key in [k for k in data if k.startswith("child-0-")]:
        data[key] = ""
    data["child-0-provision"] = "none"
    assert as_caseworker.post(URL, data).status_code == 302
    assert Child.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"parent-first_name": ""}, "Enter the parent&#x27;s first name"),
        ({"parent-email": "not an email"}, "Enter an email address like name@example.com"),
        ({"parent-first_name": "x" * 100_001}, "Ensure this value has at most 100 characters"),
        ({"parent-last_name": "Null\x00Byte"}, "Null characters are not allowed"),
        ({"parent-preferred_contact": "email", "parent-email": ""}, "Give an email address"),
        ({"child-0-date_of_birth": "2099-01-01"}, "The date of birth must be in the past"),
        ({"child-0-date_of_birth": "31/02/2020"}, "Date of birth must be a real date"),
        ({"child-0-need": "XYZ"}, "Select a valid choice"),
        ({"case-summary": ""}, "Say briefly what the parent needs help with"),
        ({"child-TOTAL_FORMS": "5000"}, "Add at most 12 children at once"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(as_caseworker, overrides, message):
    response = as_caseworker.post(URL, form_data(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert Parent.objects.count() == 0


def test_unicode_and_markup_are_kept_and_shown_escaped(as_caseworker):
    response = as_caseworker.post(
        URL,
        form_data(
            **{"parent-first_name": "Zoë 👩‍👧 \u202eevil", "parent-last_name": "<script>alert(1)</script>"}
        ),
    )
    assert response.status_code == 302
    parent = Parent.objects.get()
    assert parent.first_name == "Zoë 👩‍👧 \u202eevil"
    page = as_caseworker.get(reverse("cases:parent_detail", args=[parent.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_existing_parent_is_offered_before_a_duplicate_is_made(as_caseworker, case):
    data = form_data(
        **{"parent-first_name": "Sarah", "parent-last_name": "Jones", "parent-phone": "07700 900999"}
    )
    response = as_caseworker.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Is this the same parent?" in page
    assert reverse("cases:parent_detail", args=[case.parent.pk]) in page
    assert Parent.objects.count() == 1
    response = as_caseworker.post(URL, {**data, "confirm_new": "1"})
    assert response.status_code == 302
    assert [p.full_name for p in Parent.objects.all()] == ["Sarah Jones", "Sarah Jones"]


def test_going_back_from_is_this_the_same_parent_keeps_what_was_typed(as_caseworker, case):
    data = form_data(**{"parent-first_name": "Sarah", "parent-last_name": "Jones", "case-summary": "Ruxpin"})
    page = as_caseworker.post(URL, data).content.decode()
    assert 'name="change_details"' in page and 'value="Ruxpin"' in page  # carried, not lost
    back = as_caseworker.post(URL, {**data, "change_details": "1"}).content.decode()
    assert '<h1 class="govuk-heading-xl">Add a parent</h1>' in back and "Ruxpin" in back
    assert "There is a problem" not in back
    assert Parent.objects.count() == 1


def test_a_parent_known_only_to_a_colleague_is_not_revealed_as_a_duplicate(second_caseworker, case):
    from tests.conftest import client_for

    data = form_data(**{"parent-first_name": "Sarah", "parent-last_name": "Jones"})
    response = client_for(second_caseworker).post(URL, data)
    assert response.status_code == 302
    assert "Is this the same parent?" not in response.content.decode()


def test_the_search_page_hands_what_was_typed_to_the_new_parent_form(as_caseworker):
    response = as_caseworker.post(URL, {"from_search": "Nadia Rahman"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Nadia"' in page and 'value="Rahman"' in page
    assert "There is a problem" not in page


def test_make_case_factory_registers_like_the_form(caseworker):
    case = make_case(caseworker)
    assert case.parent.consents.get().keeps_details
    assert case.parent.search_tokens.exists()


def test_using_the_existing_parent_opens_the_case_on_their_record(as_caseworker, case):
    data = form_data(
        **{"parent-first_name": "Sarah", "parent-last_name": "Jones", "use_parent": str(case.parent.pk)}
    )
    response = as_caseworker.post(URL, data)
    assert response.status_code == 302
    assert Parent.objects.count() == 1
    new_case = case.parent.cases.exclude(pk=case.pk).get()
    assert new_case.summary == "Wants help preparing for the EHC plan annual review."
    assert response.url == reverse("cases:case_contact_log", args=[new_case.pk])


def test_a_parent_one_may_not_reach_cannot_be_used(second_caseworker, case):
    from tests.conftest import client_for

    data = form_data(**{"use_parent": str(case.parent.pk)})
    assert client_for(second_caseworker).post(URL, data).status_code == 404
    assert case.parent.cases.count() == 1


def test_a_forged_count_of_children_builds_no_more_than_twelve_forms():
    from cases.forms import ChildFormSet

    formset = ChildFormSet({"child-TOTAL_FORMS": "5000", "child-INITIAL_FORMS": "0"}, prefix="child")
    assert len(formset.forms) == 12
    assert not formset.is_valid()


def test_no_personal_data_travels_in_a_messages_cookie_or_sits_in_the_session(as_caseworker, case):
    from django.contrib.sessions.models import Session

    data = form_data(**{"use_parent": str(case.parent.pk)})
    response = as_caseworker.post(URL, data)
    assert response.status_code == 302
    assert "messages" not in response.cookies
    stored = "".join(str(session.get_decoded()) for session in Session.objects.all())
    assert "opened on the parent" in stored  # the message waits on the server
    for personal in (case.parent.first_name, case.parent.last_name, case.parent.full_name):
        assert personal not in stored
    page = as_caseworker.get(response.url).content.decode()
    assert "opened on the parent&#x27;s existing record" in page
