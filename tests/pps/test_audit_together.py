"""Audit entries written together (``pps.audit.entries_written_together``): the entries single
saves write, in one statement at the end, and none for records a savepoint rolled back."""

import pytest
from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.models import Outcome
from pps.audit import entries_written_together


def _entries_of(outcomes):
    return get_logentry_model().objects.filter(
        content_type=ContentType.objects.get_for_model(Outcome), object_pk__in=[str(o.pk) for o in outcomes]
    )


def test_entries_are_written_at_the_end_in_one_statement(service):
    with entries_written_together():
        outcomes = [Outcome.objects.create(service=service, name=f"Outcome {n}") for n in range(3)]
        assert not _entries_of(outcomes).exists()
    with CaptureQueriesContext(connection) as captured:
        with entries_written_together():
            more = [Outcome.objects.create(service=service, name=f"More {n}") for n in range(3)]
    audit_writes = [q for q in captured if "pps_auditentry" in q["sql"] or "pps_audit_append" in q["sql"]]
    assert len(audit_writes) == 1
    assert _entries_of(outcomes).count() == 3 and _entries_of(more).count() == 3
    assert set(_entries_of(more).values_list("action", flat=True)) == {get_logentry_model().Action.CREATE}


def test_a_rolled_back_savepoint_leaves_no_entries_for_its_records(service):
    with entries_written_together():
        kept = Outcome.objects.create(service=service, name="Kept")
        with pytest.raises(ValueError), transaction.atomic(), entries_written_together():
            lost = Outcome.objects.create(service=service, name="Lost")
            raise ValueError("refused")
    assert _entries_of([kept]).count() == 1
    assert not _entries_of([lost]).exists()
