"""Mistakes can be corrected: a contact by its author (within the service's days) or a senior, a
parent's or a child's details by those on the case; each correction asks why, keeps the earlier
version (encrypted, shown on the record) and is audited. A senior moves a contact logged on the
wrong case."""

import html

import pytest
from auditlog import get_logentry_model
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases import access as cases_access
from cases import corrections, services
from cases.models import CaseEvent, Contact, Correction
from tests.cases.test_case_work import contact_form
from tests.cases.test_concurrent_edits import parent_data
from tests.conftest import client_for
from tests.factories import contact_details, make_case

OLD_NOTES = "Talked through the Quillifer tribunal bundle."
NEW_NOTES = "Talked through the Quillifer annual review paperwork."


@pytest.fixture
def contact(caseworker, case, service):
    return services.log_case_contact(
        by=caseworker, case=case, details=contact_details(service), notes=OLD_NOTES
    )


def correction_form(service, contact, **overrides):
    when = timezone.localtime(contact.occurred_at)
    data = contact_form(
        service,
        date=when.strftime("%Y-%m-%d"),
        time=when.strftime("%H:%M"),
        notes=NEW_NOTES,
        follow_up_on="",
        correction_reason="Notes typed on the wrong call",
    )
    data.update(overrides)
    return data


def test_the_author_corrects_a_contact_and_the_earlier_version_is_shown(
    as_caseworker, caseworker, case, contact
):
    url = reverse("cases:contact_correct", args=[contact.pk])
    assert "Why are you correcting this contact?" in as_caseworker.get(url).content.decode()
    response = as_caseworker.post(url, correction_form(case.service, contact))
    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).notes == NEW_NOTES
    page = html.unescape(as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode())
    assert NEW_NOTES in page and "Corrected" in page
    history = page.split("app-correction-history", 1)[1].split("</details>", 1)[0]
    assert OLD_NOTES in history and "Notes typed on the wrong call" in history
    assert caseworker.display_name in history


def test_a_correction_asks_why(as_caseworker, case, contact):
    url = reverse("cases:contact_correct", args=[contact.pk])
    response = as_caseworker.post(url, correction_form(case.service, contact, correction_reason=""))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Say why you are correcting this contact" in page
    assert NEW_NOTES in page  # what was typed is kept
    assert Contact.objects.get(pk=contact.pk).notes == OLD_NOTES


def test_the_earlier_version_is_encrypted_and_never_in_the_audit_log(caseworker, case, contact):
    services_details = contact_details(case.service)
    corrections.correct_contact(
        by=caseworker,
        contact=contact,
        details=services_details,
        notes=NEW_NOTES,
        follow_up_on=None,
        reason="Zanzibarite reason",
    )
    correction = Correction.objects.get(contact=contact)
    assert correction.reason == "Zanzibarite reason" and OLD_NOTES in correction.earlier
    with connection.cursor() as cursor:
        cursor.execute("SELECT earlier, reason FROM cases_correction")
        stored = " ".join(map(str, cursor.fetchall()))
        cursor.execute("SELECT changes_text, changes FROM pps_auditentry")
        audit = " ".join(map(str, cursor.fetchall()))
    for secret in ("Quillifer", "Zanzibarite"):
        assert secret not in stored and secret not in audit


def test_the_correction_is_one_access_entry_and_its_change_is_audited(caseworker, case, contact):
    from tests.pps.test_every_url import access_entries_of_one_request

    url = reverse("cases:contact_correct", args=[contact.pk])
    client = client_for(caseworker)
    response, written = access_entries_of_one_request(
        caseworker, lambda: client.post(url, correction_form(case.service, contact))
    )
    assert response.status_code == 302
    assert [(pk, how) for _, pk, how in written] == [(str(contact.pk), "correct contact")]
    entry = get_logentry_model()
    updates = entry.objects.filter(object_pk=str(contact.pk), action=entry.Action.UPDATE)
    (update,) = [u for u in updates if "notes" in u.changes_dict]
    assert update.actor == caseworker and update.changes_dict["notes"] == ["[hidden]", "[hidden]"]
    (kept,) = entry.objects.filter(object_pk=str(Correction.objects.get().pk), action=entry.Action.CREATE)
    assert kept.changes_dict["earlier"][1] == "[hidden]" and kept.changes_dict["reason"][1] == "[hidden]"


def test_another_caseworker_on_the_case_may_not_correct_it_but_a_senior_may(
    second_caseworker, senior, case, contact
):
    cases_access.assign_to_case(second_caseworker, case)
    url = reverse("cases:contact_correct", args=[contact.pk])
    refused = client_for(second_caseworker).post(url, correction_form(case.service, contact))
    assert "Only the person who logged this contact, or a senior manager" in html.unescape(
        refused.content.decode()
    )
    assert Contact.objects.get(pk=contact.pk).notes == OLD_NOTES
    assert client_for(senior).post(url, correction_form(case.service, contact)).status_code == 302
    assert Contact.objects.get(pk=contact.pk).notes == NEW_NOTES


def test_someone_who_cannot_reach_the_contact_gets_404(second_caseworker, outsider, case, contact):
    url = reverse("cases:contact_correct", args=[contact.pk])
    for user in (second_caseworker, outsider):
        assert client_for(user).post(url, correction_form(case.service, contact)).status_code == 404


def test_the_author_may_correct_only_within_the_services_days(caseworker, senior, case, contact):
    Contact.objects.filter(pk=contact.pk).update(logged_at=timezone.now() - timezone.timedelta(days=15))
    contact = Contact.objects.get(pk=contact.pk)
    assert not corrections.may_correct_contact(caseworker, contact)
    assert "for 14 days" in corrections.correction_refusal(caseworker, contact)
    with pytest.raises(services.CaseworkError):
        corrections.correct_contact(
            by=caseworker,
            contact=contact,
            details=contact_details(case.service),
            notes=NEW_NOTES,
            follow_up_on=None,
            reason="Late",
        )
    assert corrections.may_correct_contact(senior, contact)
    case.service.contact_correction_days = 30
    case.service.save()
    assert corrections.may_correct_contact(caseworker, Contact.objects.get(pk=contact.pk))


def test_a_parents_details_are_corrected_with_the_earlier_version_kept(as_caseworker, case):
    parent = case.parent
    url = reverse("cases:parent_edit", args=[parent.pk])
    refused = as_caseworker.post(url, parent_data(parent, phone="07700 900777", correction_reason=""))
    assert "Say why you are changing these details" in html.unescape(refused.content.decode())
    data = parent_data(parent, phone="07700 900777", correction_reason="Digits swapped on the call")
    assert as_caseworker.post(url, data).status_code == 302
    page = html.unescape(as_caseworker.get(reverse("cases:parent_detail", args=[parent.pk])).content.decode())
    history = page.split("app-correction-history", 1)[1].split("</details>", 1)[0]
    assert "07700 900123" in history and "Digits swapped on the call" in history and "Phone before" in history
    assert "07700 900777" in page.split("app-correction-history", 1)[0]


def test_a_childs_details_are_corrected_with_the_earlier_version_kept(as_caseworker, case):
    child = case.parent.children.get()
    url = reverse("cases:child_edit", args=[child.pk])
    data = {
        "first_name": "Wystan",
        "last_name": child.last_name,
        "need": child.need,
        "provision": "ehc_plan",
        "version": child.version,
        "correction_reason": "Plan was issued last month",
    }
    assert as_caseworker.post(url, data).status_code == 302
    correction = Correction.objects.get(child=child)
    assert dict(correction.earlier_values) == {"First name": child.first_name, "SEN provision": "SEN support"}
    page = html.unescape(
        as_caseworker.get(reverse("cases:parent_detail", args=[case.parent.pk])).content.decode()
    )
    assert "Wystan's details" in page and "Plan was issued last month" in page


def test_a_senior_moves_a_contact_to_the_right_case(senior, caseworker, case, contact):
    other = make_case(senior, first_name="Ottoline", last_name="Brackwater")
    corrections.correct_contact(
        by=caseworker,
        contact=contact,
        details=contact_details(case.service, occurred_at=contact.occurred_at),  # the notes alone
        notes=NEW_NOTES,
        follow_up_on=None,
        reason="Wrong notes",
    )
    url = reverse("cases:contact_move", args=[contact.pk])
    client = client_for(senior)
    data = {"reference": other.reference.lower(), "reason": "Logged on the wrong parent's case"}
    assert client.post(url, data).status_code == 302
    moved = Contact.objects.get(pk=contact.pk)
    assert moved.case_id == other.pk and moved.notes == NEW_NOTES  # readable with the new household's key
    assert Correction.objects.get(contact=contact).earlier_values == [("Notes", OLD_NOTES)]
    assert [e.kind for e in CaseEvent.objects.filter(case=case, kind__startswith="contact")] == [
        "contact_out"
    ]
    assert [e.kind for e in CaseEvent.objects.filter(case=other, kind__startswith="contact")] == [
        "contact_in"
    ]
    old_page = html.unescape(client.get(reverse("cases:case_detail", args=[case.pk])).content.decode())
    assert "Contact moved to another case" in old_page and "Logged on the wrong parent's case" in old_page
    assert NEW_NOTES not in old_page
    new_page = html.unescape(client.get(reverse("cases:case_detail", args=[other.pk])).content.decode())
    assert "Contact moved here from another case" in new_page and NEW_NOTES in new_page


def test_moving_a_contact_needs_a_senior_who_reaches_both_cases(senior, caseworker, outsider, case, contact):
    mine = make_case(caseworker, first_name="Ottoline", last_name="Brackwater")
    # The caseworker reaches both cases but is not senior staff.
    with pytest.raises(services.CaseworkError):
        corrections.move_contact(by=caseworker, contact=contact, to_case=mine, reason="Mine")
    assert client_for(caseworker).get(reverse("cases:contact_move", args=[contact.pk])).status_code == 404
    # A case of another service is out of the senior's reach.
    elsewhere = make_case(outsider, first_name="Ingeborg", last_name="Farthingale")
    with pytest.raises(Http404):
        corrections.move_contact(by=senior, contact=contact, to_case=elsewhere, reason="Elsewhere")
    response = client_for(senior).post(
        reverse("cases:contact_move", args=[contact.pk]), {"reference": elsewhere.reference, "reason": "x"}
    )
    assert "Enter the reference of another open case of your service" in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).case_id == case.pk
