"""Sessions read from the shared cache (Redis) and written through to the database, as Django's
``cached_db`` does, except that a copy is read from Redis for at most ``CACHED_SECONDS`` before
the database is read again.

That bounds what a failed Redis write or delete can do: should Redis refuse writes while still
answering reads, the copy it holds from before a sign-out or an idle lock would otherwise be
read until the session's own expiry (12 hours); now for five minutes at most. It costs one
session read from the database a person every five minutes.
"""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseStore

#: The longest a session is read from Redis without the database being read again.
CACHED_SECONDS = 300


class _AtMost:
    """The cache, with every timeout set on it cut to ``CACHED_SECONDS``."""

    def __init__(self, cache):
        self._cache = cache

    def __getattr__(self, name):
        return getattr(self._cache, name)

    def __contains__(self, key):
        return key in self._cache

    def set(self, key, value, timeout=None, **kwargs):
        return self._cache.set(key, value, _capped(timeout), **kwargs)

    async def aset(self, key, value, timeout=None, **kwargs):
        return await self._cache.aset(key, value, _capped(timeout), **kwargs)


def _capped(timeout):
    return CACHED_SECONDS if timeout is None else max(0, min(timeout, CACHED_SECONDS))


class SessionStore(CachedDatabaseStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _AtMost(self._cache)
