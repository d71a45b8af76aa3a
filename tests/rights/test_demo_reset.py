"""Resetting the demo data removes answered requests too (they protect cases and files)."""

from django.db import connection

from cases.models import Case
from consent.models import SubjectAccessRequest
from pps.models import Role, User
from rights.models import LegalRequest
from tests.cases.test_demo_data import load, logins_file  # noqa: F401 - the fixture
from tests.rights.helpers import answered_request, legal_request_with_extract, raise_concern


def test_a_reset_removes_requests_answered_on_demo_cases(db, logins_file, settings):  # noqa: F811
    settings.DEBUG = True
    load(logins_file)
    caseworker = User.objects.get(username="kw.caseworker")
    case = Case.objects.filter(
        service=caseworker.service, status="open", contacts__logged_by=caseworker
    ).first()
    case = Case.objects.get(pk=case.pk)
    answered_request(caseworker, case, raise_concern(caseworker, case, "Demo concern"))
    legal_request_with_extract(caseworker, case)
    assert SubjectAccessRequest.objects.exists() and LegalRequest.objects.exists()
    if connection.vendor == "postgresql":
        # Deleting the demo staff would clear the actor of their audit entries: an UPDATE the
        # append-only log refuses to anyone but its owner in maintenance (as for any demo reset
        # after use; see README "Who can reach what").
        with connection.cursor() as cursor:
            cursor.execute("SET pps.audit_maintenance = 'on'")
    load(logins_file, "--reset", "--yes-really")
    assert not SubjectAccessRequest.objects.exists() and not LegalRequest.objects.exists()
    assert User.objects.filter(role=Role.HEAD_OF_SERVICE, service__name=caseworker.service.name).exists()
