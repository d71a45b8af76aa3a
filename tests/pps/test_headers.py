"""Production settings pass Django's deployment checks; every response carries a strict Content
Security Policy, and nothing a signed-in person sees is stored by a browser or proxy (controls 1,
4, 5, 6)."""

import json
import os
import secrets
import subprocess  # noqa: S404 (runs manage.py, with a fixed argument list)
import sys
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import path, reverse

from tests.conftest import client_for
from tests.pps import test_every_url as walk

records = walk.records  # the walk's fixture: one record of each kind
BASE_DIR = Path(__file__).resolve().parents[2]


@login_not_required
def broken(request):
    raise RuntimeError("SELECT secret FROM somewhere")


#: For the 500 page: this module is also a URLconf, with a view that fails.
urlpatterns = [path("broken/", broken, name="broken")]
handler500 = "pps.views.server_error"


def production_env(**environment) -> dict[str, str]:
    """A production environment: none of the test run's own switches (the browser tests, for one,
    set DJANGO_ALLOW_ASYNC_UNSAFE for the rest of the run)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PPS_TESTING", "DEBUG", "ALLOWED_HOSTS") and not key.startswith("DJANGO_")
    }
    env.update(DJANGO_SETTINGS_MODULE="pps.settings", **environment)
    return env


def run_deploy_check(**environment) -> subprocess.CompletedProcess:
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    env = production_env(**environment)
    return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603


def test_production_settings_pass_the_deployment_checks():
    # A real secret: Django rightly warns about a short one such as "x" (security.W009).
    result = run_deploy_check(SECRET_KEY=secrets.token_urlsafe(50), DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deployment_checks_do_catch_a_weak_secret():
    result = run_deploy_check(SECRET_KEY="x", DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "security.W009" in result.stderr


PRINT_SETTINGS = """
import json
from django.conf import settings
names = [
    "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE", "SESSION_ENGINE", "SESSION_SAVE_EVERY_REQUEST",
    "PASSWORD_HASHERS",
]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def test_production_cookies_are_secure_host_only_and_sessions_live_on_the_server():
    env = production_env(SECRET_KEY=secrets.token_urlsafe(50), DEBUG="0", ALLOWED_HOSTS="example.org")
    command = [sys.executable, "-c", f"import django; django.setup(); {PRINT_SETTINGS}"]
    result = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout)
    assert production["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"]
    assert production["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production["SESSION_ENGINE"].rsplit(".", 1)[-1] in ("db", "cached_db")
    assert not production["SESSION_SAVE_EVERY_REQUEST"]
    assert production["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def assert_strict_csp(response):
    policy = directives(response)
    assert policy, f"no CSP on a {response.status_code} response"
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    page = response.content.decode()
    if "<script" in page:  # django-csp adds a nonce to the header only where a page has scripts
        nonces = [source[7:-1] for source in policy["script-src"] if source.startswith("'nonce-")]
        assert len(nonces) == 1
        assert page.count("<script") == page.count(f'nonce="{nonces[0]}"')
    assert all("unsafe-inline" not in sources and "unsafe-eval" not in sources for sources in policy.values())


def assert_no_store(response):
    assert "no-store" in response.headers.get("Cache-Control", ""), response.headers.get("Cache-Control")


def test_every_page_of_a_signed_in_person_has_a_strict_csp_and_is_never_stored(caseworker, records):
    def check(named):
        name, pattern = named
        client = client_for(caseworker)  # afresh for each page: one of them signs out
        url = walk.url_for(name, pattern, records)
        for method in (client.get, client.post):
            response = method(url)
            try:
                assert_strict_csp(response)
                if name != "logout":  # signing out ends the session, and clears the browser instead
                    assert_no_store(response)
            except AssertionError as failed:
                return f"{method.__name__.upper()} {name}: {failed}"
        return None

    problems = walk.each_in_its_own_savepoint(check, walk.PATTERNS)
    assert not problems, "\n".join(problems)


def test_the_sign_in_steps_have_a_strict_csp_and_are_never_stored(caseworker):
    client = client_for(caseworker, verified=False, agreed=False)
    for name in ("otp_verify", "otp_setup"):
        response = client.get(reverse(name), follow=True)
        assert_strict_csp(response)
        assert_no_store(response)


def test_the_sign_in_and_404_pages_have_a_strict_csp(as_caseworker):
    assert_strict_csp(Client().get(reverse("login")))
    not_found = as_caseworker.get("/no-such-page/")
    assert not_found.status_code == 404
    assert_strict_csp(not_found)
    assert_no_store(not_found)


def test_a_refused_request_has_a_strict_csp():
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert_strict_csp(response)


@pytest.mark.urls(__name__)
def test_an_error_page_has_a_strict_csp_and_gives_nothing_away():
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert_strict_csp(response)
    page = response.content.decode()
    assert "SELECT" not in page and "Traceback" not in page and "RuntimeError" not in page
