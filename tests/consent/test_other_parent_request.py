"""Another person with parental responsibility asks about a case (R5): nothing is shared; the
request is recorded and routed to the head of service as a subject access request."""

from datetime import date, datetime

import pytest
from auditlog import get_logentry_model
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from consent import services
from consent.models import SubjectAccessRequest
from pps.models import Role, User
from tests.conftest import client_for
from tests.dates import dated
from tests.factories import UserFactory, make_case


def form_data(**overrides) -> dict:
    data = {
        "requester": "Mark Jones, the child's father",
        "how": "phone",
        "received_on": timezone.localdate().isoformat(),
        "asked_for": "Everything the service holds about his son's school. ASKED-FOR",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "received, due",
    [
        (date(2026, 1, 14), date(2026, 2, 16)),  # 14 Feb 2026 is a Saturday: Monday 16th
        (date(2026, 3, 31), date(2026, 4, 30)),  # no 31 April: its last day
        (date(2024, 1, 31), date(2024, 2, 29)),  # leap year
        (date(2026, 12, 1), date(2027, 1, 4)),  # 1 January 2027 a bank holiday, then a weekend
    ],
)
def test_the_legal_due_date_is_one_calendar_month_from_receipt_on_a_working_day(
    caseworker, case, received, due
):
    at = timezone.make_aware(datetime(received.year, received.month, received.day, 10, 0))
    sar = services.record_other_parent_request(
        by=caseworker, case=case, requester="Mark Jones", how="letter", received_at=at, asked_for="A copy"
    )
    assert sar.due_on == due and sar.status == SubjectAccessRequest.Status.RECEIVED


def test_the_request_is_recorded_and_shares_nothing(caseworker, case, as_caseworker):
    response = as_caseworker.post(reverse("consent:other_parent_request", args=[case.pk]), dated(form_data()))
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    sar = SubjectAccessRequest.objects.get()
    assert sar.case == case and sar.recorded_by == caseworker and sar.service == case.service
    assert sar.requester == "Mark Jones, the child's father" and "ASKED-FOR" in sar.asked_for
    assert not case.disclosures.exists()
    assert "ASKED-FOR" not in str(SubjectAccessRequest.objects.values("asked_for").get())  # encrypted
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Nothing has been shared" in page


def test_the_request_is_audited(caseworker, case, as_caseworker):
    entry = get_logentry_model()
    as_caseworker.post(reverse("consent:other_parent_request", args=[case.pk]), dated(form_data()))
    sar = SubjectAccessRequest.objects.get()
    created = entry.objects.get(action=entry.Action.CREATE, object_pk=str(sar.pk))
    assert created.actor == caseworker
    assert "ASKED-FOR" not in str(created.changes) and "Mark" not in str(created.changes)
    assert entry.objects.filter(
        action=entry.Action.ACCESS,
        actor=caseworker,
        object_pk=str(case.pk),
        additional_data__how="record other parent's request",
    ).exists()


def test_it_can_be_recorded_on_a_separated_parents_case(caseworker, senior, case):
    other_worker = UserFactory(username="olly", role=Role.CASEWORKER, service=case.service)
    other = make_case(other_worker, first_name="Mark", last_name="Jones")
    case_services.link_separated_parents(by=senior, case=case, other=other)
    response = client_for(other_worker).post(
        reverse("consent:other_parent_request", args=[other.pk]), dated(form_data(requester="Sarah Jones"))
    )
    assert response.status_code == 302
    assert SubjectAccessRequest.objects.get().case == other


@pytest.mark.parametrize(
    "overrides",
    [
        {"requester": ""},
        {"how": "smoke"},
        {"received_on": "2099-01-01"},
        {"received_on": "nope"},
        {"asked_for": "  "},
    ],
)
def test_bad_input_is_refused_and_what_was_typed_kept(case, as_caseworker, overrides):
    response = as_caseworker.post(
        reverse("consent:other_parent_request", args=[case.pk]), dated(form_data(**overrides), "received_on")
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Mark Jones" in page or overrides.get("requester") == ""
    assert not SubjectAccessRequest.objects.exists()


def test_senior_staff_see_the_requests_by_due_date(caseworker, senior, case, service):
    services.record_other_parent_request(
        by=caseworker,
        case=case,
        requester="Mark Jones",
        how="email",
        received_at=timezone.now(),
        asked_for="All notes",
    )
    head = User.objects.get(service=service, role=Role.HEAD_OF_SERVICE)
    for user in (senior, head):
        response = client_for(user).get(reverse("consent:subject_access_request_list"), follow=True)
        page = response.content.decode()
        assert response.redirect_chain[-1][0] == reverse("rights:request_list")
        assert "Mark Jones" in page and case.reference in page and "Days left" in page


@pytest.mark.parametrize(
    "persona", ["caseworker", "second_caseworker", "volunteer", "coordinator", "maintainer", "outsider"]
)
def test_nobody_else_sees_the_requests(request, caseworker, case, persona):
    services.record_other_parent_request(
        by=caseworker,
        case=case,
        requester="Mark Jones",
        how="email",
        received_at=timezone.now(),
        asked_for="All",
    )
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("consent:subject_access_request_list")
    )
    assert response.status_code == 404
    assert "Mark Jones" not in response.content.decode()


def test_another_services_senior_sees_nothing(caseworker, case, other_service):
    services.record_other_parent_request(
        by=caseworker,
        case=case,
        requester="Mark Jones",
        how="email",
        received_at=timezone.now(),
        asked_for="All",
    )
    head = User.objects.get(service=other_service, role=Role.HEAD_OF_SERVICE)
    page = client_for(head).get(reverse("consent:subject_access_request_list"), follow=True).content.decode()
    assert "Mark Jones" not in page and case.reference not in page


@pytest.mark.parametrize("persona", ["outsider", "second_caseworker", "coordinator", "maintainer"])
def test_others_cannot_record_one_on_a_case_they_cannot_reach(request, case, persona):
    client = client_for(request.getfixturevalue(persona))
    assert (
        client.post(reverse("consent:other_parent_request", args=[case.pk]), dated(form_data())).status_code
        == 404
    )
    assert not SubjectAccessRequest.objects.exists()


def test_the_list_costs_a_fixed_number_of_queries(caseworker, senior, django_assert_max_num_queries):
    for n in range(5):
        other = make_case(caseworker)
        services.record_other_parent_request(
            by=caseworker,
            case=other,
            requester=f"Requester{n}",
            how="email",
            received_at=timezone.now(),
            asked_for="All",
        )
    client = client_for(senior)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("rights:request_list")).content.decode()
    assert "Requester4" in page
