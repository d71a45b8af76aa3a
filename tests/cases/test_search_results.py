"""A search is a POST answered by a redirect to its results (POST/redirect/GET): Back and refresh
show them again, the terms never reach a URL, and only the searcher's session can open them."""

import re

import pytest
from auditlog import get_logentry_model
from django.contrib.sessions.models import Session
from django.urls import reverse

from cases import saved_searches
from tests.conftest import client_for
from tests.factories import make_case

SEARCH = reverse("cases:parent_search")


@pytest.fixture
def parent(caseworker):
    return make_case(
        caseworker,
        first_name="Wilhelmina",
        last_name="Quaggerton",
        phone="07700 900321",
        preferred_contact="phone",
        detailed_message_ok=False,
    ).parent


def search(client, terms):
    response = client.post(SEARCH, {"q": terms})
    assert response.status_code == 302
    return response.url


def test_a_search_redirects_to_results_addressed_by_a_short_random_key(as_caseworker, parent):
    url = search(as_caseworker, "Quaggerton 07700")
    assert re.fullmatch(r"/parents/results/[A-Za-z0-9_-]{12}/", url)
    assert "Quagg" not in url and "07700" not in url
    assert search(as_caseworker, "Quaggerton 07700") != url  # a new key each time


def test_back_and_refresh_show_the_results_again_each_recorded(as_caseworker, caseworker, parent):
    url = search(as_caseworker, "wilhel quag")
    entry = get_logentry_model()
    for _ in range(2):
        before = entry.objects.filter(
            action=entry.Action.ACCESS, actor=caseworker, object_pk=str(parent.pk)
        ).count()
        page = as_caseworker.get(url).content.decode()
        assert "1 parent found" in page and "Wilhelmina Quaggerton" in page
        assert 'value="wilhel quag"' in page  # in the box again, not in the address
        after = entry.objects.filter(
            action=entry.Action.ACCESS, actor=caseworker, object_pk=str(parent.pk)
        ).count()
        assert after == before + 1


def test_the_results_show_how_to_call_back(as_caseworker, parent):
    page = as_caseworker.get(search(as_caseworker, "Quaggerton")).content.decode()
    assert 'href="tel:07700900321"' in page
    assert "Prefers phone" in page and "Simple message only" in page


def test_the_terms_are_not_in_the_session_table_in_clear(as_caseworker, parent):
    search(as_caseworker, "Quaggerton")
    stored = [session.get_decoded() for session in Session.objects.all()]
    assert stored and "Quaggerton" not in str(stored) and "quaggerton" not in str(stored).lower()


@pytest.mark.parametrize("persona", ["second_caseworker", "senior", "outsider"])
def test_another_persons_key_gives_nothing(request, as_caseworker, parent, persona):
    url = search(as_caseworker, "Quaggerton")
    response = client_for(request.getfixturevalue(persona)).get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert "This search has expired" in page and 'name="q"' in page
    assert "Quaggerton" not in page


def test_an_expired_key_says_so_and_offers_the_search_box(as_caseworker, parent, monkeypatch):
    url = search(as_caseworker, "Quaggerton")
    assert as_caseworker.get(url).status_code == 200
    monkeypatch.setattr(saved_searches, "KEPT_FOR", 0)  # as if half an hour had passed
    response = as_caseworker.get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert "This search has expired" in page and 'name="q"' in page and "Quaggerton" not in page
    assert as_caseworker.get("/parents/results/made-up-key/").status_code == 404
