"""A service keeps its own lists of topics and outcomes; senior staff edit them."""

from django.urls import reverse

from cases.models import Topic
from tests.conftest import client_for

URL = reverse("cases:reference_data")


def test_a_service_starts_with_the_common_iass_topics(service):
    names = set(Topic.objects.filter(service=service).values_list("name", flat=True))
    assert {
        "EHC needs assessment",
        "EHC plan",
        "SEN support",
        "Exclusion",
        "Transport",
        "Complaints",
    } <= names
    assert {"Tribunal or appeal", "Health and social care"} <= names


def test_a_senior_manager_adds_and_retires_a_topic(senior, service):
    client = client_for(senior)
    assert client.post(URL, {"list": "topic", "name": "Elective home education"}).status_code == 302
    topic = Topic.objects.get(service=service, name="Elective home education")
    assert client.post(URL, {"list": "topic", "toggle": str(topic.pk)}).status_code == 302
    topic.refresh_from_db()
    assert not topic.is_active
    page = client_for(senior).get(reverse("cases:contact_log")).content.decode()
    assert "Elective home education" not in page


def test_a_duplicate_topic_is_refused_with_a_message(senior):
    response = client_for(senior).post(URL, {"list": "topic", "name": "transport"})
    assert response.status_code == 200
    assert "already on the list" in response.content.decode()


def test_caseworkers_and_other_services_cannot_edit_the_lists(caseworker, outsider, service):
    for user in (caseworker, outsider):
        assert client_for(user).get(URL).status_code == 404
        assert client_for(user).post(URL, {"list": "topic", "name": "Sneaky"}).status_code == 404
    assert not Topic.objects.filter(name="Sneaky").exists()


def test_a_senior_cannot_retire_another_services_topic(senior, other_service):
    foreign = Topic.objects.filter(service=other_service).first()
    response = client_for(senior).post(URL, {"list": "topic", "toggle": str(foreign.pk)})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


def test_a_malformed_item_id_is_not_found(senior):
    assert client_for(senior).post(URL, {"list": "topic", "toggle": "../../etc"}).status_code == 404
