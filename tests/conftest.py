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


# The audit log refuses TRUNCATE on PostgreSQL (pps migration 0003), but a transactional test
# (the browser tests' live server) ends by flushing every table. Its owner may do that after
# SET pps.audit_maintenance = 'on'; these two fixtures allow it for exactly that flush.
@pytest.fixture(autouse=True)
def _audit_log_is_append_only_again(django_db_blocker):
    """Before each test: the maintenance switch is off."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET pps.audit_maintenance")
    yield


@pytest.fixture(autouse=True)
def _audit_log_may_be_flushed_after_a_transactional_test(request):
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        yield
        return
    from django.db import connection

    request.getfixturevalue("transactional_db")  # so that this teardown runs before its flush
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET pps.audit_maintenance = 'on'")
