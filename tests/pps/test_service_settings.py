"""The head of service sees and changes the service's settings on one page; each change is
explained, audited and listed; bad values are refused with what was typed kept."""

import pytest
from auditlog import get_logentry_model
from django.urls import reverse

from pps.models import Service
from tests.conftest import client_for

URL = reverse("service_settings")


def settings_form(service, **overrides):
    data = {
        "phone": service.phone,
        "address": "1 Council Offices\nMaidstone ME14 1XX",
        "consent_renewal_months": "12",
        "retention_months_after_closure": "12",
        "child_protection_retention_years": "25",
        "nng_allowed": "True",
        "why_we_keep_statement": service.why_we_keep_statement,
        "idle_timeout_minutes": "15",
        "contact_correction_days": "14",
        "document_max_megabytes": "20",
    }
    data.update(overrides)
    return data


def test_the_head_sees_every_setting_explained(head):
    page = client_for(head).get(URL).content.decode()
    for words in (
        "Months a consent to share lasts",
        "Months a household is kept after its last case closed",
        "Years a child-protection file is kept",
        "Contacts may be logged with no name given",
        "Minutes before an idle session locks",
        "office phone number",
        "Never a member of staff",
    ):
        assert words.lower() in page.lower()
    assert "Service settings" in client_for(head).get(reverse("cases:staff_list")).content.decode()


def test_a_change_takes_effect_is_audited_and_listed(head, service):
    client = client_for(head)
    response = client.post(
        URL, settings_form(service, retention_months_after_closure="24", nng_allowed="False")
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.retention_months_after_closure == 24 and service.nng_allowed is False
    entry = get_logentry_model().objects.filter(object_pk=str(service.pk), action=1).latest("timestamp")
    assert entry.actor == head
    assert [str(v) for v in entry.changes_dict["retention_months_after_closure"]] == ["12", "24"]
    page = client.get(URL).content.decode()
    assert "Recent changes" in page and head.display_name in page
    assert "Retention months after closure" in page or "retention months after closure" in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"consent_renewal_months": "0"}, "Enter a number from 1 to 36"),
        ({"idle_timeout_minutes": "600"}, "Enter a number from 5 to 30"),
        ({"retention_months_after_closure": "abc"}, "Enter a whole number from 1 to 240"),
        (
            {"retention_months_after_closure": "240", "child_protection_retention_years": "2"},
            "Keep child-protection files at least as long as the case file",
        ),
        ({"why_we_keep_statement": "x" * 6000}, "5,000 characters or fewer"),
    ],
)
def test_bad_values_are_refused_and_what_was_typed_is_kept(head, service, overrides, message):
    response = client_for(head).post(URL, settings_form(service, phone="01622 000111", **overrides))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "01622 000111" in page
    assert Service.objects.get(pk=service.pk).phone != "01622 000111"


@pytest.mark.parametrize("persona", ["senior", "non_lead_senior", "caseworker", "coordinator", "maintainer"])
def test_only_the_head_of_service_reaches_the_page(request, persona, service):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 404
    assert client.post(URL, settings_form(service, nng_allowed="False")).status_code == 404
    assert Service.objects.get(pk=service.pk).nng_allowed is True


def test_another_services_head_changes_only_their_own(other_service, service):
    from pps.models import Role, User

    other_head = User.objects.get(service=other_service, role=Role.HEAD_OF_SERVICE)
    client_for(other_head).post(URL, settings_form(other_service, retention_months_after_closure="6"))
    assert Service.objects.get(pk=other_service.pk).retention_months_after_closure == 6
    assert Service.objects.get(pk=service.pk).retention_months_after_closure == 12


def test_the_page_says_the_statistics_rule_and_where_to_change_it(head, service):
    page = client_for(head).get(URL).content.decode()
    assert "fewer than 5" in page and reverse("reports:statistics") + "#rule" in page


def test_the_page_names_the_deputy_for_legal_requests(head, senior, service):
    service.legal_request_deputy = senior
    service.save()
    page = client_for(head).get(URL).content.decode()
    assert senior.display_name in page and reverse("rights:legal_request_list") in page
