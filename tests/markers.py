"""Marks shared by tests in several apps."""

import pytest
from django.db import connection

#: For a test of PostgreSQL-only behaviour. .ci/run runs the suite a second time on PostgreSQL,
#: where these run; on SQLite they are skipped with this reason.
requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/pps_dev",
)
