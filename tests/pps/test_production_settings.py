"""Production's pieces that need no server: request ids and JSON logs without personal data, the
health check, the shared cache from ``CACHE_URL``, and the nightly jobs."""

import json
import logging
import sys

import pytest
from django.contrib.sessions.models import Session
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pps.logs import JsonFormatter
from pps.settings import cache_from_url, env_list, env_str
from tests.markers import requires_postgres


@pytest.fixture
def log_lines(caplog):
    """Every record of the request, as production writes it (JSON, one object per line)."""
    caplog.set_level("DEBUG")
    formatter = JsonFormatter()

    def read() -> list[dict]:
        return [json.loads(formatter.format(record)) for record in caplog.records]

    return read


def test_every_response_carries_its_request_id_and_its_log_line_says_the_page_not_the_path(
    as_caseworker, caseworker, case, log_lines
):
    response = as_caseworker.get(reverse("cases:case_detail", args=[case.pk]))
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [line] = [line for line in log_lines() if line["logger"] == "pps.request"]
    assert line["request_id"] == request_id
    assert (line["method"], line["view"], line["status"], line["user"]) == (
        "GET",
        "cases:case_detail",
        200,
        str(caseworker.pk),
    )
    assert str(case.pk) not in json.dumps(line)


def test_nothing_typed_into_a_search_or_the_address_bar_reaches_the_logs(as_caseworker, log_lines):
    as_caseworker.post(reverse("cases:parent_search"), {"q": "Wendeline Throssleworth"})
    as_caseworker.get("/no-such-page/Wendeline-Throssleworth/?q=Throssleworth")
    written = json.dumps(log_lines())
    assert "Throssleworth" not in written
    assert '"status": 404' in written


def test_an_error_is_logged_by_its_type_and_place_never_its_message():
    try:
        raise ValueError("Key (name)=(CANARY-ZEBEDEE) already exists")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert line["error"] == "builtins.ValueError"
    assert "test_an_error_is_logged_by_its_type_and_place_never_its_message" in line["stack"][-1]
    assert "CANARY-ZEBEDEE" not in json.dumps(line)


@pytest.mark.parametrize(
    "proxies, sent, kept",
    [
        (1, "3f2a9c1e-77b0-4c1d", True),
        (1, "Wendeline Throssleworth", False),
        (0, "3f2a9c1e-77b0-4c1d", False),
    ],
)
def test_a_request_id_from_our_proxy_is_kept_when_it_is_a_plain_token(settings, db, proxies, sent, kept):
    settings.TRUSTED_PROXY_COUNT = proxies
    response = Client().get(reverse("login"), headers={"X-Request-ID": sent})
    assert (response["X-Request-ID"] == sent) is kept


def test_the_health_check_says_ok_without_signing_in_and_nothing_else(db):
    response = Client().get(reverse("healthz"))
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert "no-store" in response["Cache-Control"]
    assert Client().post(reverse("healthz")).status_code == 405


@pytest.mark.parametrize(
    "url, backend",
    [
        (None, "django.core.cache.backends.db.DatabaseCache"),
        ("db://", "django.core.cache.backends.db.DatabaseCache"),
        ("redis://cache.internal:6379/0", "django.core.cache.backends.redis.RedisCache"),
        ("rediss://primary:6380/0,rediss://replica:6380/0", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_the_cache_comes_from_cache_url(url, backend):
    config = cache_from_url(url)
    assert config["BACKEND"] == backend
    if url and url.startswith("redis"):
        assert config["LOCATION"] == url


def test_a_per_process_cache_is_refused():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_from_url("locmem://")


def test_the_deploy_checks_refuse_a_cache_that_is_not_shared(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    errors = [error.id for error in run_checks(include_deployment_checks=True, tags=["caches"])]
    assert errors == ["pps.E002"]


def test_the_nightly_jobs_run_and_clear_expired_sessions(db, capsys):
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now())
    call_command("nightly")
    out = capsys.readouterr().out
    assert "apply_retention: done" in out and "clearsessions: done" in out
    assert not Session.objects.exists()


@requires_postgres
def test_a_failing_nightly_job_fails_the_run_after_the_others_ran(db, settings, capsys, tmp_path):
    settings.PPS_AUDIT_HEADS_FILE = str(tmp_path / "missing.jsonl")
    with pytest.raises(CommandError, match="verify_audit_chain"):
        call_command("nightly")
    assert "clearsessions: done" in capsys.readouterr().out


def test_a_secret_may_come_from_a_file_named_by_its_name_and_file(monkeypatch, tmp_path):
    (tmp_path / "secret").write_text("from-the-file\n")
    (tmp_path / "hosts").write_text("casework.example.org,pps.example.org")
    monkeypatch.setenv("PPS_EXAMPLE_SECRET", "from-the-environment")
    monkeypatch.setenv("PPS_EXAMPLE_SECRET_FILE", str(tmp_path / "secret"))
    monkeypatch.setenv("PPS_EXAMPLE_HOSTS_FILE", str(tmp_path / "hosts"))
    assert env_str("PPS_EXAMPLE_SECRET") == "from-the-file"
    assert env_list("PPS_EXAMPLE_HOSTS") == ["casework.example.org", "pps.example.org"]


def test_parallel_query_workers_are_off_for_pages_unless_asked_for():
    from pps.settings import parallel_query_options

    assert parallel_query_options(None) == {"options": "-c max_parallel_workers_per_gather=0"}
    assert parallel_query_options("2") == {"options": "-c max_parallel_workers_per_gather=2"}
    assert parallel_query_options("server") == {}
    with pytest.raises(ImproperlyConfigured, match="DB_PARALLEL_WORKERS"):
        parallel_query_options("lots")


@requires_postgres
def test_the_application_connection_plans_pages_without_parallel_workers(db):
    """A dashboard's count of a few hundred follow-ups, planned for thousands, once started two
    workers (7 ms) for under a millisecond of work: the application's connections plan none."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


@requires_postgres
def test_statistics_on_the_primary_may_plan_parallel_workers_and_pages_after_them_may_not(db):
    """No replica: the statistics' scans of every service's rows get their parallel workers
    back (``reading_statistics``), and the connection goes back to none for the next page."""
    from django.db import connection

    from pps.db_router import reading_statistics

    def workers():
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            return cursor.fetchone()[0]

    with reading_statistics():
        assert workers() == "2"
    assert workers() == "0"
