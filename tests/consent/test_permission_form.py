"""The permission form and the "why we keep information about you" statement, filled in for the
parent; that it was given or sent is recorded on the case (R2)."""

import pytest
from auditlog import get_logentry_model
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import StatementSent
from tests.conftest import client_for
from tests.dates import dated


def test_the_form_is_filled_in_for_the_parent_with_the_services_statement(caseworker, case, as_caseworker):
    case.service.why_we_keep_statement = "We keep notes so that we can help you. STATEMENT-TEXT"
    case.service.save()
    page = as_caseworker.get(reverse("consent:permission_form", args=[case.pk])).content.decode()
    assert "Sarah Jones" in page and case.reference in page
    assert "STATEMENT-TEXT" in page
    assert "may keep my details" in page and "the child&#x27;s school" in page
    assert "Parent's signature" in page
    assert "the council&#x27;s SEN team" in page  # an acronym stays in capitals
    assert "use your browser's Print" in page
    assert "<script" not in page.split("<main")[1].split("</main>")[0]
    assert 'style="' not in page


def test_viewing_the_form_is_audited(caseworker, case, as_caseworker):
    entry = get_logentry_model()
    as_caseworker.get(reverse("consent:permission_form", args=[case.pk]))
    assert entry.objects.filter(
        action=entry.Action.ACCESS,
        actor=caseworker,
        object_pk=str(case.pk),
        additional_data__how="permission form",
    ).exists()


def test_recording_it_was_given_shows_on_the_case(caseworker, case, as_caseworker):
    day = timezone.localdate() - timezone.timedelta(days=2)
    response = as_caseworker.post(
        reverse("consent:statement_sent_record", args=[case.pk]),
        dated({"how": "post", "sent_on": day.isoformat()}),
    )
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    sent = StatementSent.objects.get()
    assert sent.case == case and sent.sent_by == caseworker and sent.how == "post"
    assert timezone.localdate(sent.sent_at) == day
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert f"Given {day:%-d %b %Y}, posted" in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"how": "pigeon", "sent_on": "2026-01-01"},
        {"how": "email", "sent_on": "2099-01-01"},
        {"how": "email", "sent_on": "nonsense"},
    ],
)
def test_bad_input_is_refused_with_a_message_and_kept(case, as_caseworker, data):
    response = as_caseworker.post(
        reverse("consent:statement_sent_record", args=[case.pk]), dated(data, "sent_on")
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert not StatementSent.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "second_caseworker", "coordinator", "maintainer"])
def test_others_cannot_print_the_form_or_record_it(request, case, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("consent:permission_form", args=[case.pk])).status_code == 404
    response = client.post(reverse("consent:statement_sent_record", args=[case.pk]), {"how": "email"})
    assert response.status_code == 404
    assert not StatementSent.objects.exists()


def test_the_service_function_refuses_an_unknown_way(caseworker, case):
    with pytest.raises(services.ConsentError):
        services.record_statement_sent(by=caseworker, case=case, how="carrier pigeon")
