"""Long case files stay fast: the timeline shows the newest 20 entries, then "Show older"; a case
with 300 contacts takes the same number of queries, and one ACCESS entry, as one with 20."""

import pytest
from auditlog import get_logentry_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Contact, Outcome, Topic
from tests.factories import make_case


def add_contacts(case, by, how_many):
    """``how_many`` calls, an hour apart, the newest first: notes "Call 1", "Call 2", …"""
    outcome = Outcome.objects.filter(service=case.service).first()
    topic = Topic.objects.filter(service=case.service).first()
    start = timezone.now().replace(second=0, microsecond=0) - timezone.timedelta(minutes=5)
    contacts = Contact.objects.bulk_create(
        Contact(
            service=case.service,
            case=case,
            occurred_at=start - timezone.timedelta(hours=n),
            duration_minutes=10,
            outcome=outcome,
            logged_by=by,
            notes=f"Call {n + 1} QUOKKA",
        )
        for n in range(how_many)
    )
    Contact.topics.through.objects.bulk_create(
        Contact.topics.through(contact_id=contact.pk, topic_id=topic.pk) for contact in contacts
    )


def test_the_newest_20_entries_then_show_older(caseworker, as_caseworker):
    case = make_case(caseworker)
    case.events.update(at=timezone.now() - timezone.timedelta(days=60))  # opened before the calls
    add_contacts(case, caseworker, 24)  # with the "Case opened" event: 25 entries
    url = reverse("cases:case_detail", args=[case.pk])
    page = as_caseworker.get(url).content.decode()
    assert page.count("QUOKKA") == 20
    assert "Call 1 QUOKKA" in page and "Call 20 QUOKKA" in page and "Call 21 QUOKKA" not in page
    older = reverse("cases:case_timeline", args=[case.pk])
    assert f'href="{url}?shown=40#timeline-entry-20"' in page  # without JavaScript
    assert f'hx-get="{older}?start=20"' in page
    more = as_caseworker.get(older, {"start": "20"}).content.decode()
    assert more.count("QUOKKA") == 4 and "Call 21 QUOKKA" in more and "Call 24 QUOKKA" in more
    assert "Case opened" in more and "Show older" not in more
    assert 'id="timeline-entry-20"' in more
    everything = as_caseworker.get(url, {"shown": "40"}).content.decode()
    assert everything.count("QUOKKA") == 24 and "Show older" not in everything
    assert as_caseworker.get(url, {"shown": "nonsense"}).content.decode().count("QUOKKA") == 20


def test_show_older_is_refused_to_someone_not_on_the_case(caseworker, second_caseworker):
    from tests.conftest import client_for

    case = make_case(caseworker)
    add_contacts(case, caseworker, 25)
    response = client_for(second_caseworker).get(
        reverse("cases:case_timeline", args=[case.pk]), {"start": "20"}
    )
    assert response.status_code == 404 and "QUOKKA" not in response.content.decode()


def page_cost(client, user, url):
    entry = get_logentry_model()
    before = entry.objects.filter(action=entry.Action.ACCESS, actor=user).count()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured), entry.objects.filter(action=entry.Action.ACCESS, actor=user).count() - before


@pytest.mark.parametrize("older", [False, True])
def test_300_contacts_cost_what_20_do(caseworker, as_caseworker, older):
    small, large = make_case(caseworker), make_case(caseworker)
    add_contacts(small, caseworker, 20)
    add_contacts(large, caseworker, 300)
    name, query = ("cases:case_timeline", "?start=20") if older else ("cases:case_detail", "")
    small_url = reverse(name, args=[small.pk]) + query
    large_url = reverse(name, args=[large.pk]) + query
    page_cost(as_caseworker, caseworker, small_url)  # warm caches (content types, session)
    assert page_cost(as_caseworker, caseworker, large_url) == page_cost(as_caseworker, caseworker, small_url)
    assert page_cost(as_caseworker, caseworker, large_url)[1] == 1  # the case, not each contact


def test_each_contact_names_its_topics_in_the_lists_order(caseworker, as_caseworker):
    from cases import services
    from tests.factories import contact_details

    case = make_case(caseworker)
    first, second, third = Topic.objects.filter(service=case.service).order_by("position", "name")[:3]
    Topic.objects.filter(pk=first.pk).update(position=90)  # moved to the end of the list
    services.log_case_contact(
        by=caseworker, case=case, details=contact_details(case.service, topics=[first, third]), notes="A"
    )
    services.log_case_contact(
        by=caseworker, case=case, details=contact_details(case.service, topics=[second]), notes="B"
    )
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert f"<strong>Topics:</strong> {third.name}, {first.name}</p>" in page
    assert f"<strong>Topics:</strong> {second.name}</p>" in page
    dashboard = as_caseworker.get(reverse("cases:dashboard")).content.decode()
    assert f"{third.name}, {first.name}</td>" in dashboard and f">{second.name}</td>" in dashboard
