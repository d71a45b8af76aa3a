"""R1: a contact from a parent who gives no name is logged with nothing personal."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Contact, Outcome, Parent, Topic
from tests.dates import dated

URL = reverse("cases:contact_log")


def form_data(service, **overrides):
    now = timezone.localtime() - timezone.timedelta(minutes=5)
    data = {
        "date": now.strftime("%Y-%m-%d"),
        "time": now.strftime("%H:%M"),
        "channel": "phone",
        "direction": "in",
        "duration_minutes": "12",
        "topics": [str(Topic.objects.filter(service=service, name="Transport").get().pk)],
        "outcome": str(Outcome.objects.filter(service=service).first().pk),
    }
    data.update(overrides)
    return dated(data)


def test_it_never_asks_for_a_name(as_caseworker):
    page = as_caseworker.get(URL).content.decode()
    assert "Log a contact" in page
    for personal in ('name="first_name"', 'name="last_name"', 'name="phone"', 'name="email"', 'name="notes"'):
        assert personal not in page


def test_it_logs_an_nng_contact_with_no_personal_record(as_caseworker, service, caseworker):
    response = as_caseworker.post(URL, form_data(service))
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.case is None and contact.is_nng
    assert contact.logged_by == caseworker
    assert [t.name for t in contact.topics.all()] == ["Transport"]
    assert contact.duration_minutes == 12
    assert Parent.objects.count() == 0
    page = as_caseworker.get(response.url).content.decode()
    assert "Contact logged with no name given" in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"duration_minutes": ""}, "Enter the time spent, in minutes"),
        ({"duration_minutes": "0"}, "Time spent must be at least 1 minute"),
        ({"duration_minutes": "99999999999999999999"}, "720 minutes"),
        ({"duration_minutes": "ten"}, "whole number of minutes"),
        ({"date": "2026-02-31"}, "Date must be a real date"),
        ({"date": "2999-01-01"}, "cannot be in the future"),
        ({"date": "1900-01-01"}, "after 1 January 2000"),
        ({"time": "25:61"}, "Enter the time on the 24-hour clock"),
        ({"topics": []}, "Select at least one topic"),
        ({"topics": ["not-a-uuid"]}, "Select topics from the list"),
        ({"outcome": "00000000-0000-0000-0000-000000000000"}, "Select an outcome from the list"),
        ({"outcome": ""}, "Select the outcome"),
        ({"channel": "<script>alert(1)</script>"}, "Select a valid choice"),
    ],
)
def test_bad_input_shows_the_problem_and_keeps_what_was_typed(as_caseworker, service, overrides, message):
    data = form_data(service, **{"duration_minutes": "17", **overrides})
    response = as_caseworker.post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert "<script>alert(1)</script>" not in page
    if "duration_minutes" not in overrides:
        assert 'value="17"' in page
    assert Contact.objects.count() == 0


def test_a_topic_of_another_service_is_refused(as_caseworker, service, other_service):
    foreign = Topic.objects.filter(service=other_service).first()
    response = as_caseworker.post(URL, form_data(service, topics=[str(foreign.pk)]))
    assert response.status_code == 200
    assert Contact.objects.count() == 0


def test_a_service_that_does_not_log_nng_refuses_it(as_caseworker, service):
    service.nng_allowed = False
    service.save()
    response = as_caseworker.post(URL, form_data(service))
    assert response.status_code == 200
    assert "does not log contacts with no name given" in response.content.decode()
    assert Contact.objects.count() == 0


def test_a_coordinator_cannot_log_contacts(coordinator, service):
    from tests.conftest import client_for

    assert client_for(coordinator).post(URL, form_data(service)).status_code == 404
    assert Contact.objects.count() == 0
