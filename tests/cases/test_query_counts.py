"""List pages cost the same number of queries whatever the number of records shown (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from tests.conftest import client_for
from tests.factories import contact_details, make_case


def queries_for(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        # A search is answered by a redirect to its results (POST/redirect/GET): both count.
        response = getattr(client, method)(url, data or {}, **({"follow": True} if method == "post" else {}))
    assert response.status_code == 200
    return len(captured)


def add_cases(user, how_many):
    for _ in range(how_many):
        case = make_case(user, last_name="Jones", children=2)
        services.log_case_contact(by=user, case=case, details=contact_details(case.service), notes="n")


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("get", reverse("cases:dashboard"), None),
        ("get", reverse("cases:case_list"), None),
        ("get", reverse("cases:case_list") + "?status=all", None),
        ("post", reverse("cases:parent_search"), {"q": "jones"}),
    ],
    ids=["dashboard", "case list", "all cases", "search"],
)
@pytest.mark.parametrize("persona", ["caseworker", "senior"])
def test_list_pages_have_a_fixed_query_count(request, caseworker, persona, method, url, data, time_machine):
    # The clock stands still: a rate-limit window (``pps.rate_limits``) starting between the two
    # counts would cost a few more cache queries, whatever the number of records.
    time_machine.move_to(timezone.now(), tick=False)
    client = client_for(request.getfixturevalue(persona))
    add_cases(caseworker, 2)
    queries_for(client, method, url, data)  # warm caches (content types, session)
    few = queries_for(client, method, url, data)
    add_cases(caseworker, 8)
    many = queries_for(client, method, url, data)
    assert many == few, f"{many} queries with 10 cases, {few} with 2"


#: The session (none when sessions are read from Redis); the person with their second factor and
#: policy agreement (one query, ``pps.signed_in``); the case, with its permission asked in the same
#: query (``visible_for_one``: the reach is not read unless a list needs it) and which kinds of
#: record it has (consents, disclosures, statements, documents, corrections, child-protection
#: concerns: ``cases.case_page.record_kinds``, and a read only for those it has: none here);
#: contacts and their topics (on PostgreSQL in the contacts' query, ``with_topic_names``);
#: events, children, staff; ONE statement for every ACCESS entry.
CASE_PAGE_QUERIES = {"postgresql": 8, "sqlite": 9}
#: The page's reads as above (no timeline: the session, the person, the case with its permission),
#: the form's topic and outcome, the contact, its topics and children's codes, the statistics' counts
#: (the day's counts, the people reached, the case's first contact), ONE statement for the audit
#: entries of the contact, its topics and the page's read of the case (``write_with_change``), the
#: message. (The topics' order, the reach and the most-used topics are no longer asked for.) On
#: PostgreSQL the counts and the people reached go in one round trip (``reports.summaries._run``).
LOG_CONTACT_QUERIES = {"postgresql": 17, "sqlite": 18}


def test_a_case_page_costs_the_same_few_queries_with_50_contacts(caseworker, case, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client = client_for(caseworker)
    url = reverse("cases:case_detail", args=[case.pk])

    def log(how_many):
        for _ in range(how_many):
            details = contact_details(case.service)
            services.log_case_contact(by=caseworker, case=case, details=details, notes="n")

    log(2)
    queries_for(client, "get", url)
    few = queries_for(client, "get", url)
    log(48)
    many = queries_for(client, "get", url)
    assert many == few <= CASE_PAGE_QUERIES[connection.vendor], (
        f"{many} queries with 50 contacts, {few} with 2"
    )


def test_logging_a_contact_costs_a_fixed_number_of_queries(caseworker, case, service, time_machine):
    from tests.cases.test_case_work import contact_form

    time_machine.move_to(timezone.now(), tick=False)
    client = client_for(caseworker)
    url = reverse("cases:case_contact_log", args=[case.pk])
    data = contact_form(service)
    assert client.post(url, data).status_code == 302  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as captured:
        assert client.post(url, data).status_code == 302
    most = LOG_CONTACT_QUERIES[connection.vendor]
    assert len(captured) <= most, "\n".join(q["sql"][:120] for q in captured)
