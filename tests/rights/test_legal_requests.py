"""Legal and local-authority requests (R12): only the head of service (or their deputy while they
are absent) decides; nothing goes out without the parent's permission; the extract is copied to
the parent and the disclosure is recorded on the case (R3)."""

import pytest
from auditlog import get_logentry_model
from django.urls import reverse
from django.utils import timezone

from consent.models import Disclosure
from consent.services import record_consent
from pps.models import Role
from rights import services
from rights.models import LegalRequest
from tests.conftest import client_for
from tests.dates import dated
from tests.factories import UserFactory
from tests.rights.helpers import fill_household, pdf_text

Entry = get_logentry_model()
TODAY = timezone.localdate


def form(**overrides):
    data = {
        "officer": "Pat Officer",
        "organisation": "Kent County Council Legal Services",
        "role": "Solicitor",
        "legal_reason": "Judicial review of the council's EHC plan decision",
        "their_reference": "JR-2026-114",
        "asked_for": "Notes of the annual review meeting",
        "received_on": TODAY().isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def legal(caseworker, case):
    fill_household(caseworker, case, marker="OURS")
    return services.record_legal_request(by=caseworker, case=case, **{**form(), "received_on": TODAY()})


def url(name, legal, *args):
    return reverse(f"rights:{name}", args=[legal.pk, *args])


def fresh(legal):
    return LegalRequest.objects.get(pk=legal.pk)


def test_a_caseworker_records_one_from_the_case_and_it_goes_to_the_head_of_service(as_caseworker, case, head):
    response = as_caseworker.post(reverse("rights:legal_request_new", args=[case.pk]), dated(form()))
    legal = LegalRequest.objects.get()
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    assert (
        legal.organisation == "Kent County Council Legal Services" and legal.their_reference == "JR-2026-114"
    )
    assert "JR-2026" not in str(LegalRequest.objects.values("their_reference", "officer").get())  # encrypted
    assert as_caseworker.get(url("legal_request_detail", legal)).status_code == 404
    page = client_for(head).get(reverse("rights:legal_request_list")).content.decode()
    assert legal.reference in page and "Pat Officer" in page


@pytest.mark.parametrize("missing", ["officer", "organisation", "role", "legal_reason", "asked_for"])
def test_each_detail_is_needed(as_caseworker, case, missing):
    response = as_caseworker.post(
        reverse("rights:legal_request_new", args=[case.pk]), dated(form(**{missing: ""}))
    )
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not LegalRequest.objects.exists()


@pytest.mark.parametrize("persona", ["non_lead_senior", "senior", "caseworker", "coordinator", "outsider"])
def test_nobody_but_the_head_of_service_reaches_it(request, legal, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url("legal_request_detail", legal)).status_code == 404
    assert client.post(url("legal_decline", legal), {"reason": "No"}).status_code == 404
    assert fresh(legal).status == "received"


def test_while_the_head_is_absent_only_their_deputy_decides(legal, head, non_lead_senior, service):
    assert client_for(non_lead_senior).get(url("legal_request_detail", legal)).status_code == 404
    response = client_for(head).post(
        reverse("rights:legal_request_deputy"), {"deputy": str(non_lead_senior.pk), "absent": "on"}
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.legal_request_deputy == non_lead_senior and service.head_of_service_absent
    assert client_for(head).get(url("legal_request_detail", legal)).status_code == 404
    page = client_for(non_lead_senior).get(url("legal_request_detail", legal)).content.decode()
    assert "Pat Officer" in page
    other_senior = UserFactory(service=service, role=Role.SENIOR_MANAGER)
    assert client_for(other_senior).get(url("legal_request_detail", legal)).status_code == 404


def test_the_head_cannot_be_absent_without_a_deputy(head, service):
    page = client_for(head).post(reverse("rights:legal_request_deputy"), {"absent": "on"}, follow=True)
    assert "Name a deputy before marking yourself absent" in page.content.decode()
    service.refresh_from_db()
    assert not service.head_of_service_absent


def test_without_the_parents_permission_nothing_is_sent_and_the_page_says_why(legal, head):
    client = client_for(head)
    client.post(url("legal_extract", legal), {"parts": [f"Case {legal.case.reference}"]})
    assert fresh(legal).status == "extracted"
    send = {
        "sent_how": "email",
        "sent_on": TODAY().isoformat(),
        "copy_how": "post",
        "copy_on": TODAY().isoformat(),
        "basis": "consent",
    }
    page = client.post(url("legal_send", legal), dated(send)).content.decode()
    assert "The parent has not given permission for this request" in page and "Nothing has been sent" in page
    assert fresh(legal).status == "extracted" and not Disclosure.objects.filter(recipient="other").exists()


def test_a_consent_that_does_not_name_the_organisation_cannot_serve(legal, head, caseworker):
    other = record_consent(
        by=caseworker,
        case=legal.case,
        method="oral_phone",
        parent_was_told="For the tribunal",
        recipients=["other"],
        named_organisation="SEND Tribunal",
    )
    assert services.permissions_on_file(legal) == []
    response = client_for(head).post(url("legal_permission_on_file", legal, other.pk), follow=True)
    assert "does not name Kent County Council Legal Services" in response.content.decode()
    assert fresh(legal).permission is None


def test_declined_with_its_reason(legal, head):
    client = client_for(head)
    page = client.post(url("legal_decline", legal), {"reason": ""}).content.decode()
    assert "Give the reason the request is declined" in page
    client.post(url("legal_decline", legal), {"reason": "Not a legal obligation; the parent refused"})
    legal = fresh(legal)
    assert legal.status == "declined" and legal.decided_by == head and legal.declined_reason.startswith("Not")


def test_answered_with_permission_chosen_parts_copy_to_the_parent_and_the_disclosure(legal, head):
    client = client_for(head)
    client.post(
        url("legal_permission", legal),
        dated(
            {
                "method": "written_meeting",
                "given_on": TODAY().isoformat(),
                "note": "Agreed to share the notes",
            }
        ),
    )
    legal = fresh(legal)
    assert legal.permission.covers("other", "Kent County Council Legal Services")
    page = client.post(url("legal_extract", legal), {}).content.decode()
    assert "Choose at least one part of the file" in page
    client.post(url("legal_extract", legal), {"parts": [f"Case {legal.case.reference}"]})
    legal = fresh(legal)
    response = client.get(url("legal_download", legal))
    assert response["Content-Disposition"] == f'attachment; filename="{legal.reference}.pdf"'
    text = pdf_text(response.content)
    assert "OURS-NOTE" in text and "Copy to the parent" in text and "JR-2026-114" in text
    assert "07700 900123" not in text  # the parent's record was not chosen
    send = {
        "sent_how": "email",
        "sent_on": TODAY().isoformat(),
        "copy_how": "post",
        "copy_on": TODAY().isoformat(),
        "basis": "consent",
    }
    assert client.post(url("legal_send", legal), dated(send)).status_code == 302
    legal = fresh(legal)
    assert legal.status == "sent" and legal.copy_how == "post" and legal.copy_sent_at and legal.sent_at
    disclosure = Disclosure.objects.get(pk=legal.disclosure_id)
    assert (
        disclosure.case == legal.case
        and disclosure.basis == "consent"
        and disclosure.consent == legal.permission
    )
    assert disclosure.organisation == "Kent County Council Legal Services" and disclosure.disclosed_by == head
    page = client.get(url("legal_request_detail", legal)).content.decode()
    assert "copy to the parent" in page and "Disclosure recorded on the case" in page


def test_a_legal_obligation_needs_its_reference(legal, head):
    client = client_for(head)
    client.post(
        url("legal_permission", legal),
        dated({"method": "email", "given_on": TODAY().isoformat(), "note": "Agreed by email"}),
    )
    client.post(url("legal_extract", legal), {"parts": [f"Case {legal.case.reference}"]})
    send = {
        "sent_how": "portal",
        "sent_on": TODAY().isoformat(),
        "copy_how": "email",
        "copy_on": TODAY().isoformat(),
        "basis": "legal_obligation",
        "legal_reference": "",
    }
    page = client.post(url("legal_send", legal), dated(send)).content.decode()
    assert "Give the legal reference" in page
    send["legal_reference"] = "High Court order CO/1234/2026"
    client.post(url("legal_send", legal), dated(send))
    disclosure = Disclosure.objects.get(pk=fresh(legal).disclosure_id)
    assert (
        disclosure.basis == "legal_obligation"
        and disclosure.legal_reference == "High Court order CO/1234/2026"
    )


def test_reading_it_is_audited(legal, head):
    client_for(head).get(url("legal_request_detail", legal))
    assert Entry.objects.filter(action=Entry.Action.ACCESS, actor=head, object_pk=str(legal.pk)).count() == 1
