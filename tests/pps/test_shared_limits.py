"""Limits are counted once for every process and server together, even when requests arrive at
the same moment: each count is one atomic step in the shared cache (database or Redis)."""

import socket
import threading
import uuid

import pytest
from django.db import connection, connections

from pps import rate_limits


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(params=["database", "redis"])
def shared_cache(request, settings, db):
    """The shared cache; the test threads each open their own connection, committing as they go."""
    if request.param == "database" and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite lets one writer in at a time, and the test threads would wait")
    if request.param == "redis":
        if not _redis_reachable():
            pytest.skip("needs Redis on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/0",
                "KEY_PREFIX": f"pps-test-{uuid.uuid4().hex}",
            }
        }
    return request.param


def test_requests_arriving_together_get_exactly_the_limit_through(shared_cache):
    who, limit, answers = uuid.uuid4().hex, 15, []
    start = threading.Barrier(8)

    def client():
        start.wait()
        try:
            for _ in range(5):
                answers.append(rate_limits.allow("test", who, limit=limit, per_seconds=3600))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 40
    assert answers.count(True) == limit
