"""The head of service chooses the designated safeguarding leads, on the Staff page: a lead
reaches the child-protection files at once, and stops at once; the last lead cannot go."""

import pytest
from auditlog import get_logentry_model
from django.urls import reverse
from django.utils import timezone

from pps.models import Role
from safeguarding import services
from tests.conftest import client_for
from tests.factories import UserFactory


def designate(client, member, designated):
    return client.post(
        reverse("safeguarding:lead_designation", args=[member.pk]),
        {"designated": "yes" if designated else "no"},
    )


@pytest.fixture
def concern(caseworker, case, senior):
    return services.raise_concern(
        by=caseworker, case=case, child=None, what="CANARY-LEAD", happened_at=timezone.now()
    )


def detail(concern):
    return reverse("safeguarding:concern_detail", args=[concern.pk])


def test_the_head_makes_a_senior_manager_a_lead_who_then_reaches_the_files(head, non_lead_senior, concern):
    assert client_for(non_lead_senior).get(detail(concern)).status_code == 404
    staff_page = client_for(head).get(reverse("cases:staff_list")).content.decode()
    assert "Make designated lead" in staff_page
    response = designate(client_for(head), non_lead_senior, True)
    assert response.status_code == 302
    non_lead_senior.refresh_from_db()
    assert non_lead_senior.is_safeguarding_lead
    assert client_for(non_lead_senior).get(detail(concern)).status_code == 200
    entry = get_logentry_model().objects.filter(object_pk=str(non_lead_senior.pk)).latest("timestamp")
    assert entry.actor == head
    assert entry.changes == {"is_safeguarding_lead": [False, True]}


def test_a_lead_who_stops_loses_the_files_at_once(head, senior, non_lead_senior, concern):
    designate(client_for(head), non_lead_senior, True)
    lead_client = client_for(senior)
    assert lead_client.get(detail(concern)).status_code == 200
    designate(client_for(head), senior, False)
    assert lead_client.get(detail(concern)).status_code == 404


def test_the_last_lead_cannot_be_removed(head, senior, concern):
    client = client_for(head)
    page = client.get(designate(client, senior, False).url).content.decode()
    assert "the service&#x27;s only designated safeguarding lead" in page
    senior.refresh_from_db()
    assert senior.is_safeguarding_lead


def test_only_senior_staff_can_be_leads(head, caseworker):
    client = client_for(head)
    page = client.get(designate(client, caseworker, True).url).content.decode()
    assert "Only a senior manager or the head of service" in page
    caseworker.refresh_from_db()
    assert not caseworker.is_safeguarding_lead


@pytest.mark.parametrize("persona", ["senior", "non_lead_senior", "caseworker", "coordinator"])
def test_only_the_head_of_service_designates(request, persona, non_lead_senior):
    client = client_for(request.getfixturevalue(persona))
    assert designate(client, non_lead_senior, True).status_code == 404
    non_lead_senior.refresh_from_db()
    assert not non_lead_senior.is_safeguarding_lead
    assert "Make designated lead" not in client.get(reverse("cases:staff_list")).content.decode()


def test_the_head_of_another_service_gets_404(other_service, non_lead_senior):
    other_head = UserFactory(service=other_service, role=Role.HEAD_OF_SERVICE)
    assert designate(client_for(other_head), non_lead_senior, True).status_code == 404
    non_lead_senior.refresh_from_db()
    assert not non_lead_senior.is_safeguarding_lead
