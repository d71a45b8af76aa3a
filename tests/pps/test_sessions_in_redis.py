"""With Redis as the shared cache, sessions are read from Redis and written through to the
database (``cached_db``); with the database cache they stay in the database alone."""

import os
import socket
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pps import enrolment
from pps.settings import cache_from_url, session_engine_for
from tests.conftest import client_for

#: A Redis database of its own: the tests empty it.
REDIS_URL = os.environ.get("PPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
PAGE = reverse("cases:dashboard")
CACHED_DB = "pps.session_store"


def _redis_reachable() -> bool:
    where = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((where.hostname, where.port or 6379), timeout=0.5):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not _redis_reachable(), reason=f"needs Redis at {REDIS_URL}")


@pytest.fixture
def redis_sessions(settings):
    settings.CACHES = {"default": {**cache_from_url(REDIS_URL), "KEY_PREFIX": "pps-test-sessions"}}
    settings.SESSION_ENGINE = session_engine_for(settings.CACHES["default"])
    assert settings.SESSION_ENGINE == CACHED_DB
    cache.clear()
    yield
    cache.clear()


def session_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and '"django_session"' in q["sql"]]


def test_sessions_stay_in_the_database_with_the_database_cache():
    assert session_engine_for(cache_from_url(None)) == "django.contrib.sessions.backends.db"
    assert session_engine_for(cache_from_url("db://")) == "django.contrib.sessions.backends.db"
    assert session_engine_for(cache_from_url("redis://cache:6379/0")) == CACHED_DB


@needs_redis
def test_a_session_is_read_from_redis_and_kept_in_the_database(redis_sessions, caseworker):
    from django.contrib.sessions.models import Session

    client = client_for(caseworker)
    assert client.get(PAGE).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE).status_code == 200
    assert session_reads(captured) == []
    assert Session.objects.filter(session_key=client.session.session_key).exists()


@needs_redis
def test_a_redis_restart_signs_no_one_out(redis_sessions, caseworker):
    client = client_for(caseworker)
    assert client.get(PAGE).status_code == 200
    cache.clear()
    assert client.get(PAGE).status_code == 200


@needs_redis
def test_resetting_a_second_factor_ends_the_sessions_held_in_redis(redis_sessions, caseworker):
    client = client_for(caseworker)
    assert client.get(PAGE).status_code == 200
    enrolment.reset_second_factor(caseworker)

    assert client.get(PAGE).url.startswith(reverse("login"))


@needs_redis
def test_deactivating_an_account_ends_its_sessions_held_in_redis(redis_sessions, caseworker):
    client = client_for(caseworker)
    assert client.get(PAGE).status_code == 200
    key = client.session.session_key
    caseworker.is_active = False
    caseworker.save()

    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None
    caseworker.is_active = True
    caseworker.save()
    assert client.get(PAGE).url.startswith(reverse("login"))


@needs_redis
def test_signing_out_ends_the_session_in_redis_too(redis_sessions, caseworker):
    client = client_for(caseworker)
    assert client.get(PAGE).status_code == 200
    key = client.session.session_key
    client.post(reverse("logout"))
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None


@needs_redis
def test_a_session_is_read_from_redis_for_five_minutes_at_most(redis_sessions, caseworker):
    """A copy left in Redis by a failed write or delete (a sign-out, an idle lock) is read for
    five minutes at most, not for the session's 12 hours."""
    from pps.session_store import CACHED_SECONDS, SessionStore

    client = client_for(caseworker)
    assert client.get(PAGE).status_code == 200
    store = SessionStore(client.session.session_key)
    key = cache.make_key(store.cache_key)
    seconds_left = cache._cache.get_client(key).ttl(key)
    assert 0 < seconds_left <= CACHED_SECONDS == 300
