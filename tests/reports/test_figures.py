"""The counts behind each table, against hand-built data: NNG counted, period boundaries, people
reached, casework by level, children once each, waiting, child protection and disclosures."""

from datetime import date, timedelta

import time_machine

from cases import services
from reports import periods, queries
from tests.reports.conftest import case_at, contact_at, local

YEAR = periods.academic_year(2024)  # 1 September 2024 to 31 August 2025


def window():
    return queries.Window([YEAR, YEAR.previous()])


def test_contacts_are_counted_by_channel_person_and_direction_with_nng_on_their_own_line(caseworker, service):
    case = case_at(caseworker, local(2024, 10, 1))
    for _ in range(3):
        contact_at(caseworker, local(2024, 10, 2), case, channel="email", direction="out")
    contact_at(caseworker, local(2024, 10, 3), case, person="young_person")
    contact_at(caseworker, local(2024, 10, 4), None, channel="phone")
    contact_at(caseworker, local(2024, 10, 5), None, channel="meeting", person="professional")
    ids = [service.pk]
    assert queries.contacts_nng(ids, window()) == {"nng": [2, 0], "case": [4, 0]}
    assert queries.contacts_by(ids, window(), "channel") == {
        "email": [3, 0],
        "phone": [2, 0],
        "meeting": [1, 0],
    }
    assert queries.contacts_by(ids, window(), "person") == {
        "parent": [4, 0],
        "young_person": [1, 0],
        "professional": [1, 0],
    }
    assert queries.contacts_by(ids, window(), "direction") == {"in": [3, 0], "out": [3, 0]}
    assert queries.young_people_reached(ids, window()) == {"case": [1, 0], "nng": [0, 0]}


def test_the_first_moment_of_a_period_is_in_it_and_the_first_moment_of_the_next_is_not(caseworker, service):
    contact_at(caseworker, local(2024, 9, 1, 0, 0), None)  # first moment of the year
    contact_at(caseworker, local(2024, 8, 31, 23, 59), None)  # last minute of the year before
    contact_at(caseworker, local(2025, 8, 31, 23, 59), None)  # last minute of the year
    contact_at(caseworker, local(2025, 9, 1, 0, 0), None)  # next year: in neither
    assert queries.contacts_nng([service.pk], window())["nng"] == [2, 1]


def test_another_services_contacts_are_not_counted(caseworker, outsider, service):
    contact_at(outsider, local(2024, 10, 1), None)
    contact_at(caseworker, local(2024, 10, 1), None)
    assert queries.contacts_nng([service.pk], window())["nng"] == [1, 0]


def test_parents_are_counted_once_new_or_returning(caseworker, service):
    returning = case_at(caseworker, local(2024, 3, 1))  # known before the year
    new = case_at(caseworker, local(2024, 11, 1))
    for day in (2, 3, 4):
        contact_at(caseworker, local(2024, 11, day), returning)
        contact_at(caseworker, local(2024, 11, day), new)
    assert queries.parents_reached([service.pk], window()) == {"new": [1, 0], "returning": [1, 0]}


def test_cases_are_counted_opened_closed_and_open_at_the_end_by_level(caseworker, service):
    one = case_at(caseworker, local(2024, 5, 1))  # opened the year before
    two = case_at(caseworker, local(2024, 10, 1))
    three = case_at(caseworker, local(2025, 1, 1))
    services.set_case_codes(by=caseworker, case=one, intervention_level="3", referral_source="school")
    services.set_case_codes(by=caseworker, case=two, intervention_level="3", referral_source="self")
    services.set_case_codes(by=caseworker, case=three, intervention_level="tribunal", referral_source="self")
    with time_machine.travel(local(2025, 3, 1), tick=False):
        services.close_case(by=caseworker, case=two, reason="Resolved")
    ids = [service.pk]
    assert queries.cases_by(ids, window(), "intervention_level", "opened_at") == {
        "3": [1, 1],
        "tribunal": [1, 0],
    }
    assert queries.cases_by(ids, window(), "intervention_level", "closed_at") == {"3": [1, 0]}
    assert queries.cases_open_at_end(ids, window()) == {"3": [1, 1], "tribunal": [1, 0]}
    assert queries.cases_by(ids, window(), "referral_source", "opened_at") == {
        "self": [2, 0],
        "school": [0, 1],
    }


def test_time_spent_is_summed_by_level_with_nng_on_its_own(caseworker, service):
    case = case_at(caseworker, local(2024, 10, 1))
    services.set_case_codes(by=caseworker, case=case, intervention_level="2", referral_source="")
    contact_at(caseworker, local(2024, 10, 2), case, duration_minutes=30)
    contact_at(caseworker, local(2024, 10, 3), None, duration_minutes=12)
    counts, minutes = queries.contacts_by_level([service.pk], window())
    assert counts == {"2": [1, 0], "nng": [1, 0]}
    assert minutes == {"2": [30, 0], "nng": [12, 0]}


def test_each_child_is_counted_once_as_at_their_first_contact_in_the_period(caseworker, service):
    case = case_at(caseworker, local(2024, 10, 1), children=2)
    contact_at(caseworker, local(2024, 10, 2), case)
    contact_at(caseworker, local(2025, 2, 2), case)
    rows = queries.children([service.pk], YEAR)
    assert sum(row["n"] for row in rows) == 2
    assert {(row["phase"], row["need"], row["provision"]) for row in rows} == {
        ("primary", "ASD", "sen_support")
    }


def test_days_waiting_from_first_contact_and_from_referral(caseworker, service):
    from consent.services import close_referral, record_referral_consent
    from tests.consent.test_referrals import make_referral

    case = case_at(caseworker, local(2024, 10, 10))
    contact_at(caseworker, local(2024, 10, 1), case)  # the first call, logged on the case after it opened
    assert queries.days_to_open([service.pk], YEAR) == [9]

    with time_machine.travel(local(2024, 11, 1), tick=False):
        agreed = make_referral(caseworker)
        waiting = make_referral(caseworker)
        declined = make_referral(caseworker)
    with time_machine.travel(local(2024, 11, 4), tick=False):
        record_referral_consent(by=caseworker, referral=agreed, method="oral_phone", at=local(2024, 11, 4))
        close_referral(by=caseworker, referral=declined, because="declined")
    days, still_waiting = queries.days_referral_to_contact([service.pk], YEAR)
    assert sorted(days) == [3, 3] and still_waiting == 1
    assert waiting.pk


def test_child_protection_and_disclosures_are_counts_only(caseworker, senior, case, service):
    from safeguarding.services import raise_concern

    with time_machine.travel(local(2024, 10, 1), tick=False):
        raise_concern(by=caseworker, case=case, child=None, what="x", happened_at=local(2024, 10, 1, 9))
    assert queries.child_protection([service.pk], window()) == {"raised": [1, 0], "referred": [0, 0]}


def test_periods_have_the_previous_one_beside_them():
    assert periods.financial_year(2025).previous() == periods.financial_year(2024)
    assert periods.from_token("quarter-2025-01").previous().start == date(2024, 10, 1)
    assert periods.from_token("month-2025-03").previous().end == date(2025, 2, 28)
    span = periods.date_range(date(2025, 1, 11), date(2025, 1, 20))
    assert (span.previous().start, span.previous().end) == (date(2025, 1, 1), date(2025, 1, 10))
    assert periods.from_token("quarter-2025-02") is None and periods.from_token("fy-x") is None


def test_the_median_wait_is_given_only_on_a_base_at_the_threshold(caseworker, coordinator, service):
    from reports.services import build_report

    for n, wait in enumerate([0, 2, 3, 9, 30]):
        case = case_at(caseworker, local(2024, 10, 10 + n))
        contact_at(caseworker, local(2024, 10, 10 + n) - timedelta(days=wait), case)
    table = build_report(service, YEAR, viewer=coordinator).table("wait_case")
    assert str(table.after[0].cells[0]) == "3 days"
    assert str(table.after[0].cells[1]) == ""  # no cases the year before
    assert [str(r.cells[0]) for r in table.rows] == ["fewer than 5"] * 4  # 1, 2, 1 and 1
    assert str(table.total.cells[0]) == "5"


def test_subject_access_requests_are_counted_as_received_and_answered_in_time_or_late(caseworker, service):
    from consent.models import SubjectAccessRequest
    from rights import services as rights

    case = case_at(caseworker, local(2024, 9, 2))

    def request(received, sent):
        sar = rights.record_request(
            by=caseworker,
            case=case,
            requester_kind="parent",
            how="email",
            received_at=received,
            asked_for="Everything you hold",
        )
        # Stored as the workbench leaves an answered request (its steps are tested in rights).
        SubjectAccessRequest.objects.filter(pk=sar.pk).update(status="sent", sent_at=sent)

    with time_machine.travel(local(2025, 6, 1), tick=False):
        request(local(2024, 10, 1), local(2024, 10, 20))  # answered in time
        request(local(2024, 10, 1), local(2024, 12, 20))  # late
        request(local(2025, 3, 1), None)  # still open
        SubjectAccessRequest.objects.filter(sent_at=None).update(status="received")

    counts = queries.subject_access_requests([service.pk], window())
    assert counts == {"received": [3, 0], "answered": [2, 0], "in_time": [1, 0], "late": [1, 0]}
