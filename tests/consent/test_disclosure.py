"""A disclosure is recorded only on a valid basis, and the refusal says which problem there is."""

import pytest
from auditlog import get_logentry_model
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import Consent, Disclosure, Recipient
from tests.dates import dated
from tests.factories import make_case

WHAT = "The EHC needs assessment request letter. PLAINTEXT-WHAT"


def consent_for(by, case, *, recipients=("school",), **overrides):
    values = {
        "method": Consent.Method.WRITTEN_MEETING,
        "parent_was_told": "We will share the letter with the school.",
        "recipients": list(recipients),
        "named_organisation": "Kent Autism Outreach" if "other" in recipients else "",
        # A day before, so that a disclosure dated an hour ago is covered whatever the time of day.
        "given_at": timezone.now() - timezone.timedelta(days=1),
    }
    values.update(overrides)
    return services.record_consent(by=by, case=case, **values)


def disclose(by, case, **overrides):
    values = {
        "what": WHAT,
        "recipient": Recipient.SCHOOL,
        "organisation": "Oakwood Primary School",
        "when": timezone.now() - timezone.timedelta(minutes=5),
        "how": Disclosure.How.EMAIL,
        "basis": Disclosure.Basis.CONSENT,
    }
    values.update(overrides)
    return services.record_disclosure(by=by, case=case, **values)


def test_a_disclosure_with_valid_consent_is_recorded_and_shown_on_the_timeline(
    as_caseworker, caseworker, case
):
    consent = consent_for(caseworker, case)
    disclosure = disclose(caseworker, case, consent=consent)
    assert disclosure.consent == consent and disclosure.disclosed_by == caseworker
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Shared with Oakwood Primary School" in page
    assert "PLAINTEXT-WHAT" in page
    assert "The parent&#x27;s consent" in page


def test_no_consent_is_refused(caseworker, case):
    with pytest.raises(services.ConsentError, match="has not given consent to share"):
        disclose(caseworker, case, consent=None)
    assert not Disclosure.objects.exists()


def test_consent_is_valid_on_its_expiry_day_and_refused_the_day_after(caseworker, case):
    consent = consent_for(caseworker, case, given_at=timezone.now() - timezone.timedelta(days=400))
    last_day = consent.expires_on
    on_the_day = timezone.make_aware(timezone.datetime.combine(last_day, timezone.datetime.min.time()))
    on_the_day = on_the_day.replace(hour=23, minute=30)
    assert disclose(caseworker, case, consent=consent, when=on_the_day)
    day_after = on_the_day + timezone.timedelta(hours=1)
    with pytest.raises(services.ConsentError, match=f"expired on {last_day.day} {last_day:%B %Y}"):
        disclose(caseworker, case, consent=consent, when=day_after)
    assert Disclosure.objects.count() == 1


def test_withdrawn_consent_is_refused_at_once(caseworker, case):
    consent = consent_for(caseworker, case)
    assert disclose(caseworker, case, consent=consent)
    services.withdraw_consent(by=caseworker, consent=consent, note="Phoned")
    with pytest.raises(services.ConsentError, match="withdrew this consent"):
        disclose(caseworker, case, consent=consent)
    # Not even for a moment before the withdrawal: it takes effect at once.
    with pytest.raises(services.ConsentError, match="withdrew this consent"):
        disclose(caseworker, case, consent=consent, when=timezone.now() - timezone.timedelta(days=1))


def test_a_recipient_the_consent_does_not_cover_is_refused(caseworker, case):
    consent = consent_for(caseworker, case, recipients=("school", "other"))
    with pytest.raises(services.ConsentError, match="does not cover sharing with health"):
        disclose(caseworker, case, consent=consent, recipient=Recipient.HEALTH)
    with pytest.raises(services.ConsentError, match="covers Kent Autism Outreach only"):
        disclose(caseworker, case, consent=consent, recipient=Recipient.OTHER, organisation="Other Charity")
    assert disclose(
        caseworker, case, consent=consent, recipient=Recipient.OTHER, organisation="kent autism outreach"
    )


def test_a_consent_of_another_case_is_refused(caseworker, case):
    other_case = make_case(caseworker)
    consent = consent_for(caseworker, other_case)
    with pytest.raises(services.ConsentError, match="not given on this case"):
        disclose(caseworker, case, consent=consent)


def test_a_legal_obligation_needs_its_reference(caseworker, case):
    with pytest.raises(services.ConsentError, match="Give the legal reference"):
        disclose(caseworker, case, basis=Disclosure.Basis.LEGAL_OBLIGATION)
    disclosure = disclose(
        caseworker, case, basis=Disclosure.Basis.LEGAL_OBLIGATION, legal_reference="Court order 123/2026"
    )
    assert disclosure.consent is None and disclosure.legal_reference == "Court order 123/2026"


def test_child_protection_goes_through_the_child_protection_file(caseworker, case):
    with pytest.raises(services.ConsentError, match="from the child-protection file"):
        disclose(caseworker, case, basis=Disclosure.Basis.CHILD_PROTECTION)


def test_a_disclosure_cannot_be_recorded_by_someone_not_on_the_case(caseworker, second_caseworker, case):
    from django.http import Http404

    consent = consent_for(caseworker, case)
    with pytest.raises(Http404):
        disclose(second_caseworker, case, consent=consent)


def test_every_disclosure_is_audited_without_plaintext(caseworker, case):
    entry = get_logentry_model()
    disclosure = disclose(
        caseworker, case, basis=Disclosure.Basis.LEGAL_OBLIGATION, legal_reference="PLAINTEXT-REF"
    )
    created = entry.objects.get(object_pk=str(disclosure.pk), action=entry.Action.CREATE)
    assert created.actor is None or created.actor == caseworker
    text = str(created.changes) + created.object_repr
    assert "PLAINTEXT" not in text and "Oakwood" not in text
    assert "what" in created.changes_dict and "basis" in created.changes_dict


def form_data(**overrides):
    when = timezone.localtime() - timezone.timedelta(hours=1)
    data = {
        "what": WHAT,
        "recipient": "school",
        "organisation": "Oakwood Primary School",
        "date": when.strftime("%Y-%m-%d"),
        "time": when.strftime("%H:%M"),
        "how": "email",
        "basis": "consent",
    }
    data.update(overrides)
    return data


def test_recording_a_disclosure_on_the_page(as_caseworker, caseworker, case):
    consent = consent_for(caseworker, case)
    url = reverse("consent:disclosure_record", args=[case.pk])
    page = as_caseworker.get(url).content.decode()
    assert "covers The child&#x27;s school" in page
    response = as_caseworker.post(url, dated(form_data(consent=str(consent.pk))))
    assert response.status_code == 302
    assert Disclosure.objects.get(case=case).consent == consent


def test_the_page_shows_the_refusal_and_keeps_what_was_typed(as_caseworker, caseworker, case):
    consent = consent_for(caseworker, case)
    url = reverse("consent:disclosure_record", args=[case.pk])
    response = as_caseworker.post(url, dated(form_data(recipient="health", consent=str(consent.pk))))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "does not cover sharing with health" in page
    assert "PLAINTEXT-WHAT" in page and "Oakwood Primary School" in page
    assert not Disclosure.objects.exists()


def test_the_page_without_any_consent_says_so(as_caseworker, case):
    url = reverse("consent:disclosure_record", args=[case.pk])
    assert "This case has no valid consent to share" in as_caseworker.get(url).content.decode()
    response = as_caseworker.post(url, dated(form_data()))
    assert "has not given consent to share" in response.content.decode()


def test_bad_disclosure_input_is_refused_without_an_error_page(as_caseworker, caseworker, case):
    consent_for(caseworker, case)
    url = reverse("consent:disclosure_record", args=[case.pk])
    bad = form_data(
        recipient="aliens", how="pigeon", basis="whim", consent="not-a-uuid", date="2026-13-40", time="25:99"
    )
    response = as_caseworker.post(url, dated(bad))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select who the information was shared with" in page
    assert "Select one of this case&#x27;s valid consents" in page
    assert "must be a real date" in page and "PLAINTEXT-WHAT" in page
    response = as_caseworker.post(url, dated(form_data(consent="00000000-0000-0000-0000-000000000000")))
    assert response.status_code == 200
    assert not Disclosure.objects.exists()


def test_a_withdrawn_consent_is_not_offered_on_the_page(as_caseworker, caseworker, case):
    consent = consent_for(caseworker, case)
    services.withdraw_consent(by=caseworker, consent=consent, note="Phoned")
    url = reverse("consent:disclosure_record", args=[case.pk])
    assert str(consent.pk) not in as_caseworker.get(url).content.decode()
    response = as_caseworker.post(url, dated(form_data(consent=str(consent.pk))))
    assert "withdrew this consent" in response.content.decode()


def test_the_case_page_records_who_saw_its_consents_and_disclosures(as_caseworker, caseworker, case):
    entry = get_logentry_model()
    consent = consent_for(caseworker, case)
    disclosure = disclose(caseworker, case, consent=consent)
    as_caseworker.get(reverse("cases:case_detail", args=[case.pk]))
    seen = set(
        entry.objects.filter(action=entry.Action.ACCESS, actor=caseworker).values_list("object_pk", flat=True)
    )
    assert {str(consent.pk), str(disclosure.pk)} <= seen


def test_a_refusal_on_the_page_names_an_expired_consent(as_caseworker, caseworker, case):
    consent_for(caseworker, case, given_at=timezone.now() - timezone.timedelta(days=400))
    url = reverse("consent:disclosure_record", args=[case.pk])

    response = as_caseworker.post(url, dated(form_data()))

    page = response.content.decode()
    assert response.status_code == 200
    assert "The parent&#x27;s consent expired on" in page
    assert "has not given consent to share" not in page
    assert "PLAINTEXT-WHAT" in page
    assert not Disclosure.objects.exists()


def test_a_refusal_on_the_page_names_a_withdrawn_consent(as_caseworker, caseworker, case):
    consent = consent_for(caseworker, case)
    services.withdraw_consent(by=caseworker, consent=consent, note="Changed their mind")
    url = reverse("consent:disclosure_record", args=[case.pk])

    page = as_caseworker.post(url, dated(form_data())).content.decode()

    assert "The parent withdrew this consent on" in page
    assert not Disclosure.objects.exists()


def test_a_valid_consent_not_chosen_is_named(as_caseworker, caseworker, case):
    consent_for(caseworker, case)
    url = reverse("consent:disclosure_record", args=[case.pk])

    page = as_caseworker.post(url, dated(form_data())).content.decode()

    assert "Select the consent this disclosure relies on" in page
    assert not Disclosure.objects.exists()
