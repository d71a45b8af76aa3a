"""On PostgreSQL, the raw tables hold none of an uploaded document's title, file name or words."""

from django.db import connection

from tests.documents.helpers import attach
from tests.markers import requires_postgres

pytestmark = requires_postgres


def test_a_raw_select_of_every_table_finds_none_of_the_documents_words(caseworker, case):
    attach(
        caseworker,
        case,
        "Pellinore-Gastrell.txt",
        b"Pellinore attends Gastrell Academy.\n",
        title="Wycombe-Ardith review",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = [row[0] for row in cursor.fetchall()]
        text = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - names from pg_tables
            text.extend(row[0] for row in cursor.fetchall())
    text = "\n".join(text)
    assert "documents_document" in tables
    for word in ("Pellinore", "Gastrell", "Wycombe-Ardith"):
        assert word not in text
