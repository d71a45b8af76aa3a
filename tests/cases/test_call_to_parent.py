"""A call logged with no name given (NNG) that becomes "add a parent" is not typed twice: the
same contact becomes the first contact on the parent's new case (R1, R2)."""

import pytest
from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, Contact, Outcome, Topic
from tests.cases.test_nng_contact import form_data as nng_form
from tests.cases.test_register_parent import form_data as parent_form
from tests.conftest import client_for
from tests.dates import dated
from tests.factories import contact_details, make_case

NNG = reverse("cases:contact_log")
NEW_PARENT = reverse("cases:parent_new")


def nng_call(client, service):
    answers = nng_form(
        service, channel="video", direction="out", person="professional", duration_minutes="23"
    )
    answers["topics"] = [
        str(Topic.objects.get(service=service, name=name).pk) for name in ("Transport", "Exclusion")
    ]
    answers["outcome"] = str(Outcome.objects.get(service=service, name="Advice given").pk)
    return client.post(NNG, {**answers, "then": "add_parent"})


def test_save_then_add_the_parent_keeps_the_call_as_nng_until_the_parent_is_saved(as_caseworker, service):
    response = nng_call(as_caseworker, service)
    call = Contact.objects.get()
    assert response.status_code == 302 and response.url == f"{NEW_PARENT}?call={call.pk}"
    assert call.is_nng
    page = as_caseworker.get(response.url).content.decode()
    assert "The call you logged with no name given (video call" in page and "23 minutes" in page
    assert f'<input type="hidden" name="call" value="{call.pk}">' in page


def test_the_call_becomes_the_first_contact_on_the_new_case_with_nothing_typed_again(as_caseworker, service):
    call = Contact.objects.get(pk=nng_call(as_caseworker, service).url.split("call=")[1])
    typed_at = timezone.localtime(call.occurred_at)
    response = as_caseworker.post(NEW_PARENT, {**parent_form(), "call": str(call.pk)})
    case = Case.objects.get()
    log_url = reverse("cases:case_contact_log", args=[case.pk])
    assert response.status_code == 302 and response.url == f"{log_url}?call={call.pk}"

    page = as_caseworker.get(response.url).content.decode()
    assert "Filled in from the call you logged with no name given" in page
    assert f'name="date_day" type="text" value="{typed_at.day}"' in page
    assert f'name="time" value="{typed_at:%H:%M}"' in page
    assert 'name="duration_minutes" value="23"' in page
    for answer in ("video", "out", "professional"):
        assert f'value="{answer}" checked' in page
    for topic in ("Transport", "Exclusion"):
        assert f'value="{Topic.objects.get(service=service, name=topic).pk}" checked' in page
    assert f'value="{Outcome.objects.get(service=service, name="Advice given").pk}" checked' in page

    # Sent back as filled in, with the notes the parent can now be asked about.
    answers = {
        "channel": "video",
        "direction": "out",
        "person": "professional",
        "duration_minutes": "23",
        "topics": [str(t.pk) for t in call.topics.all()],
        "outcome": str(call.outcome_id),
        "notes": "Wants help with the transport appeal QUOLL-NOTES.",
        "date": typed_at.date(),
        "time": f"{typed_at:%H:%M}",
        "call": str(call.pk),
    }
    assert as_caseworker.post(log_url, dated(answers)).status_code == 302
    moved = Contact.objects.get()  # one contact: moved, not copied, so counted once
    assert moved.pk == call.pk and moved.case == case and not moved.is_nng
    assert moved.notes == "Wants help with the transport appeal QUOLL-NOTES."
    assert moved.duration_minutes == 23 and moved.channel == "video"
    assert sorted(t.name for t in moved.topics.all()) == ["Exclusion", "Transport"]
    assert moved.occurred_at == call.occurred_at.replace(second=0, microsecond=0)
    assert moved.child_codes.count() == 1  # the statistics codes of the parent's child
    entry = get_logentry_model()
    changes = entry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact),
        object_pk=str(call.pk),
        action=entry.Action.UPDATE,
        actor=moved.logged_by,
    )
    assert any("case" in change.changes_dict for change in changes)  # moved onto the case, audited
    assert "QUOLL" not in str([change.changes for change in changes])  # the notes are masked
    timeline = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "QUOLL-NOTES" in timeline


def test_a_call_is_carried_once(as_caseworker, caseworker, service):
    call = services.log_nng_contact(by=caseworker, details=contact_details(service))
    case = make_case(caseworker)
    details = contact_details(service, occurred_at=call.occurred_at)
    services.log_case_contact(by=caseworker, case=case, details=details, carrying=call)
    again = as_caseworker.get(reverse("cases:case_contact_log", args=[case.pk]), {"call": str(call.pk)})
    assert again.status_code == 404


@pytest.mark.parametrize("whose", ["second_caseworker", "outsider"])
def test_nobody_else_can_carry_a_call(request, caseworker, service, whose):
    call = services.log_nng_contact(by=caseworker, details=contact_details(service))
    other = request.getfixturevalue(whose)
    client = client_for(other)
    assert client.get(NEW_PARENT, {"call": str(call.pk)}).status_code == 404
    if whose == "second_caseworker":
        their_case = make_case(other)
        url = reverse("cases:case_contact_log", args=[their_case.pk])
        assert client.get(url, {"call": str(call.pk)}).status_code == 404
    assert Contact.objects.get(pk=call.pk).is_nng


def test_an_old_call_is_not_carried(as_caseworker, caseworker, service, monkeypatch):
    from cases import access

    call = services.log_nng_contact(by=caseworker, details=contact_details(service))
    monkeypatch.setattr(access, "CALL_CARRIED_FOR", timezone.timedelta(0))  # the call is now too old
    assert as_caseworker.get(NEW_PARENT, {"call": str(call.pk)}).status_code == 404
    assert as_caseworker.get(NEW_PARENT, {"call": "not-a-uuid"}).status_code == 404
