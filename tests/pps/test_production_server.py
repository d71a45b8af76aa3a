"""The application as production runs it: gunicorn (pps/gunicorn_conf.py), DEBUG off, PostgreSQL,
static files from whitenoise, JSON logs, behind a TLS proxy (this test plays the proxy). Two
instances over one database share everything that limits or locks: a session started on one
goes on on the other, and the password-reset limit counts both together, whether the shared
cache is the database (the default) or Redis (``CACHE_URL``).
"""

import http.client
import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import subprocess  # noqa: S404 (starts gunicorn, with a fixed argument list)
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from pps import otp, password_reset, services
from pps.hashers import Argon2PasswordHasher
from tests.factories import make_case
from tests.markers import requires_postgres

pytestmark = [requires_postgres, pytest.mark.postgres]

BASE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _redis_reachable() -> bool:
    try:
        with socket.create_connection((HOST, 6379), timeout=0.5):
            return True
    except OSError:
        return False


class Server:
    """One gunicorn instance, its output kept in files."""

    def __init__(self, name: str, env: dict, logs: Path):
        self.port = _free_port()
        self.stdout = logs / f"{name}.out"
        self.stderr = logs / f"{name}.err"
        command = [sys.executable, "-m", "gunicorn", "-c", "pps/gunicorn_conf.py", "pps.wsgi:application"]
        self.process = subprocess.Popen(  # noqa: S603
            command,
            cwd=BASE_DIR,
            env={**env, "BIND": f"{HOST}:{self.port}"},
            stdout=self.stdout.open("w"),
            stderr=self.stderr.open("w"),
        )

    def wait_until_up(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn stopped: {self.stderr.read_text()[-3000:]}")
            try:
                if Browser(self).get("/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"gunicorn did not answer in time: {self.stderr.read_text()[-3000:]}")

    def stop(self) -> None:
        """A quick shutdown (SIGINT): the test has no request left in flight."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def wait_stopped(self) -> None:
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stderr.read_text().splitlines() if line.startswith("{")]


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.body = response.read()

    @property
    def text(self) -> str:
        return self.body.decode()


class Browser:
    """A browser behind the TLS proxy: cookies kept by hand (they are Secure and ``__Host-``)."""

    def __init__(self, server: Server, address: str = "203.0.113.9"):
        self.server = server
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None) -> Answer:
        connection_ = http.client.HTTPConnection(HOST, self.server.port, timeout=20)
        sent = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"https://{HOST}"
        try:
            connection_.request(method, path, body=body, headers=sent)
            answer = Answer(connection_.getresponse())
        finally:
            connection_.close()
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return answer

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, fields: dict, token_from: Answer) -> Answer:
        from urllib.parse import urlencode

        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', token_from.text).group(1)
        return self.request("POST", path, urlencode({"csrfmiddlewaretoken": token, **fields}))


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """The static files as bin/serve collects them: hashed names, gzip copies."""
    root = tmp_path_factory.mktemp("static")
    production_storage = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=production_storage):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def start_two(cache_url: str, static_root: Path, logs: Path):
    """Two gunicorn instances over the test database, in production mode, sharing a cache."""
    db = connection.settings_dict
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PPS_TESTING", "DEBUG") and not key.startswith("DJANGO_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="pps.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),  # throwaway; the encryption keys are the test run's
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        CACHE_URL=cache_url,
        CACHE_KEY_PREFIX=f"pps-test-{uuid.uuid4().hex}",
        ALLOWED_HOSTS=HOST,
        TRUSTED_PROXY_COUNT="1",
        STATIC_ROOT=str(static_root),
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        WEB_CONCURRENCY="1",
        PPS_THREADS="2",
        LOG_LEVEL="INFO",
    )
    started = [Server("a", env, logs), Server("b", env, logs)]
    try:
        deadline = time.monotonic() + 60
        for server in started:
            server.wait_until_up(deadline)
        yield started
    finally:
        for server in started:
            server.stop()
        for server in started:
            server.wait_stopped()


@pytest.fixture(scope="module")
def servers(django_db_setup, static_root, tmp_path_factory):
    """Two instances sharing the default cache: a table of the database."""
    yield from start_two("db://", static_root, tmp_path_factory.mktemp("database-cache"))


@pytest.fixture(scope="module")
def redis_servers(django_db_setup, static_root, tmp_path_factory):
    """Two instances sharing Redis as their cache."""
    if not _redis_reachable():
        pytest.skip("needs Redis on 127.0.0.1:6379 for CACHE_URL=redis://")
    yield from start_two(f"redis://{HOST}:6379/0", static_root, tmp_path_factory.mktemp("redis-cache"))


@pytest.fixture
def staff(transactional_db, service, caseworker):
    """The caseworker with a real (Argon2) password, an authenticator app, an email address, the
    policy agreed, and a case of a parent with a name no test data has."""
    caseworker.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    caseworker.email = "casey.caseworker@example.org"
    caseworker.save()
    services.agree_to_policy(caseworker, services.policy_to_agree(caseworker))
    otp.create_demo_device(caseworker)
    make_case(caseworker, first_name="Zephyrine", last_name="Quillfeather")
    return caseworker


def test_it_signs_in_through_gunicorn_with_the_session_shared_by_both_instances(servers, staff):
    first, second = servers
    on_first, on_second = Browser(first), Browser(second)

    page = on_first.get("/sign-in/")
    assert page.status == 200
    answer = on_first.post("/sign-in/", {"username": staff.username, "password": PASSWORD}, page)
    assert answer.status == 302 and answer.headers["Location"].startswith("/sign-in/code/")

    on_second.cookies = on_first.cookies  # the load balancer sends the next request elsewhere
    code_page = on_second.get(answer.headers["Location"])
    assert code_page.status == 200
    code = otp.code_for(otp.confirmed_device(staff))
    answer = on_second.post("/sign-in/code/", {"code": code}, code_page)
    assert answer.status == 302, answer.text[:500]

    on_first.cookies = on_second.cookies
    dashboard = on_first.get("/")
    assert dashboard.status == 200
    assert "Zephyrine Quillfeather" in dashboard.text
    assert "Strict-Transport-Security" in dashboard.headers

    # Static files: hashed names, compressed, kept by browsers for a year.
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', dashboard.text)
    assert stylesheet, re.findall(r"<link[^>]+>", dashboard.text)
    stylesheet = stylesheet.group(1)
    css = on_first.request("GET", stylesheet, headers={"Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.headers["Content-Encoding"] == "gzip"
    assert "immutable" in css.headers["Cache-Control"]

    # JSON logs: the dashboard's line carries the request id returned to the browser, names the
    # page by its URL pattern and the account by id, and nothing typed reaches any log.
    request_id = dashboard.headers["X-Request-ID"]
    lines = [line for line in first.log_lines() if line["request_id"] == request_id]
    assert {"view": "cases:dashboard", "status": 200, "user": str(staff.pk)}.items() <= lines[-1].items()
    everything = first.stderr.read_text() + second.stderr.read_text()
    for secret in (PASSWORD, staff.username, code, "Zephyrine", "Quillfeather"):
        assert secret not in everything


def test_the_health_check_says_ok_and_nothing_else(servers):
    answer = Browser(servers[0]).request("GET", "/healthz", headers={"X-Forwarded-Proto": "http"})
    assert (answer.status, answer.text) == (200, "ok\n")


@pytest.mark.parametrize("instances", ["servers", "redis_servers"])
def test_the_password_reset_limit_holds_across_both_instances(request, instances):
    servers = request.getfixturevalue(instances)
    # An address of its own (a documentation range), so that no earlier run has used its slots.
    address = str(ipaddress.ip_network("2001:db8::/32")[secrets.randbits(64)])
    typed = f"nobody-{uuid.uuid4().hex}"
    for attempt in range(2 * password_reset.LIMIT + 2):
        browser = Browser(servers[attempt % 2], address=address)
        page = browser.get("/sign-in/forgotten-password/")
        answer = browser.post("/sign-in/forgotten-password/", {"account": typed}, page)
        assert answer.status == 302  # the same answer every time, limited or not

    # Each request's sign-in log line says whether it was within the limit (an email would have
    # gone to a matching account): LIMIT of them, both instances counting together.
    requests = [
        [line["data"] for line in server.log_lines() if line["message"] == "password_reset_requested"]
        for server in servers
    ]
    assert [len(made) for made in requests] == [password_reset.LIMIT + 1] * 2
    allowed = [sum(not entry["limited"] for entry in made) for made in requests]
    assert sum(allowed) == password_reset.LIMIT
    assert all(allowed), "both instances let some through"
    assert typed not in servers[0].stderr.read_text() + servers[1].stderr.read_text()
