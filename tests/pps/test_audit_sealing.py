"""R8 at scale: audit entries are written without waiting for one another and sealed into the
hash chain afterwards, in one ordered step; an entry waiting to be sealed can no more be changed
than a sealed one. A request writes its ACCESS entries in one statement."""

import json

import pytest
from auditlog import get_logentry_model
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from cases import access as cases_access
from cases.models import Case
from consent import services as consent_services
from pps.audit import record_access
from pps.audit_chain import SEAL_WITHIN_MINUTES, seal, verify_chain
from pps.request_scope import request_scope
from tests.conftest import client_for
from tests.markers import requires_postgres


def entries():
    return get_logentry_model().objects


@requires_postgres
def test_new_entries_wait_unsealed_until_sealing_chains_them_in_order(caseworker, case):
    seal()
    record_access(caseworker, [case, case.parent], how="case page")
    waiting = list(entries().filter(chain_position__isnull=True).order_by("id"))
    assert len(waiting) == 2 and all(entry.row_hash == "" for entry in waiting)
    assert seal() == 2
    sealed = list(entries().filter(pk__in=[e.pk for e in waiting]).order_by("id"))
    assert sealed[1].chain_position == sealed[0].chain_position + 1
    assert sealed[1].prev_hash == sealed[0].row_hash
    assert not entries().filter(chain_position__isnull=True).exists()
    assert verify_chain().intact


@requires_postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE pps_auditentry SET object_repr = 'x' WHERE chain_position IS NULL",
        "DELETE FROM pps_auditentry WHERE chain_position IS NULL",
        # Sealing by hand with a made-up hash, or out of turn, is refused too.
        "UPDATE pps_auditentry SET chain_position = 1000000, prev_hash = 'f', row_hash = 'f' "
        "WHERE chain_position IS NULL",
    ],
)
def test_an_entry_waiting_to_be_sealed_cannot_be_changed_or_removed(caseworker, case, statement):
    record_access(caseworker, [case], how="case page")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(statement)


@requires_postgres
def test_two_connections_append_at_once_without_waiting(caseworker, case):
    # This connection appends in a transaction it keeps open...
    record_access(caseworker, [case], how="case page")
    entry = {
        "content_type_id": entries().first().content_type_id,
        "object_pk": str(case.pk),
        "object_repr": str(case.pk),
        "action": 3,
        "changes_text": "",
        "additional_data": {"how": "case page"},
    }
    # ...while another appends too: with a lock on every write it would wait, and time out.
    other = connection.copy()
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            cursor.execute("SELECT * FROM pps_audit_append(%s::jsonb)", [json.dumps([entry] * 2)])
            assert len(cursor.fetchall()) == 2
        other.rollback()  # leaves nothing behind in the test database
    finally:
        other.close()


@requires_postgres
def test_verification_names_an_entry_left_unsealed_too_long(caseworker, case):
    seal()
    record_access(caseworker, [case], how="case page")
    stale = entries().filter(chain_position__isnull=True).get()
    with connection.cursor() as cursor:  # what a stopped sealer looks like, some minutes on
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE pps_auditentry DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE pps_auditentry SET timestamp = now() - make_interval(mins => %s) WHERE id = %s",
            [SEAL_WITHIN_MINUTES + 1, stale.pk],
        )
        cursor.execute("ALTER TABLE pps_auditentry ENABLE TRIGGER USER")
    report = verify_chain()
    assert report.first_broken_id == stale.pk
    assert "to be sealed" in report.problem


def audit_writes(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured
        if "pps_audit_append" in q["sql"] or q["sql"].startswith('INSERT INTO "pps_auditentry"')
    ]


def test_a_page_showing_several_records_writes_them_in_one_statement(caseworker, case):
    from django.test.utils import CaptureQueriesContext

    consent_services.record_consent(
        by=caseworker,
        case=case,
        method="written_meeting",
        parent_was_told="Sharing with the school.",
        recipients=["school"],
    )
    client = client_for(caseworker)
    before = entries().count()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    shown = entries().filter(actor=caseworker, additional_data__how="case page").order_by("-id")[:2]
    assert entries().count() == before + 2  # the case and its consent
    assert {entry.content_type.model for entry in shown} == {"case", "consent"}
    assert len(audit_writes(captured)) == 1


def test_a_read_is_recorded_even_when_the_page_then_fails(senior, case):
    url = reverse("cases:case_unassign", args=[case.pk, "00000000-0000-0000-0000-000000000000"])
    assert client_for(senior).post(url).status_code == 404
    recorded = entries().filter(actor=senior, object_pk=str(case.pk), additional_data__how="unassign staff")
    assert recorded.exists()


def test_the_reach_read_once_a_request_follows_a_change_at_once(second_caseworker, case):
    with request_scope():
        assert not Case.objects.visible_to(second_caseworker).exists()
        cases_access.assign_to_case(second_caseworker, case)
        assert list(Case.objects.visible_to(second_caseworker)) == [case]
        cases_access.unassign_from_case(second_caseworker, case)
        assert not Case.objects.visible_to(second_caseworker).exists()
