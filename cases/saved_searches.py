"""Searches kept for a short while, so that a search's results have an address of their own.

A search is sent by POST (names and phone numbers never go into URLs, histories or server
logs), then answered by a redirect to ``/parents/results/<key>/`` (POST/redirect/GET), so
that the browser's Back and refresh show the results again instead of "Confirm Form
Resubmission". The key is random and says nothing; the terms stay on the server, in the
searcher's own session, encrypted under a data key of their own (wrapped by the master key,
as a household's is), so that the sessions table holds no names either. A key works only for
the person who searched, for ``KEPT_FOR``; then the page says the search has expired.
"""

import secrets
import time

from pps import crypto

#: How long the results of a search can be shown again (Back, refresh) without searching again.
KEPT_FOR = 30 * 60
#: How many recent searches a person's session keeps.
KEPT_AT_MOST = 10

SESSION_KEY = "pps_saved_searches"


def _aad(user, key: str) -> str:
    return f"pps.saved_search:{user.pk}:{key}"


def keep(request, query: str) -> str:
    """Keep ``query`` for ``request.user``; the key to address its results by."""
    key = secrets.token_urlsafe(9)  # 12 characters, 72 random bits
    data_key = crypto.new_data_key()
    aad = _aad(request.user, key)
    now = time.time()
    saved = {
        name: entry
        for name, entry in request.session.get(SESSION_KEY, {}).items()
        if now - entry["at"] < KEPT_FOR
    }
    saved[key] = {
        "at": now,
        "key": crypto.wrap_data_key(data_key, aad=aad.encode()),
        "terms": crypto.encrypt_field(data_key, query, aad=aad),
    }
    newest = sorted(saved.items(), key=lambda item: item[1]["at"])[-KEPT_AT_MOST:]
    request.session[SESSION_KEY] = dict(newest)
    return key


def recall(request, key: str) -> str | None:
    """What ``request.user`` searched for under ``key``; None if it was not theirs or expired."""
    entry = request.session.get(SESSION_KEY, {}).get(key)
    if entry is None or time.time() - entry["at"] >= KEPT_FOR:
        return None
    aad = _aad(request.user, key)
    try:
        data_key = crypto.unwrap_data_key(entry["key"], aad=aad.encode())
        return crypto.decrypt_field(data_key, entry["terms"], aad=aad)
    except crypto.DecryptionError:
        return None
