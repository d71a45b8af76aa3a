import pytest
from django.utils import timezone

from cases import services as case_services
from tests.factories import contact_details, make_case
from training import services


@pytest.fixture
def family_case(caseworker, senior):
    """A case whose notes name everyone and everything the system knows about the family."""
    case = make_case(
        caseworker,
        first_name="Bethany",
        last_name="Okonkwo-Reid",
        phone="07700 900456",
        email="beth.okonkwo@example.org",
        address="7 Foxglove Close\nCranbrook",
        postcode="TN17 2QF",
        summary="Bethany wants help with Kai's EHC needs assessment; Hillview Primary School says no.",
    )
    child = case.parent.children.get()
    child.first_name, child.school = "Kai", "Hillview Primary School"
    case_services.update_child(by=caseworker, child=child)
    case_services.log_case_contact(
        by=caseworker,
        case=case,
        details=contact_details(case.service, occurred_at=timezone.now() - timezone.timedelta(minutes=5)),
        notes=(
            "Mrs Okonkwo-Reid (BETHANY) rang from 07700900456 about Kai’s plan. Email "
            f"beth.okonkwo@example.org. Lives at 7 Foxglove Close, Cranbrook TN17 2QF. "
            f"{caseworker.first_name} {caseworker.last_name} to call Hillview back; "
            f"{senior.get_full_name()} agreed. Case {case.reference}."
        ),
    )
    return case


@pytest.fixture
def draft(senior, family_case):
    return services.make_case_study(by=senior, case=family_case)


@pytest.fixture
def submitted(senior, draft):
    return services.submit_case_study(by=senior, study=draft, checked=True)


@pytest.fixture
def approved(head, submitted):
    return services.approve_case_study(by=head, study=submitted, checked=True)
