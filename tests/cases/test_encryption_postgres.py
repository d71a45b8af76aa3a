"""R9 against the real thing: with the demo data loaded, no table of the PostgreSQL database holds
a parent's name, phone number, email, address, a child's name or a contact's notes."""

from django.db import connection

from cases.models import Child, Contact, Parent
from demo import data as demo
from pps.models import User
from tests.markers import requires_postgres

pytestmark = requires_postgres


def all_table_text() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = [row[0] for row in cursor.fetchall()]
        chunks = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - names from pg_tables
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_raw_tables_hold_none_of_the_demo_personal_data(db):
    demo.load(parents=40, contacts=300)
    staff_names = {user.get_full_name() for user in User.objects.all()}
    secrets = set()
    for parent in Parent.objects.all():
        secrets |= {parent.full_name, parent.phone, parent.email, *parent.address.splitlines()[:1]}
    for child in Child.objects.select_related("parent"):
        secrets.add(child.full_name)
    secrets |= {
        contact.notes for contact in Contact.objects.select_related("case__parent").exclude(case=None)
    }
    secrets = {value for value in secrets if value and " " in value or "@" in (value or "")} - staff_names
    assert len(secrets) > 200
    text = all_table_text()
    found = sorted(value for value in secrets if value in text)
    assert found == []
