"""The Statistics page: who sees it, what they see, and that nothing of another service shows by
name."""

import pytest
from django.urls import reverse

from pps.models import Role
from tests.conftest import client_for, with_policy
from tests.dates import dated
from tests.factories import ServiceFactory, UserFactory
from tests.reports.conftest import case_at, contact_at, local

URL = reverse("reports:statistics")
LAST_ACADEMIC_YEAR = {"period": "ay-2024"}


@pytest.mark.parametrize("persona", ["caseworker", "volunteer", "maintainer", "outsider"])
def test_people_whose_work_is_not_statistics_get_404(request, persona):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 404


def test_a_coordinator_sees_their_services_tables_with_small_numbers_hidden(coordinator, caseworker, service):
    case = case_at(caseworker, local(2024, 10, 1))
    for day in range(1, 8):
        contact_at(caseworker, local(2024, 11, day), case, channel="phone")
    contact_at(caseworker, local(2024, 11, 9), None, channel="email")
    page = client_for(coordinator).get(URL, LAST_ACADEMIC_YEAR).content.decode()
    assert "Academic year 2024/25" in page and "Academic year 2023/24" in page
    assert "No name given (NNG)" in page
    assert "fewer than 5" in page  # the one NNG email
    assert "Counts from 1 to 4 are shown as" in page  # the rule, at the top
    assert page.count("Suppression: “fewer than 5” is a count from 1 to 4") == page.count("<caption")
    assert "<svg" in page and "app-chart__bar" in page
    assert "Caseloads" not in page  # internal figures are for senior staff
    assert "Subject access requests" not in page


def test_senior_staff_also_see_caseloads_and_the_head_sees_subject_access_figures(
    head, senior, caseworker, case
):
    senior_page = client_for(senior).get(URL).content.decode()
    assert "Caseloads" in senior_page and caseworker.display_name in senior_page
    assert "Subject access requests" not in senior_page
    head_page = client_for(head).get(URL).content.decode()
    assert "Subject access requests" in head_page


def test_the_rule_is_the_services_setting(coordinator, caseworker, service):
    service.statistics_threshold = 10
    service.statistics_rounding = True
    service.save()
    page = client_for(coordinator).get(URL).content.decode()
    assert "fewer than 10" in page and "rounded to the nearest 5" in page


def test_a_date_range_the_wrong_way_round_is_refused_with_a_message(coordinator):
    response = client_for(coordinator).get(
        URL, dated({"period": "range", "start": "2025-02-01", "end": "2025-01-01"})
    )
    assert response.status_code == 200
    assert "The last day must be on or after the first day" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"period": "nonsense"},
        dated({"period": "range", "start": "x"}, "start"),
        dated({"period": "range", "start": "1900-01-01", "end": "1900-02-01"}),
    ],
)
def test_bad_periods_never_give_a_500(coordinator, query):
    assert client_for(coordinator).get(URL, query).status_code == 200


def test_with_two_services_there_is_no_all_services_column(coordinator, other_service):
    page = client_for(coordinator).get(URL).content.decode()
    assert "All services" not in page
    assert other_service.name not in page


def test_with_three_services_a_coordinator_sees_all_services_but_no_other_service_by_name(
    coordinator, caseworker, outsider, other_service, service
):
    third = with_policy(ServiceFactory(name="Hampshire SENDIASS", short_name="HSIAS"))
    third_worker = UserFactory(service=third, role=Role.CASEWORKER)
    for day in range(1, 12):
        contact_at(caseworker, local(2024, 11, day), None)
        contact_at(outsider, local(2024, 11, day), None)
        contact_at(third_worker, local(2024, 11, day), None)
    page = client_for(coordinator).get(URL, LAST_ACADEMIC_YEAR).content.decode()
    assert "All services, Academic year 2024/25" in page
    assert other_service.name not in page and third.name not in page
    assert other_service.short_name not in page and third.short_name not in page
    assert ">33<" in page  # all NNG contacts of the three services


def test_in_the_all_services_column_a_small_difference_from_this_service_is_hidden(
    coordinator, caseworker, outsider, service
):
    from reports import periods
    from reports.services import build_report

    with_policy(ServiceFactory(name="Third service", short_name="T3"))
    for day in range(1, 9):
        contact_at(caseworker, local(2024, 11, day), None, channel="phone")
    contact_at(outsider, local(2024, 11, 20), None, channel="phone")  # others: 1 phone call
    for day in range(1, 9):
        contact_at(outsider, local(2024, 11, day), None, channel="email")
    report = build_report(service, periods.academic_year(2024), viewer=coordinator)
    phone = next(r for r in report.table("contacts_channel").rows if r.code == "phone")
    assert str(phone.cells[0]) == "8"
    assert phone.cells[2].is_hidden  # 9 would show that the other services made 1 call


def test_a_coordinator_lands_on_statistics_and_the_menu_offers_it(coordinator, senior):
    client = client_for(coordinator)
    response = client.get(reverse("cases:dashboard"))
    assert response.status_code == 302 and response.url == URL
    page = client.get(URL).content.decode()
    assert f'href="{URL}" aria-current="page"' in page
    assert reverse("cases:parent_search") not in page
    assert f'href="{URL}"' in client_for(senior).get(reverse("cases:dashboard")).content.decode()


def test_the_page_lists_this_services_recent_exports_only(coordinator, service, other_service):
    from reports.models import StatisticsExport

    other_coordinator = UserFactory(service=other_service, role=Role.COORDINATOR)
    client_for(other_coordinator).post(reverse("reports:statistics_export"), {"format": "csv"})
    client_for(coordinator).post(reverse("reports:statistics_export"), {"format": "xlsx"})
    assert StatisticsExport.objects.count() == 2
    page = client_for(coordinator).get(URL).content.decode()
    assert "Recent exports of this service" in page and "Excel (XLSX)" in page
    assert other_coordinator.display_name not in page
    assert list(StatisticsExport.objects.visible_to(other_coordinator)) == list(
        StatisticsExport.objects.filter(requested_by=other_coordinator)
    )


def test_the_page_costs_a_fixed_number_of_queries(coordinator, caseworker, django_assert_max_num_queries):
    case = case_at(caseworker, local(2024, 10, 1))
    for day in range(1, 6):
        contact_at(caseworker, local(2024, 11, day), case)
    client = client_for(coordinator)
    with django_assert_max_num_queries(40):
        assert client.get(URL, LAST_ACADEMIC_YEAR).status_code == 200


def test_the_head_of_service_sets_the_rule_and_every_table_uses_it(head, coordinator, service):
    from auditlog import get_logentry_model

    response = client_for(head).post(
        reverse("reports:statistics_rule"), {"threshold": "10", "rounding": "on"}
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.statistics_threshold, service.statistics_rounding) == (10, True)
    assert get_logentry_model().objects.filter(object_pk=str(service.pk), actor=head).exists()
    page = client_for(coordinator).get(URL).content.decode()
    assert "fewer than 10" in page and "rounded to the nearest 5" in page


def test_a_rule_out_of_range_is_refused_with_a_message(head, service):
    response = client_for(head).post(reverse("reports:statistics_rule"), {"threshold": "1"})
    assert response.status_code == 400
    assert "The smallest count shown must be at least 3" in response.content.decode()
    service.refresh_from_db()
    assert service.statistics_threshold == 5


@pytest.mark.parametrize("persona", ["coordinator", "senior", "caseworker", "outsider"])
def test_only_the_head_of_service_sets_the_rule(request, persona, service):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(reverse("reports:statistics_rule"), {"threshold": "3"}).status_code == 404
    service.refresh_from_db()
    assert service.statistics_threshold == 5
