"""An imported case given what the old system recorded of it, learnt from a later file."""

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent
from reports.models import DailyCount
from tests.factories import make_case


def _at(day):
    return timezone.make_aware(timezone.datetime.fromisoformat(f"{day} 12:00"))


def test_it_moves_the_opening_closes_the_case_and_the_statistics_follow(head, caseworker):
    case = make_case(caseworker, first_name="Sarah", last_name="Jones", phone="07700 900123")
    services.update_imported_case(
        by=head,
        case=case,
        summary="Assessment",
        opened_at=_at("2023-09-01"),
        closed_at=_at("2023-11-30"),
        closed_reason="Closed in Charitylog.",
    )
    case = Case.objects.get(pk=case.pk)
    case.parent.household_key()
    assert (case.summary, case.status) == ("Assessment", Case.Status.CLOSED)
    events = sorted((e.kind, e.at.date().isoformat()) for e in CaseEvent.objects.filter(case=case))
    assert events == [(CaseEvent.Kind.CLOSED, "2023-11-30"), (CaseEvent.Kind.OPENED, "2023-09-01")]
    opened = DailyCount.objects.filter(service=case.service, grain="d", figure="open", n__gt=0)
    assert [count.day.isoformat() for count in opened] == ["2023-09-01"]


def test_a_closed_case_or_one_of_another_service_is_not_changed(head, caseworker, outsider):
    case = make_case(caseworker, first_name="Sarah", last_name="Jones", phone="07700 900123")
    with pytest.raises(services.CaseworkError, match="not one of your service's"):
        services.update_imported_case(by=outsider, case=case, summary="x")
    services.close_case(by=caseworker, case=case, reason="Done")
    with pytest.raises(services.CaseworkError, match="closed"):
        services.update_imported_case(by=head, case=case, summary="x")
