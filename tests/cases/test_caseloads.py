"""Caseloads: senior staff see open cases per caseworker or volunteer, each one's cases, and the
open cases nobody is on, and allocate those from there (R5 respected)."""

import html

import pytest
from auditlog import get_logentry_model
from django.urls import reverse

from cases import access as cases_access
from cases import caseloads
from cases import services as case_services
from cases.models import CaseEvent
from tests.conftest import client_for
from tests.factories import make_case


@pytest.fixture
def loads(caseworker, second_caseworker, volunteer, senior):
    """Hand-built: the caseworker on two open cases and one closed one, the second caseworker on
    one, the volunteer on none; two open cases nobody is on (opened by the senior manager)."""
    mine = [make_case(caseworker, last_name=f"Quorvath{i}") for i in range(2)]
    closed = make_case(caseworker, last_name="Quorvathclosed")
    case_services.close_case(by=caseworker, case=closed, reason="Finished")
    theirs = make_case(second_caseworker, last_name="Brindlemoss")
    nobodys = [make_case(senior, last_name=f"Zephyrine{i}") for i in range(2)]
    return {"mine": mine, "closed": closed, "theirs": theirs, "nobodys": nobodys}


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_counts_per_caseworker_and_unallocated(loads, caseworker, second_caseworker, volunteer, service):
    figures = caseloads.figures(service.pk)
    assert dict(figures["caseloads"]) == {caseworker: 2, second_caseworker: 1, volunteer: 0}
    assert figures["caseloads"][0] == (caseworker, 2)
    assert figures["unallocated"] == 2 and figures["open"] == 5


def test_a_closed_account_is_not_counted_and_its_cases_are_unallocated(loads, caseworker, service):
    caseworker.is_active = False
    caseworker.save()
    figures = caseloads.figures(service.pk)
    assert caseworker not in dict(figures["caseloads"])
    assert figures["unallocated"] == 4


def test_the_page_shows_counts_and_unallocated_cases_each_audited_once(loads, senior, caseworker):
    response = client_for(senior).get(reverse("cases:caseloads"))
    page = text(response)
    assert caseworker.display_name in page and "Internal: not for export" in page
    assert "Zephyrine0" in page and "Zephyrine1" in page and "Quorvath0" not in page
    entry = get_logentry_model()
    for case in loads["nobodys"]:
        assert (
            entry.objects.filter(action=entry.Action.ACCESS, actor=senior, object_pk=str(case.pk)).count()
            == 1
        )


def test_a_caseworkers_list_shows_their_open_cases_only(loads, senior, caseworker):
    page = text(client_for(senior).get(reverse("cases:caseload_member", args=[caseworker.pk])))
    assert "Quorvath0" in page and "Quorvath1" in page
    assert "Quorvathclosed" not in page and "Brindlemoss" not in page and "Zephyrine" not in page
    entry = get_logentry_model()
    shown = entry.objects.filter(action=entry.Action.ACCESS, actor=senior, additional_data__how="caseload")
    assert sorted(shown.values_list("object_pk", flat=True)) == sorted(
        [str(caseworker.pk)] + [str(case.pk) for case in loads["mine"]]
    )


def test_a_senior_allocates_an_unallocated_case(loads, senior, volunteer):
    case = loads["nobodys"][0]
    response = client_for(senior).post(
        reverse("cases:caseload_allocate", args=[case.pk]), {"staff": volunteer.pk}
    )
    assert response.status_code == 302
    assert cases_access.staff_on_case(case).filter(pk=volunteer.pk).exists()
    assert CaseEvent.objects.filter(case=case, kind="assigned", staff=volunteer, by=senior).exists()
    assert dict(caseloads.figures(senior.service_id)["caseloads"])[volunteer] == 1


def test_separated_parents_never_share_a_caseworker(loads, senior, caseworker, second_caseworker):
    case = loads["nobodys"][0]
    case_services.link_separated_parents(by=senior, case=case, other=loads["mine"][0])
    client = client_for(senior)
    choices = caseloads.allocation_choices([case], senior.service_id)[case.pk]
    assert caseworker not in choices and second_caseworker in choices
    response = client.post(reverse("cases:caseload_allocate", args=[case.pk]), {"staff": caseworker.pk})
    assert response.status_code == 400
    assert "There is a problem" in text(response) and "Choose someone from the list" in text(response)
    assert not cases_access.staff_on_case(case).filter(pk=caseworker.pk).exists()


@pytest.mark.parametrize("persona", ["caseworker", "volunteer", "coordinator", "maintainer", "outsider"])
def test_only_senior_staff_reach_caseloads(request, persona, caseworker, senior):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("cases:caseloads")).status_code == 404
    assert client.get(reverse("cases:caseload_member", args=[caseworker.pk])).status_code == 404
    case = make_case(senior, last_name="Zephyrine")
    assert (
        client.post(reverse("cases:caseload_allocate", args=[case.pk]), {"staff": caseworker.pk}).status_code
        == 404
    )
    assert not cases_access.staff_on_case(case).filter(pk=caseworker.pk).exists()


def test_the_page_costs_the_same_queries_whatever_the_number_of_cases(loads, senior, caseworker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(senior)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("cases:caseloads")).status_code == 200
        return len(captured)

    queries()  # the first request of a session reads what later ones have cached
    before = queries()
    for i in range(3):
        make_case(senior, last_name=f"Wolvercote{i}")
    make_case(caseworker, last_name="Wolvercotemine")
    assert queries() == before
