"""Senior staff put people on cases and take them off, at once (R7); separated parents are two
cases that never share a caseworker or volunteer, and neither shows the other (R5)."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases import services
from cases.models import CaseEvent, SeparatedParentsLink
from pps.models import Role
from tests.conftest import client_for
from tests.factories import UserFactory, make_case


def test_a_senior_puts_a_caseworker_on_a_case_and_they_reach_it_at_once(senior, second_caseworker, case):
    colleague = client_for(second_caseworker)
    url = reverse("cases:case_detail", args=[case.pk])
    assert colleague.get(url).status_code == 404
    response = client_for(senior).post(
        reverse("cases:case_assign", args=[case.pk]), {"staff": second_caseworker.pk}
    )
    assert response.status_code == 302
    assert colleague.get(url).status_code == 200
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.ASSIGNED)
    assert (event.staff, event.by) == (second_caseworker, senior)


def test_taking_someone_off_a_case_removes_their_access_at_once(senior, caseworker, case):
    own = client_for(caseworker)
    url = reverse("cases:case_detail", args=[case.pk])
    assert own.get(url).status_code == 200
    client_for(senior).post(reverse("cases:case_unassign", args=[case.pk, caseworker.pk]))
    assert own.get(url).status_code == 404
    assert services.find_parents(caseworker, "Sarah Jones") == []
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.UNASSIGNED, staff=caseworker).exists()


def test_caseworkers_cannot_assign_anyone(caseworker, second_caseworker, case):
    response = client_for(caseworker).post(
        reverse("cases:case_assign", args=[case.pk]), {"staff": second_caseworker.pk}
    )
    assert response.status_code == 404
    assert not second_caseworker.has_perm("cases.view_case", case)


def test_staff_of_another_service_cannot_be_put_on_a_case(senior, outsider, case):
    response = client_for(senior).post(reverse("cases:case_assign", args=[case.pk]), {"staff": outsider.pk})
    assert response.status_code == 200
    assert "Choose someone from the list" in response.content.decode()
    assert not outsider.has_perm("cases.view_case", case)


@pytest.fixture
def other_parent_case(second_caseworker):
    return make_case(second_caseworker, first_name="Marcellus", last_name="Quennington")


def test_two_cases_are_linked_as_separated_parents(senior, case, other_parent_case):
    response = client_for(senior).post(
        reverse("cases:case_link", args=[case.pk]), {"reference": other_parent_case.reference.lower()}
    )
    assert response.status_code == 302
    assert SeparatedParentsLink.objects.count() == 1
    page = client_for(senior).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert other_parent_case.reference in page


def test_the_same_caseworker_cannot_work_on_both_separated_parents(
    senior, caseworker, case, other_parent_case
):
    services.link_separated_parents(by=senior, case=case, other=other_parent_case)
    response = client_for(senior).post(
        reverse("cases:case_assign", args=[other_parent_case.pk]), {"staff": caseworker.pk}
    )
    assert response.status_code == 200
    assert not caseworker.has_perm("cases.view_case", other_parent_case)
    with pytest.raises(services.CaseworkError, match="works with the other parent of the same child"):
        services.assign_staff(by=senior, case=other_parent_case, staff=caseworker)


def test_cases_sharing_a_caseworker_cannot_be_linked_and_the_page_says_why(
    senior, caseworker, case, other_parent_case
):
    services.assign_staff(by=senior, case=other_parent_case, staff=caseworker)
    response = client_for(senior).post(
        reverse("cases:case_link", args=[case.pk]), {"reference": other_parent_case.reference}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "works on both cases" in page and "separate caseworkers" in page
    assert SeparatedParentsLink.objects.count() == 0


def test_nothing_of_the_other_parent_shows_on_a_caseworkers_case_page(
    senior, as_caseworker, case, other_parent_case
):
    services.link_separated_parents(by=senior, case=case, other=other_parent_case)
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert other_parent_case.reference not in page
    assert "Marcellus" not in page and "Quennington" not in page  # the other parent's name
    assert "Separated parents" not in page


def test_an_unknown_reference_is_explained(senior, case):
    response = client_for(senior).post(reverse("cases:case_link", args=[case.pk]), {"reference": "NOPE42"})
    assert "No case of your service has that reference" in response.content.decode()


def test_a_volunteer_sees_colleagues_names_but_never_their_contact_details(senior, case, service):
    volunteer = UserFactory(service=service, role=Role.VOLUNTEER, work_phone="07700 900777")
    services.assign_staff(by=senior, case=case, staff=volunteer)
    page = client_for(volunteer).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    caseworker = case.opened_by
    assert escape(caseworker.display_name) in page
    assert caseworker.email not in page
    assert "07700 900777" not in page


def test_the_senior_is_told_who_is_not_offered_and_why(
    senior, caseworker, second_caseworker, case, other_parent_case
):
    services.link_separated_parents(by=senior, case=case, other=other_parent_case)

    page = client_for(senior).get(reverse("cases:case_detail", args=[other_parent_case.pk])).content.decode()

    assert escape(f"Not offered: {caseworker.display_name}, who works on the other parent's case.") in page
    page = client_for(senior).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert escape(f"Not offered: {second_caseworker.display_name}, who works on") in page


def test_a_side_form_sent_with_a_mistake_is_summarised_at_the_top_of_the_case_page(senior, case):
    client = client_for(senior)
    for url, data, message in (
        (reverse("cases:case_link", args=[case.pk]), {"reference": ""}, "Enter the other parent"),
        (reverse("cases:case_assign", args=[case.pk]), {"staff": ""}, "Choose who to put on the case"),
    ):
        page = client.post(url, data).content.decode()
        assert page.count('class="govuk-error-summary"') == 1
        summary = page.split('class="govuk-error-summary"', 1)[1].split("</div>", 1)[0]
        assert message in summary and 'href="#id_' in summary
        assert "<title>Error: " in page
