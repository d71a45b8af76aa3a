"""Search finds a parent by name, phone, email or postcode, among the parents one may reach."""

import html

import pytest
from auditlog import get_logentry_model
from django.urls import reverse

from cases import services
from tests.conftest import client_for
from tests.factories import make_case

URL = reverse("cases:parent_search")


@pytest.fixture
def parents(caseworker):
    return {
        "sarah": make_case(
            caseworker,
            first_name="Sarah",
            last_name="Jones",
            phone="07700 900123",
            email="Sarah.Jones@Example.org",
            postcode="ME14 1XX",
        ).parent,
        "zoe": make_case(caseworker, first_name="Zoë", last_name="O'Brien", postcode="CT1 2AB").parent,
    }


@pytest.mark.parametrize(
    "query, who",
    [
        ("Sarah Jones", "sarah"),
        ("sar jon", "sarah"),
        ("JONES", "sarah"),
        ("07700 900123", "sarah"),
        ("+44 7700 900123", "sarah"),
        ("07700900123", "sarah"),
        ("sarah.jones@example.org", "sarah"),
        ("me141xx", "sarah"),
        ("ME14 1XX", "sarah"),
        ("ME14", "sarah"),
        ("zoe obrien", "zoe"),
        ("O'Brien", "zoe"),
    ],
)
def test_it_finds_a_parent(caseworker, parents, query, who):
    assert [p.pk for p in services.find_parents(caseworker, query)] == [parents[who].pk]


@pytest.mark.parametrize("query", ["", "   ", "Smith", "07700 900999", "s", "ME15", "'; DROP TABLE x;--"])
def test_it_finds_nobody_for_other_queries(caseworker, parents, query):
    assert services.find_parents(caseworker, query) == []


def test_the_search_page_shows_results_and_offers_a_new_parent(as_caseworker, parents):
    response = as_caseworker.post(URL, {"q": "jon"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 parent found" in page and "Sarah Jones" in page
    assert "Add a new parent" in page


def test_search_is_never_a_get_with_the_query_in_the_url(as_caseworker, parents):
    page = as_caseworker.get(URL, {"q": "jones"}).content.decode()
    assert "parent found" not in page
    assert reverse("cases:parent_detail", args=[parents["sarah"].pk]) not in page
    assert 'method="post"' in as_caseworker.get(URL).content.decode()


def test_another_services_caseworker_finds_nothing(outsider, parents):
    assert services.find_parents(outsider, "Sarah Jones") == []
    page = client_for(outsider).post(URL, {"q": "Sarah Jones"}, follow=True).content.decode()
    assert "No parents found" in page
    assert reverse("cases:parent_detail", args=[parents["sarah"].pk]) not in page


def test_a_colleague_not_on_the_case_finds_nothing(second_caseworker, parents):
    assert services.find_parents(second_caseworker, "Sarah Jones") == []


def test_a_senior_manager_finds_every_parent_of_the_service(senior, parents):
    assert [p.pk for p in services.find_parents(senior, "jones")] == [parents["sarah"].pk]
    assert [p.pk for p in services.find_parents(senior, "zo")] == [parents["zoe"].pk]


def test_every_result_shown_is_recorded_in_the_audit_log(as_caseworker, caseworker, parents):
    entry = get_logentry_model()
    before = entry.objects.filter(action=entry.Action.ACCESS).count()
    as_caseworker.post(URL, {"q": "jones"}, follow=True)
    accesses = entry.objects.filter(action=entry.Action.ACCESS).order_by("-timestamp")[:1]
    assert entry.objects.filter(action=entry.Action.ACCESS).count() == before + 1
    (access,) = accesses
    assert access.actor == caseworker
    assert access.object_pk == str(parents["sarah"].pk)
    assert access.additional_data == {"how": "search"}
    assert access.remote_addr == "127.0.0.1"
    assert "Sarah" not in access.object_repr


def test_a_search_over_200_characters_keeps_what_was_typed_and_says_why(as_caseworker, parents):
    typed = "Sarah Jones " * 20 + "Smith"  # 245 characters
    response = as_caseworker.post(URL, {"q": typed}, follow=True)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Shorten the search to at most 200 characters (it has 245)" in page
    assert f'value="{typed}"' in page
    assert "There is a problem" in page


def test_a_search_with_a_nul_byte_keeps_the_rest_and_says_why(as_caseworker, parents):
    response = as_caseworker.post(URL, {"q": "Sarah\x00 Jones"}, follow=True)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "invisible control character (NUL)" in page
    assert 'value="Sarah Jones"' in page
    assert "\x00" not in page


def test_a_common_name_shows_the_first_few_and_asks_for_more_letters(caseworker):
    for first_name in ("Quillon", "Quillan", "Quillet"):
        make_case(caseworker, first_name=first_name, last_name="Vexbridge")
    found = services.find_parents(caseworker, "vexbridge", limit=2)
    assert len(found) == 2 and found.more
    assert {parent.last_name for parent in found} == {"Vexbridge"}
    shown = get_logentry_model().objects.filter(additional_data__how="search")
    assert shown.count() == 2  # only what is shown is recorded
    narrower = services.find_parents(caseworker, "quillon vexbridge", limit=2)
    assert [parent.first_name for parent in narrower] == ["Quillon"] and not narrower.more


def test_the_page_says_when_more_parents_match_than_it_shows(caseworker):
    from django.template.loader import render_to_string

    for first_name in ("Quillon", "Quillan", "Quillet"):
        make_case(caseworker, first_name=first_name, last_name="Vexbridge")
    found = services.find_parents(caseworker, "vexbridge", limit=2, record=False)
    page = render_to_string("cases/parent_search.html", {"results": found, "query": "vexbridge"})
    assert "More than 2 parents found" in page
    assert "add a letter or another part of the name" in page
