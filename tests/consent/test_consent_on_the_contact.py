"""Oral consent is recorded on the contact log (R3, policy 002): consent given during a call is
linked to that call and shows on it in the case timeline, with who recorded it."""

from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from consent.models import Consent
from tests.dates import dated
from tests.factories import contact_details, make_case


def a_call(by, case, minutes_ago=5):
    details = contact_details(case.service)
    details.occurred_at = timezone.now() - timezone.timedelta(minutes=minutes_ago)
    return case_services.log_case_contact(by=by, case=case, details=details, notes="A call")


def consent_form(**overrides):
    data = {
        "method": "oral_phone",
        "given_on": timezone.localdate().isoformat(),
        "parent_was_told": "We will tell the school about the meeting.",
        "recipients": ["school"],
        "named_organisation": "",
    }
    data.update(overrides)
    return data


def test_consent_given_on_a_call_shows_on_that_call_in_the_timeline(as_caseworker, caseworker, case):
    earlier = a_call(caseworker, case, minutes_ago=60 * 24 * 3)
    call = a_call(caseworker, case)
    url = reverse("consent:consent_record", args=[case.pk])

    page = as_caseworker.get(url).content.decode()
    # The call the parent is on now is offered first, and chosen already.
    assert f'value="{call.pk}" selected' in page and f'value="{earlier.pk}"' in page

    response = as_caseworker.post(url, dated(consent_form(contact=str(call.pk))))

    assert response.status_code == 302
    consent = Consent.objects.get(case=case)
    assert consent.contact == call and consent.recorded_by == caseworker
    timeline = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert (
        "given during this contact (orally, on a phone call), recorded by " + caseworker.display_name
        in timeline
    )
    assert "Recorded by " + caseworker.display_name in timeline  # the side panel says who, too


def test_consent_not_given_during_a_contact_has_its_own_timeline_entry(as_caseworker, caseworker, case):
    response = as_caseworker.post(
        reverse("consent:consent_record", args=[case.pk]), dated(consent_form(method="email", contact=""))
    )
    assert response.status_code == 302
    timeline = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Consent to share recorded" in timeline and "by email" in timeline


def test_a_contact_of_another_case_cannot_be_chosen(as_caseworker, caseworker, case):
    other_case = make_case(caseworker, first_name="Other", last_name="Household")
    other_call = a_call(caseworker, other_case)
    a_call(caseworker, case)

    response = as_caseworker.post(
        reverse("consent:consent_record", args=[case.pk]), dated(consent_form(contact=str(other_call.pk)))
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a contact from the list" in page
    assert "We will tell the school about the meeting." in page
    assert not Consent.objects.filter(case=case).exists()
