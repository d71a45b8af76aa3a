import factory.random
import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from pps import otp, services
from pps.models import Role
from tests.factories import ServiceFactory, UserFactory, make_case

POLICY_TEXT = "Everything a parent tells us stays within the service unless they agree otherwise."


@pytest.fixture(autouse=True)
def _same_names_every_run(request):
    """The factories' fake names depend on the test alone, not on the order or the process the
    tests run in: a test that fails on a name fails every time, not one run in fifty."""
    factory.random.reseed_random(request.node.nodeid)


def with_policy(service):
    """The service as it runs: with a confidentiality policy, published by its head of service."""
    head = UserFactory(
        service=service, role=Role.HEAD_OF_SERVICE, username=f"head.{service.short_name.lower()}"
    )
    services.publish_policy(head, service, POLICY_TEXT)
    return service


@pytest.fixture
def service(db):
    return with_policy(ServiceFactory(name="Kent Parent Partnership Service", short_name="KPPS"))


@pytest.fixture
def other_service(db):
    return with_policy(ServiceFactory(name="Reading Parent Partnership Service", short_name="RPPS"))


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
def head(service):
    """The service's head of service (made with the service); not a designated lead."""
    from pps.models import User

    return User.objects.get(service=service, role=Role.HEAD_OF_SERVICE)


@pytest.fixture
def non_lead_senior(service):
    """A senior manager who is not a designated safeguarding lead: may only break glass."""
    return UserFactory(service=service, role=Role.SENIOR_MANAGER, username="nell")


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


def client_for(user, *, verified: bool = True, agreed: bool = True) -> Client:
    """A client signed in as ``user``, past every sign-in step: password, then the second factor
    (a confirmed authenticator app, as if its code was entered; not with ``verified=False``), and
    agreement to the service's current confidentiality policy (not with ``agreed=False``)."""
    if agreed and (policy := services.policy_to_agree(user)):
        services.agree_to_policy(user, policy)
    client = Client()
    client.force_login(user)
    if verified:
        device = otp.confirmed_device(user)
        if device is None:
            otp.create_demo_device(user)
            device = otp.confirmed_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[otp.VERIFIED_AT_SESSION_KEY] = timezone.now().isoformat()
        session.save()
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
