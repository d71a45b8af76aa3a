"""The PostgreSQL pass of .ci/run really runs on PostgreSQL, rather than silently on SQLite."""

import os

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    os.environ.get("PPS_EXPECT_POSTGRES") != "1",
    reason="only in .ci/run's PostgreSQL pass (PPS_EXPECT_POSTGRES=1)",
)


def test_it_runs_on_postgresql_when_ci_expects_it(db):
    assert connection.vendor == "postgresql", (
        f"PPS_EXPECT_POSTGRES=1 but the suite ran on {connection.vendor}: is DATABASE_URL set?"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
    assert version.startswith("PostgreSQL ")
