"""The head of service chooses the designated safeguarding leads, on the Staff page: a lead
reaches the child-protection files at once, and stops at once; the last lead cannot go."""

import pytest
from auditlog import get_logentry_model
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

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
    entries = get_logentry_model().objects.filter(object_pk=str(non_lead_senior.pk))
    entry = entries.filter(action=get_logentry_model().Action.UPDATE).latest("timestamp")
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


def decide(client, designation, decision):
    return client.post(
        reverse("safeguarding:designation_decide", args=[designation.pk]), {"decision": decision}
    )


def pending_of(member):
    from safeguarding.models import LeadDesignation

    return LeadDesignation.objects.get(member=member, status=LeadDesignation.Status.PENDING)


def test_the_head_cannot_make_themselves_a_lead_alone(head, concern):
    client = client_for(head)
    staff_page = client.get(reverse("cases:staff_list")).content.decode()
    assert "Ask to be made designated lead" in staff_page

    page = client.get(designate(client, head, True).url).content.decode()

    head.refresh_from_db()
    assert not head.is_safeguarding_lead
    assert "takes effect when a second person confirms it" in page
    assert "You asked on" in page and "Withdraw the request" in page
    assert "Confirm" not in page.replace("confirms", "").replace("confirmation", "")
    assert client.get(detail(concern)).status_code == 404
    assert decide(client, pending_of(head), "confirm").status_code == 404
    head.refresh_from_db()
    assert not head.is_safeguarding_lead


def test_a_senior_manager_confirms_when_there_is_no_other_head(head, senior, non_lead_senior, concern):
    designate(client_for(head), head, True)
    designation = pending_of(head)
    confirmer = client_for(non_lead_senior)
    assert "asked on" in confirmer.get(reverse("cases:staff_list")).content.decode()

    decide(confirmer, designation, "confirm")

    head.refresh_from_db()
    designation.refresh_from_db()
    assert head.is_safeguarding_lead
    assert designation.status == "in_effect" and designation.decided_by == non_lead_senior
    assert client_for(head).get(detail(concern)).status_code == 200


def test_where_there_is_another_head_only_they_confirm(service, head, non_lead_senior, concern):
    other_head = UserFactory(service=service, role=Role.HEAD_OF_SERVICE, username="hana")
    designate(client_for(head), head, True)
    designation = pending_of(head)
    assert "asked on" not in client_for(non_lead_senior).get(reverse("cases:staff_list")).content.decode()
    assert decide(client_for(non_lead_senior), designation, "confirm").status_code == 404
    head.refresh_from_db()
    assert not head.is_safeguarding_lead

    decide(client_for(other_head), designation, "confirm")
    head.refresh_from_db()
    assert head.is_safeguarding_lead


def test_a_designation_can_be_refused_or_withdrawn(head, non_lead_senior):
    designate(client_for(head), head, True)
    decide(client_for(non_lead_senior), pending_of(head), "refuse")
    head.refresh_from_db()
    assert not head.is_safeguarding_lead

    designate(client_for(head), head, True)
    designation = pending_of(head)
    decide(client_for(head), designation, "withdraw")
    designation.refresh_from_db()
    assert designation.status == "withdrawn"
    assert not decide(client_for(non_lead_senior), designation, "confirm").status_code == 302


def test_people_outside_the_decision_get_404(head, caseworker, coordinator, other_service):
    designate(client_for(head), head, True)
    designation = pending_of(head)
    outsider = UserFactory(service=other_service, role=Role.HEAD_OF_SERVICE)
    for person in (caseworker, coordinator, outsider):
        assert decide(client_for(person), designation, "confirm").status_code == 404
    head.refresh_from_db()
    assert not head.is_safeguarding_lead


@pytest.mark.parametrize("self_designated", [False, True])
def test_every_designation_alerts_the_leads_and_waits_on_their_queue(
    head, senior, non_lead_senior, self_designated
):
    if self_designated:
        designate(client_for(head), head, True)
        decide(client_for(non_lead_senior), pending_of(head), "confirm")
        new_lead = head
    else:
        designate(client_for(head), non_lead_senior, True)
        new_lead = non_lead_senior
    lead = client_for(senior)

    queue = lead.get(reverse("safeguarding:concern_queue")).content.decode()

    assert f"New designated safeguarding lead: {escape(new_lead.display_name)}" in queue
    assert "New designated leads to review" in queue
    from safeguarding.models import LeadDesignation

    designation = LeadDesignation.objects.get(member=new_lead, status="in_effect")
    lead.post(reverse("safeguarding:designation_review", args=[designation.pk]))
    queue = lead.get(reverse("safeguarding:concern_queue")).content.decode()
    assert "New designated leads to review" not in queue
    designation.refresh_from_db()
    assert designation.reviewed_by == senior
