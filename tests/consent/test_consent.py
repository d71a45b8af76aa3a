"""Consent to share is recorded on a case, lasts the service's renewal period, and can be withdrawn."""

from datetime import date

import pytest
from auditlog import get_logentry_model
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.dates import add_months
from consent.models import Consent, Recipient
from tests.dates import dated

TOLD = "We will share the EHC request letter with the school. PLAINTEXT-TOLD"


def record(by, case, **overrides):
    values = {
        "method": Consent.Method.WRITTEN_MEETING,
        "parent_was_told": TOLD,
        "recipients": [Recipient.SCHOOL, Recipient.OTHER],
        "named_organisation": "Kent Autism Outreach",
    }
    values.update(overrides)
    return services.record_consent(by=by, case=case, **values)


def test_months_are_added_by_the_calendar():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 24), 12) == date(2027, 11, 24)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_a_written_permission_lasts_the_services_renewal_period(caseworker, case):
    case.service.consent_renewal_months = 6
    case.service.save()
    given = timezone.make_aware(timezone.datetime(2026, 5, 31, 10, 0))
    consent = record(caseworker, case, given_at=given)
    assert consent.expires_on == date(2026, 11, 30)
    assert consent.recorded_by == caseworker and consent.case == case and consent.parent == case.parent
    assert not consent.keeps_details


def test_oral_consent_on_a_call_also_gets_the_renewal_period(caseworker, case):
    consent = record(caseworker, case, method=Consent.Method.ORAL_PHONE)
    assert consent.expires_on == add_months(timezone.localdate(), 12)


def test_consent_is_valid_up_to_and_including_its_expiry_day(caseworker, case):
    consent = record(caseworker, case)
    assert consent.is_valid_on(consent.expires_on)
    assert not consent.is_valid_on(consent.expires_on + timezone.timedelta(days=1))
    assert not consent.is_valid_on(timezone.localdate() - timezone.timedelta(days=1))


def test_consent_covers_only_the_recipients_it_names(caseworker, case):
    consent = record(caseworker, case)
    assert consent.covers(Recipient.SCHOOL)
    assert not consent.covers(Recipient.HEALTH)
    assert consent.covers(Recipient.OTHER, " kent  autism outreach ")
    assert not consent.covers(Recipient.OTHER, "Another Charity")


def test_withdrawal_takes_effect_at_once(caseworker, case):
    consent = record(caseworker, case)
    services.withdraw_consent(by=caseworker, consent=consent, note="Phoned to withdraw. PLAINTEXT-NOTE")
    consent.refresh_from_db()
    assert consent.is_withdrawn and consent.withdrawn_by == caseworker
    assert not consent.is_valid_on(timezone.localdate())
    assert consent.status == "withdrawn"
    with pytest.raises(services.ConsentError, match="already withdrawn"):
        services.withdraw_consent(by=caseworker, consent=consent, note="again")


def test_other_organisation_needs_a_name(caseworker, case):
    with pytest.raises(services.ConsentError, match="Name the other organisation"):
        record(caseworker, case, named_organisation="")


def test_second_caseworker_cannot_record_or_withdraw_consent(caseworker, second_caseworker, case):
    from django.http import Http404

    with pytest.raises(Http404):
        record(second_caseworker, case)
    consent = record(caseworker, case)
    with pytest.raises(Http404):
        services.withdraw_consent(by=second_caseworker, consent=consent, note="no")
    consent.refresh_from_db()
    assert not consent.is_withdrawn


def test_every_consent_change_is_audited_without_plaintext(caseworker, case):
    entry = get_logentry_model()
    consent = record(caseworker, case)
    services.withdraw_consent(by=caseworker, consent=consent, note="Phoned to withdraw. PLAINTEXT-NOTE")
    entries = entry.objects.filter(object_pk=str(consent.pk))
    assert set(entries.values_list("action", flat=True)) >= {entry.Action.CREATE, entry.Action.UPDATE}
    for logged in entries:
        text = str(logged.changes) + str(logged.object_repr)
        assert "PLAINTEXT" not in text and "Kent Autism" not in text
    update = entries.get(action=entry.Action.UPDATE)
    assert "withdrawn_at" in update.changes_dict and "withdrawal_note" in update.changes_dict


def test_the_case_page_lists_consents_and_warns_without_a_valid_one(as_caseworker, caseworker, case):
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "No valid consent to share" in page
    consent = record(caseworker, case)
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "No valid consent to share" not in page
    assert "Kent Autism Outreach" in page and "The child&#x27;s school" in page
    assert reverse("consent:consent_withdraw", args=[consent.pk]) in page


def test_recording_consent_on_the_page(as_caseworker, case):
    url = reverse("consent:consent_record", args=[case.pk])
    response = as_caseworker.post(
        url,
        dated(
            {
                "method": "oral_phone",
                "given_on": timezone.localdate().isoformat(),
                "parent_was_told": TOLD,
                "recipients": ["school", "sen_team"],
            }
        ),
    )
    assert response.status_code == 302
    consent = Consent.objects.get(case=case)
    assert consent.recipients == ["school", "sen_team"] and consent.parent_was_told == TOLD


def test_bad_consent_input_keeps_what_was_typed(as_caseworker, case):
    url = reverse("consent:consent_record", args=[case.pk])
    response = as_caseworker.post(
        url,
        dated(
            {
                "method": "by pigeon",
                "given_on": "31/02/2026",
                "parent_was_told": "Told them about the school TYPED-TEXT",
                "recipients": ["other", "nonsense"],
                "named_organisation": "",
            },
            "given_on",
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "TYPED-TEXT" in page
    assert "Select how the parent gave consent" in page
    assert "must be a real date" in page
    assert not Consent.objects.filter(case=case).exists()


def test_other_organisation_without_a_name_is_refused_on_the_page(as_caseworker, case):
    url = reverse("consent:consent_record", args=[case.pk])
    data = {
        "method": "written_meeting",
        "given_on": timezone.localdate().isoformat(),
        "parent_was_told": TOLD,
        "recipients": ["other"],
    }
    response = as_caseworker.post(url, dated(data))
    assert response.status_code == 200
    assert "Name the other organisation" in response.content.decode()


def test_withdrawing_on_the_page(as_caseworker, caseworker, case):
    consent = record(caseworker, case)
    url = reverse("consent:consent_withdraw", args=[consent.pk])
    empty = as_caseworker.post(url, {"note": ""})
    assert empty.status_code == 200 and "Say how the parent withdrew" in empty.content.decode()
    assert as_caseworker.post(url, {"note": "Phoned to withdraw"}).status_code == 302
    consent.refresh_from_db()
    assert consent.is_withdrawn
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Withdrawn" in page and "No valid consent to share" in page
