"""PostgreSQL: the application's role owns nothing, cannot create, alter, update or delete the
audit table, and adds audit entries only through pps_audit_append, which sets their time and
chain itself; the chain head, published outside the database, shows a cut tail or a rewrite
(issue 10, items 5 and 17)."""

import datetime as dt
import io
import json

import pytest
from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from pps.audit import record_access
from pps.audit_chain import check_published, published_heads, seal, verify_chain
from tests.markers import requires_postgres

pytestmark = [pytest.mark.postgres, requires_postgres]


@pytest.fixture
def app_role(db):
    """A role set up as the README says, then used for the rest of the test (SET LOCAL ROLE)."""
    role = f"{connection.settings_dict['NAME']}_app"[:60]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {connection.ops.quote_name(role)} NOLOGIN")
    call_command("grant_database_roles", role, stdout=io.StringIO())
    return role


def as_role(role):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")


def refused(statement, params=None) -> str:
    """Runs ``statement`` in a savepoint and returns the database's refusal ("" if it ran)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except DatabaseError as error:
        return str(error)
    return ""


def an_entry(case) -> dict:
    return {
        "content_type_id": ContentType.objects.get_for_model(case).pk,
        "object_pk": str(case.pk),
        "object_repr": str(case.pk),
        "action": 3,
        "changes_text": "",
        "timestamp": "2001-01-01T00:00:00+00:00",
        "additional_data": {"how": "forged"},
    }


def test_the_application_role_cannot_touch_the_audit_table_except_through_the_function(app_role, case):
    entry_id = get_logentry_model().objects.order_by("-id").values_list("id", flat=True).first()
    as_role(app_role)
    assert "permission denied" in refused("CREATE TABLE pps_evil (id int)")
    assert "must be owner" in refused("ALTER TABLE pps_auditentry DISABLE TRIGGER USER")
    assert "must be owner" in refused("ALTER TABLE pps_auditentry ADD COLUMN evil int")
    assert "must be owner" in refused("DROP TABLE pps_auditentry")
    assert "permission denied" in refused(
        "UPDATE pps_auditentry SET object_repr = 'x' WHERE id = %s", [entry_id]
    )
    assert "permission denied" in refused("DELETE FROM pps_auditentry WHERE id = %s", [entry_id])
    assert "permission denied" in refused("TRUNCATE pps_auditentry")
    forged = (
        "INSERT INTO pps_auditentry (content_type_id, object_pk, object_repr, action, changes_text, "
        "timestamp) VALUES (%s, %s, %s, 3, '', '2001-01-01')"
    )
    assert "permission denied" in refused(forged, [an_entry(case)["content_type_id"], str(case.pk), "x"])
    assert "permission denied" in refused("SET pps.audit_maintenance = 'on'; DELETE FROM pps_auditentry")

    # Through the function it works, and the function, not the caller, sets the time; the entry
    # waits unsealed, and the role may seal it into the chain.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM pps_audit_append(%s::jsonb)", [json.dumps([an_entry(case)])])
        [(new_id, at, position, row_hash)] = cursor.fetchall()
    assert at > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # not back-dated to 2001
    assert position is None and row_hash == ""
    assert seal() >= 1
    assert get_logentry_model().objects.get(pk=new_id).chain_position
    assert verify_chain().intact


def test_the_application_itself_works_under_that_role(app_role, case, caseworker):
    as_role(app_role)
    before = get_logentry_model().objects.count()
    record_access(caseworker, [case], how="case page")  # bulk, through the function
    case.summary = "Changed under the application role."
    case.save()  # django-auditlog's own entry, through the function
    seal()
    latest = get_logentry_model().objects.order_by("-chain_position").first()
    assert get_logentry_model().objects.count() >= before + 2
    assert latest.actor_id is None or latest.chain_position
    assert verify_chain().intact


def test_the_application_role_owns_nothing(app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = %s", [app_role])
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT count(*) FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner WHERE r.rolname = %s",
            [app_role],
        )
        assert cursor.fetchone()[0] == 0


def maintenance(statement, params=None):
    """What the table's owner (or a superuser) could do: the maintenance switch, then SQL."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL pps.audit_maintenance = 'on'")
        cursor.execute(statement, params)
        cursor.execute("SET LOCAL pps.audit_maintenance = 'off'")


@pytest.fixture
def heads_file(tmp_path, case, caseworker):
    for _ in range(3):
        record_access(caseworker, [case], how="case page")
    path = tmp_path / "audit-heads.jsonl"
    call_command("publish_audit_head", file=str(path), stdout=io.StringIO())
    return path


def test_the_published_head_is_in_a_file_and_the_chain_holds_it(heads_file):
    [head] = published_heads(heads_file)
    assert head["position"] == get_logentry_model().objects.order_by("-chain_position").first().chain_position
    out = io.StringIO()
    call_command("verify_audit_chain", published=str(heads_file), stdout=out)
    assert "Every chain head published" in out.getvalue()


def test_cutting_the_tail_is_found(heads_file):
    [head] = published_heads(heads_file)
    maintenance("DELETE FROM pps_auditentry WHERE chain_position > %s", [head["position"] - 2])
    assert verify_chain().intact  # the chain alone cannot see it
    assert "removed from the end" in check_published(published_heads(heads_file))
    with pytest.raises(CommandError, match="removed from the end"):
        call_command("verify_audit_chain", published=str(heads_file), stdout=io.StringIO())


def test_rewriting_from_a_point_is_found(heads_file, case):
    [head] = published_heads(heads_file)
    maintenance("DELETE FROM pps_auditentry WHERE chain_position >= %s", [head["position"] - 1])
    with connection.cursor() as cursor:  # a consistent new chain from that point
        cursor.execute("SELECT * FROM pps_audit_append(%s::jsonb)", [json.dumps([an_entry(case)] * 3)])
    seal()
    assert verify_chain().intact
    assert "rewritten" in check_published(published_heads(heads_file))
