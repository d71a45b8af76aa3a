"""R8 on PostgreSQL: the audit log cannot be quietly altered. It refuses updates, deletes and
truncation, and a hash chain names the first entry edited behind its back."""

import pytest
from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from cases import services
from cases.models import Outcome
from pps.audit_chain import append_entries, seal, verify_chain
from tests.markers import requires_postgres

pytestmark = requires_postgres


def tamper(statement, entry_id):
    """What a database superuser could do: switch the triggers off, change a row, switch them on."""
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fire the test transaction's pending FK checks
        cur.execute("ALTER TABLE pps_auditentry DISABLE TRIGGER USER")
        cur.execute(statement, [entry_id])
        cur.execute("ALTER TABLE pps_auditentry ENABLE TRIGGER USER")


def entries():
    return get_logentry_model().objects.order_by("chain_position")


def test_each_entry_is_chained_to_the_one_before(case, as_caseworker):
    as_caseworker.get(reverse("cases:case_detail", args=[case.pk]))
    seal()
    rows = list(entries().values_list("chain_position", "prev_hash", "row_hash"))
    assert len(rows) > 5
    assert rows[0][1] == "0" * 64
    for (position, _, row_hash), (next_position, next_prev, _) in zip(rows, rows[1:], strict=False):
        assert next_position == position + 1
        assert next_prev == row_hash
    assert verify_chain().intact


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE pps_auditentry SET object_repr = 'x'",
        "DELETE FROM pps_auditentry",
        "TRUNCATE pps_auditentry CASCADE",
    ],
)
def test_the_database_refuses_to_change_or_remove_entries(case, statement):
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fire the test transaction's pending FK checks
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(statement)
    assert entries().exists()


def test_the_orm_cannot_change_or_remove_entries_either(case):
    entry = entries().first()
    with pytest.raises(DatabaseError), transaction.atomic():
        entries().filter(pk=entry.pk).update(object_repr="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()


def test_deleting_a_record_keeps_its_history(caseworker, case):
    child = case.parent.children.get()
    child_pk = str(child.pk)
    child.delete()
    assert get_logentry_model().objects.filter(object_pk=child_pk).count() >= 2


def test_the_check_names_the_first_entry_edited_with_the_triggers_disabled(case, caseworker, capsys):
    services.close_case(by=caseworker, case=case, reason="moved away")
    seal()
    victim = entries()[3]
    tamper("UPDATE pps_auditentry SET remote_addr = '6.6.6.6' WHERE id = %s", victim.pk)
    report = verify_chain()
    assert report.first_broken_id == victim.pk
    assert report.checked == 3
    with pytest.raises(CommandError, match=f"broken at entry {victim.pk}"):
        call_command("verify_audit_chain")


def test_the_check_notices_a_removed_entry(case):
    seal()
    victim = entries()[2]
    tamper("DELETE FROM pps_auditentry WHERE id = %s", victim.pk)
    report = verify_chain()
    assert not report.intact
    assert "missing" in report.problem


def test_the_command_reports_an_intact_chain_and_its_head(case, capsys):
    seal()
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "Audit chain intact" in out
    assert entries().last().row_hash in out


def test_entries_appended_together_each_take_one_id_in_their_order(caseworker):
    entry_model = get_logentry_model()
    content_type = ContentType.objects.get_for_model(Outcome)
    written = [
        entry_model(content_type=content_type, object_pk=f"outcome-{n}", object_repr="", action=0, changes={})
        for n in range(5)
    ]
    append_entries(written)
    ids = [entry.pk for entry in written]
    # Each entry's record is built once: one id from the sequence each, in the list's order.
    assert ids == list(range(ids[0], ids[0] + 5))
    stored = entry_model.objects.filter(pk__in=ids).order_by("pk")
    assert [entry.object_pk for entry in stored] == [f"outcome-{n}" for n in range(5)]
