import pytest
from django.test import Client

from pps.models import Role
from tests.factories import ServiceFactory, UserFactory, make_case


@pytest.fixture
def service(db):
    return ServiceFactory(name="Kent Parent Partnership Service", short_name="KPPS")


@pytest.fixture
def other_service(db):
    return ServiceFactory(name="Reading Parent Partnership Service", short_name="RPPS")


@pytest.fixture
def caseworker(service):
    """A caseworker who is on ``case``."""
    return UserFactory(service=service, role=Role.CASEWORKER, username="casey")


@pytest.fixture
def second_caseworker(service):
    """A caseworker of the same service who is not on ``case``."""
    return UserFactory(service=service, role=Role.CASEWORKER, username="sam")


@pytest.fixture
def volunteer(service):
    return UserFactory(service=service, role=Role.VOLUNTEER, username="val")


@pytest.fixture
def senior(service):
    """A senior manager and designated safeguarding lead."""
    return UserFactory(service=service, role=Role.SENIOR_MANAGER, is_safeguarding_lead=True, username="lee")


@pytest.fixture
def coordinator(service):
    return UserFactory(service=service, role=Role.COORDINATOR, username="cora")


@pytest.fixture
def maintainer(service):
    return UserFactory(service=service, role=Role.MAINTAINER, username="max")


@pytest.fixture
def outsider(other_service):
    """A caseworker of another service."""
    return UserFactory(service=other_service, role=Role.CASEWORKER, username="otto")


@pytest.fixture
def case(caseworker):
    return make_case(caseworker, first_name="Sarah", last_name="Jones", phone="07700 900123")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_caseworker(caseworker):
    return client_for(caseworker)
