"""The leads' queue puts urgency first; closed concerns can be found; the pages where a concern is
raised or followed name the service's designated leads and how to reach them now."""

from django.urls import reverse
from django.utils import timezone

from safeguarding import services
from tests.conftest import client_for


def raise_one(by, case, what, *, minutes_ago, danger=False):
    concern = services.raise_concern(
        by=by,
        case=case,
        child=None,
        what=what,
        happened_at=timezone.now() - timezone.timedelta(minutes=minutes_ago),
        immediate_danger=danger,
    )
    concern.raised_at = timezone.now() - timezone.timedelta(minutes=minutes_ago)
    concern.save(update_fields=["raised_at"])
    return concern


def test_immediate_danger_comes_first_then_new_then_the_longest_waiting(caseworker, senior, case):
    discussed_oldest = raise_one(caseworker, case, "old", minutes_ago=600)
    services.record_discussion(
        senior,
        discussed_oldest,
        participants="Lee",
        senior_manager=senior,
        held_at=timezone.now(),
        decision="monitor",
    )
    new_older = raise_one(caseworker, case, "new older", minutes_ago=300)
    new_newer = raise_one(caseworker, case, "new newer", minutes_ago=100)
    danger = raise_one(caseworker, case, "danger", minutes_ago=10, danger=True)

    assert list(services.queue(senior)) == [danger, new_older, new_newer, discussed_oldest]
    page = client_for(senior).get(reverse("safeguarding:concern_queue")).content.decode()
    page = page[page.index("Open concerns</h2>") :]  # the table, not the alerts above it
    links = [reverse("safeguarding:concern_detail", args=[c.pk]) for c in (danger, new_older, new_newer)]
    assert page.index(links[0]) < page.index(links[1]) < page.index(links[2])


def test_closed_concerns_are_listed_for_leads_only(caseworker, senior, non_lead_senior, case):
    concern = raise_one(caseworker, case, "closed", minutes_ago=60)
    services.record_discussion(
        senior, concern, participants="Lee", senior_manager=senior, held_at=timezone.now(), decision="nfa"
    )
    url = reverse("safeguarding:closed_concerns")
    page = client_for(senior).get(url).content.decode()
    assert reverse("safeguarding:concern_detail", args=[concern.pk]) in page
    assert (
        reverse("safeguarding:concern_detail", args=[concern.pk])
        not in client_for(senior).get(reverse("safeguarding:concern_queue")).content.decode()
    )
    for person in (non_lead_senior, caseworker):
        assert client_for(person).get(url).status_code == 404


def test_the_raise_and_receipt_pages_name_the_leads_and_how_to_reach_them(caseworker, senior, case):
    senior.work_phone = "01234 555666"
    senior.save()
    client = client_for(caseworker)
    for url in (
        reverse("safeguarding:concern_raise", args=[case.pk]),
        reverse("safeguarding:concern_raise_without_case"),
    ):
        page = client.get(url).content.decode()
        assert "Your designated safeguarding leads" in page
        assert senior.display_name in page and 'href="tel:01234555666"' in page
    concern = raise_one(caseworker, case, "x", minutes_ago=1)
    receipt = client.get(reverse("safeguarding:concern_receipt", args=[concern.pk])).content.decode()
    assert senior.display_name in receipt


def test_a_lead_of_another_service_is_never_named(caseworker, case, other_service):
    from pps.models import Role
    from tests.factories import UserFactory

    other_lead = UserFactory(service=other_service, role=Role.SENIOR_MANAGER, is_safeguarding_lead=True)
    page = client_for(caseworker).get(reverse("safeguarding:concern_raise", args=[case.pk])).content.decode()
    assert other_lead.display_name not in page
