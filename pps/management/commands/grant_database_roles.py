"""Gives the application's PostgreSQL role exactly what it needs, and nothing it must not have.

    python manage.py grant_database_roles pps_app        # run as the migration role, after migrate

The migration role owns every table and function (it runs `migrate`); the application role owns
nothing. It may read and write the application's tables, but not create, alter or drop any, and
the audit table it may only read: entries are added through `pps_audit_append`, which sets their
time and chain. The statements are in ``statements()`` and in the README.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

AUDIT_TABLE = "pps_auditentry"


def audit_partitions() -> list[str]:
    """The audit table's monthly partitions (and its default one), as they are now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass ORDER BY 1",
            [AUDIT_TABLE],
        )
        return [row[0] for row in cursor.fetchall()]


def statements(role: str) -> list[str]:
    name = connection.ops.quote_name(role)
    # Through the partitioned table only: a month's partition is not the application's to touch
    # (partitions made later by pps_audit_add_partitions grant nothing to anyone).
    partitions = [f"REVOKE ALL ON {partition} FROM {name}" for partition in audit_partitions()]
    return [
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"REVOKE ALL ON SCHEMA public FROM {name}",
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
        *partitions,
        f"GRANT EXECUTE ON FUNCTION pps_audit_append(jsonb) TO {name}",
        f"GRANT EXECUTE ON FUNCTION pps_audit_seal(integer) TO {name}",
        f"GRANT EXECUTE ON FUNCTION pps_audit_add_partitions(integer) TO {name}",
    ]


class Command(BaseCommand):
    help = "Grant the application's database role what it needs (PostgreSQL; run after migrate)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the application's role, e.g. pps_app")
        parser.add_argument("--print", action="store_true", help="print the statements, run nothing")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL; this database is not.")
        if options["print"]:
            self.stdout.write(";\n".join(statements(role)) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"There is no role {role!r}: CREATE ROLE {role} LOGIN PASSWORD '…' first.")
            cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AUDIT_TABLE])
            if cursor.fetchone()[0] == role:
                raise CommandError(f"{role} owns the tables: the application role must own nothing.")
            for statement in statements(role):
                cursor.execute(statement)
        self.stdout.write(
            self.style.SUCCESS(
                f"{role} may use the application's tables, and add audit entries "
                "only through pps_audit_append."
            )
        )
