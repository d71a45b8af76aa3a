"""PostgreSQL: the audit table is partitioned by month (issue 15, item 3). New entries go into
the present month's partition; the months ahead are made in advance; an entry written for a
month with no partition waits in the default one and is moved, unchanged, into its month when
the month is made; the chain verifies across months; the application role cannot reach a
partition except through the audit table and its functions."""

import datetime as dt
import io

import pytest
from auditlog import get_logentry_model
from django.core.management import call_command
from django.db import connection

from pps.audit import record_access
from pps.audit_chain import MONTHS_AHEAD, add_partitions, seal, verify_chain
from tests.markers import requires_postgres
from tests.pps.test_database_roles import app_role, as_role, refused  # noqa: F401  (app_role: a fixture)

pytestmark = [pytest.mark.postgres, requires_postgres]


def partition_of(entry_id) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM pps_auditentry WHERE id = %s", [entry_id])
        return cursor.fetchone()[0]


def partitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits "
            "WHERE inhparent = 'pps_auditentry'::regclass ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def month_name(day: dt.date) -> str:
    return f"pps_auditentry_{day:%Y_%m}"


def test_a_new_entry_goes_into_this_months_partition(caseworker, case):
    record_access(caseworker, [case], how="case page")
    entry = get_logentry_model().objects.order_by("-id").first()
    assert partition_of(entry.pk) == month_name(dt.datetime.now(dt.UTC).date())


def test_the_months_ahead_are_made_in_advance(db):
    add_partitions()
    month = dt.datetime.now(dt.UTC).date().replace(day=1)
    made = set(partitions())
    for _ in range(MONTHS_AHEAD + 1):
        assert month_name(month) in made
        month = (month + dt.timedelta(days=32)).replace(day=1)
    assert "pps_auditentry_default" in made
    out = io.StringIO()
    call_command("add_audit_partitions", stdout=out)
    assert "Added 0 audit partitions; 0 entries wait in the default partition." in out.getvalue()


def test_an_entry_of_a_month_without_partition_waits_and_is_moved_into_its_month(caseworker, case):
    record_access(caseworker, [case], how="case page")
    seal()
    far = dt.datetime(2041, 3, 15, 12, 0, tzinfo=dt.UTC)
    with connection.cursor() as cursor:  # an entry of a month nobody made a partition for yet
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE pps_auditentry DISABLE TRIGGER USER")
        cursor.execute(
            "INSERT INTO pps_auditentry (content_type_id, object_pk, object_repr, action, changes_text, "
            "timestamp, prev_hash, row_hash) "
            "SELECT content_type_id, object_pk, object_repr, 3, '', %s, '', '' "
            "FROM pps_auditentry ORDER BY id DESC LIMIT 1 RETURNING id",
            [far],
        )
        waiting = cursor.fetchone()[0]
        cursor.execute("ALTER TABLE pps_auditentry ENABLE TRIGGER USER")
    assert partition_of(waiting) == "pps_auditentry_default"
    record_access(caseworker, [case], how="case page")  # one batch, sealed in two partitions
    assert seal() == 2
    assert verify_chain().intact
    sealed_hash = get_logentry_model().objects.get(pk=waiting).row_hash

    added, still_waiting = add_partitions()
    assert added >= 1 and still_waiting == 0
    assert partition_of(waiting) == "pps_auditentry_2041_03"
    moved = get_logentry_model().objects.get(pk=waiting)
    assert moved.timestamp == far and moved.row_hash == sealed_hash
    assert verify_chain().intact


def test_an_entry_cannot_be_back_dated_into_an_earlier_month(case, caseworker):
    record_access(caseworker, [case], how="case page")
    entry = get_logentry_model().objects.order_by("-id").first()
    error = refused(
        "INSERT INTO pps_auditentry (content_type_id, object_pk, object_repr, action, changes_text, "
        "timestamp, prev_hash, row_hash) VALUES (%s, %s, 'x', 3, '', '2001-01-01', '', '')",
        [entry.content_type_id, entry.object_pk],
    )
    assert error  # moved to now by the trigger, which may not move it out of 2001's partition
    assert not get_logentry_model().objects.filter(timestamp__year=2001).exists()


def test_the_application_role_cannot_reach_a_partition_directly(app_role, case, caseworker):  # noqa: F811
    record_access(caseworker, [case], how="case page")
    entry = get_logentry_model().objects.order_by("-id").first()
    this_month = month_name(dt.datetime.now(dt.UTC).date())
    as_role(app_role)
    for statement in (  # the table names are the partitions' own, not input
        "SELECT count(*) FROM {month}",
        "DELETE FROM {month} WHERE id = %s",
        "UPDATE {month} SET object_repr = 'x' WHERE id = %s",
        "INSERT INTO {month} SELECT * FROM pps_auditentry WHERE id = %s",
        "DELETE FROM pps_auditentry_default",
        "TRUNCATE {month}",
    ):
        sql = statement.replace("{month}", this_month)
        assert "permission denied" in refused(sql, [entry.pk] if "%s" in sql else None), sql
    # Reading through the audit table, and making the months ahead, it may.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pps_auditentry WHERE id = %s", [entry.pk])
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT pps_audit_add_partitions(1)")
