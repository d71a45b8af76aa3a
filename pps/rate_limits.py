"""Counting requests in the shared cache (``CACHES``, from ``CACHE_URL``: Redis, or a table of
the database), so that every worker process and every server counts together, for limits on how
often something may be done.

Each count is one atomic step wherever it is kept: Redis increments in the server (``INCR``); in
the database cache, whose ``incr`` is a read then a write (two processes could both read 3 and
both write 4), the entry's row is locked for the read and the write (PostgreSQL ``FOR UPDATE``;
SQLite lets one writer in at a time anyway).
"""

import time

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


def allow(name: str, who: str, *, limit: int, per_seconds: int) -> bool:
    """Counts one more ``name`` by ``who`` in the current window of ``per_seconds``; False once
    ``limit`` were counted in it. Windows are fixed (they start every ``per_seconds``)."""
    window = int(time.time() // per_seconds)
    key = f"pps:rate:{name}:{who}:{window}"
    return count(key, timeout=per_seconds * 2) <= limit


def count(key: str, *, timeout: int) -> int:
    """Adds one to the count under ``key`` (made with 0 if missing) and returns it."""
    cache = caches["default"]
    if isinstance(cache, DatabaseCache):
        return _count_in_database(cache, key, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=timeout)
        return 1


def _count_in_database(cache: DatabaseCache, key: str, timeout: int) -> int:
    alias = router.db_for_write(cache.cache_model_class)
    connection = connections[alias]
    with transaction.atomic(using=alias):
        cache.add(key, 0, timeout=timeout)
        if connection.features.has_select_for_update:
            table = connection.ops.quote_name(cache._table)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608 # nosec B608: the cache table's name, quoted
                    [cache.make_and_validate_key(key)],
                )
        value = (cache.get(key) or 0) + 1
        cache.set(key, value, timeout=timeout)
    return value
