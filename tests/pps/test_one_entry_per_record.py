"""One request writes one ACCESS entry per record it shows or changes (R8): the page records the
read, and the service function it calls checks reach without recording it again. Each action
here is sent as a person would send it, with a valid form, and must succeed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from consent import services as consent_services
from safeguarding import services as safeguarding_services
from tests.cases.test_case_work import contact_form
from tests.conftest import client_for
from tests.consent.test_consent_on_the_contact import consent_form
from tests.consent.test_disclosure import consent_for
from tests.consent.test_disclosure import form_data as disclosure_form
from tests.dates import dated
from tests.factories import contact_details, make_case
from tests.pps.test_every_url import access_entries_of_one_request


def assert_each_record_once(user, client, url, data):
    response, written = access_entries_of_one_request(user, lambda: client.post(url, data))
    assert response.status_code == 302, response.content.decode()[:2000]
    records = [(content_type, pk) for content_type, pk, _ in written]
    assert written and len(records) == len(set(records)), sorted(written)
    return written


def test_logging_a_contact(caseworker, case, service):
    url = reverse("cases:case_contact_log", args=[case.pk])
    written = assert_each_record_once(caseworker, client_for(caseworker), url, contact_form(service))
    assert [how for _, _, how in written] == ["log contact"]


@pytest.mark.parametrize("action", ["case_close", "case_reopen"])
def test_closing_and_reopening(caseworker, case, action):
    if action == "case_reopen":
        case_services.close_case(by=caseworker, case=case, reason="Done")
    url = reverse(f"cases:{action}", args=[case.pk])
    assert_each_record_once(caseworker, client_for(caseworker), url, {"reason": "A reason"})


def test_putting_someone_on_a_case(senior, second_caseworker, case):
    url = reverse("cases:case_assign", args=[case.pk])
    assert_each_record_once(senior, client_for(senior), url, {"staff": second_caseworker.pk})


def test_a_refused_assignment_shows_the_case_page_recording_the_case_once(senior, caseworker, case):
    other = make_case(senior, first_name="Mark", last_name="Jones")
    case_services.link_separated_parents(by=senior, case=case, other=other)
    client = client_for(senior)
    url = reverse("cases:case_assign", args=[other.pk])
    response, written = access_entries_of_one_request(
        senior, lambda: client.post(url, {"staff": caseworker.pk})
    )
    assert response.status_code == 200
    case_entries = [entry for entry in written if entry[1] == str(other.pk)]
    assert len(case_entries) == 1, written


def test_linking_separated_parents(senior, case):
    other = make_case(senior, first_name="Mark", last_name="Jones")
    url = reverse("cases:case_link", args=[case.pk])
    written = assert_each_record_once(senior, client_for(senior), url, {"reference": other.reference})
    assert {pk for _, pk, _ in written} >= {str(case.pk), str(other.pk)}


def test_marking_a_follow_up_done(caseworker, case, service):
    contact = case_services.log_case_contact(
        by=caseworker, case=case, details=contact_details(service), follow_up_on=timezone.localdate()
    )
    url = reverse("cases:follow_up_done", args=[contact.pk])
    assert_each_record_once(caseworker, client_for(caseworker), url, {})


def test_recording_and_withdrawing_consent(caseworker, case):
    client = client_for(caseworker)
    url = reverse("consent:consent_record", args=[case.pk])
    assert_each_record_once(caseworker, client, url, dated(consent_form(method="email")))
    consent = case.consents.get()
    url = reverse("consent:consent_withdraw", args=[consent.pk])
    assert_each_record_once(caseworker, client, url, {"note": "On the phone"})


def test_recording_a_disclosure(caseworker, case):
    consent = consent_for(caseworker, case)
    url = reverse("consent:disclosure_record", args=[case.pk])
    assert_each_record_once(
        caseworker, client_for(caseworker), url, dated(disclosure_form(consent=str(consent.pk)))
    )


def test_breaking_glass_and_its_review(non_lead_senior, senior, case):
    url = reverse("safeguarding:break_glass", args=[case.pk])
    data = {"reason": "agency", "explanation": "Social care are on the phone about this family now."}
    assert_each_record_once(non_lead_senior, client_for(non_lead_senior), url, data)
    opening = safeguarding_services.openings_to_review(senior).get()
    url = reverse("safeguarding:break_glass_review", args=[opening.pk])
    assert_each_record_once(senior, client_for(senior), url, {})


def test_recording_that_the_statement_was_given(caseworker, case):
    url = reverse("consent:statement_sent_record", args=[case.pk])
    data = dated({"how": "meeting", "sent_on": timezone.localdate().isoformat()})
    assert_each_record_once(caseworker, client_for(caseworker), url, data)


def test_a_referral_is_taken_on(caseworker):
    from tests.consent.test_referrals import make_referral

    referral = make_referral(caseworker)
    consent_services.record_referral_consent(
        by=caseworker,
        referral=referral,
        method="oral_phone",
        at=timezone.now() - timezone.timedelta(minutes=5),
    )
    url = reverse("consent:referral_convert", args=[referral.pk])
    response, written = access_entries_of_one_request(caseworker, lambda: client_for(caseworker).post(url))
    assert response.status_code == 200
    assert len(written) == len({(t, pk) for t, pk, _ in written}), written
