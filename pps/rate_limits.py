"""Counting requests in the shared cache (``CACHES``: a database table, so every worker process
counts together), for limits on how often something may be done."""

import time

from django.core.cache import cache


def allow(name: str, who: str, *, limit: int, per_seconds: int) -> bool:
    """Counts one more ``name`` by ``who`` in the current window of ``per_seconds``; False once
    ``limit`` were counted in it. Windows are fixed (they start every ``per_seconds``)."""
    window = int(time.time() // per_seconds)
    key = f"pps:rate:{name}:{who}:{window}"
    cache.add(key, 0, timeout=per_seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=per_seconds * 2)
        count = 1
    return count <= limit
