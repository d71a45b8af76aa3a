"""The time a search takes does not depend on records the searcher cannot reach (issue 10,
item 3): the token lookup is scoped to what the searcher may reach, and exactly the same queries
run whether a parent exists in another service, on a colleague's case, or nowhere at all.

Asserted on the queries' structure, not on wall time (which would be flaky);
``benchmarks/search_timing.py`` measures the times themselves."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from tests.factories import make_case


def query_shapes(user, query) -> list[str]:
    """The SQL a search runs, with its parameters (digests, ids) left out."""
    # What a process reads once, whoever is searched for (the ``view_case`` permission's id),
    # is read first: the compared searches then differ only by what was searched for.
    services.find_parents(user, "Warm Up", record=False)
    with CaptureQueriesContext(connection) as captured:
        found = services.find_parents(user, query, record=False)
    assert found == []
    shapes = []
    for run in captured.captured_queries:
        sql = re.sub(r"'[^']*'", "?", run["sql"])
        sql = re.sub(r"\b[0-9a-f]{32}\b|\b\d+\b", "?", sql)
        shapes.append(re.sub(r"\(\?(, \?)*\)", "(…)", sql))
    return shapes


@pytest.fixture
def elsewhere(other_service, second_caseworker, caseworker):
    """Parents the caseworker cannot reach: in another service, and on a colleague's case."""
    from pps.models import Role
    from tests.factories import UserFactory

    other = UserFactory(service=other_service, role=Role.CASEWORKER, username="otto")
    make_case(other, first_name="Hayley", last_name="Dawson", phone="07700 900555", email="h.d@example.org")
    make_case(second_caseworker, first_name="Imogen", last_name="Pryce", postcode="ME15 6AA")
    make_case(caseworker, first_name="Sarah", last_name="Jones")


@pytest.mark.parametrize(
    "unreachable, unused",
    [
        ("Hayley Dawson", "Qwerty Zxcvb"),  # another service's parent
        ("07700 900555", "07700 900999"),
        ("h.d@example.org", "nobody@example.org"),
        ("Imogen Pryce", "Ulrika Vandersloot"),  # a colleague's case in the same service
        ("ME15 6AA", "ME15 9ZZ"),
    ],
)
def test_a_search_does_the_same_work_for_an_unreachable_parent_and_for_nobody(
    caseworker, elsewhere, unreachable, unused
):
    assert query_shapes(caseworker, unreachable) == query_shapes(caseworker, unused)


def test_a_senior_managers_search_does_the_same_work_too(senior, elsewhere):
    assert query_shapes(senior, "Hayley Dawson") == query_shapes(senior, "Qwerty Zxcvb")


def test_a_match_runs_the_same_queries_as_no_match(caseworker, elsewhere):
    def shapes(query):
        services.find_parents(caseworker, "Warm Up", record=False)  # what a process reads once
        with CaptureQueriesContext(connection) as captured:
            services.find_parents(caseworker, query, record=False)
        return len(captured.captured_queries)

    assert shapes("Sarah Jones") == shapes("Qwerty Zxcvb")


def token_queries(user, query) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        services.find_parents(user, query, record=False)
    return [q["sql"] for q in captured.captured_queries if "parentsearchtoken" in q["sql"].lower()]


def test_a_senior_managers_token_lookup_reads_only_their_services_tokens(senior, elsewhere):
    sql = token_queries(senior, "Hayley Dawson")
    assert sql and all("service_id" in each for each in sql)


def test_a_caseworkers_token_lookup_probes_only_the_parents_they_may_reach(caseworker, elsewhere):
    from cases.models import Parent

    sql = " ".join(token_queries(caseworker, "Imogen Pryce"))
    reachable = set(Parent.objects.visible_to(caseworker).values_list("pk", flat=True))
    assert reachable
    for parent in Parent.objects.all():
        assert (parent.pk.hex in sql or str(parent.pk) in sql) == (parent.pk in reachable)
