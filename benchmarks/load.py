"""Open-model load against gunicorn, for ``suite.py --load``: requests arrive at a constant rate
whether or not earlier ones have finished (as people do), and each one's time counts from when it
was due, so that queueing shows. The journey: 50% case pages, 20% case lists, 15% searches, 10%
contacts logged, 5% dashboards, as a caseworker and a senior manager of one demo service."""

import http.client
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

PORT = int(os.environ.get("PPS_BENCH_PORT", "8111"))
ROOT = Path(__file__).resolve().parent.parent


def start_gunicorn(workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pps.settings",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback; TLS ends at the proxy
        "ALLOWED_HOSTS": "127.0.0.1",
        "PPS_SEARCHES_PER_MINUTE": "100000",  # two people make every search of the load
    }
    server = subprocess.Popen(  # noqa: S603  (a fixed command line)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "pps.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/accounts/login/")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def sessions():
    """Signed-in sessions (past the second factor and the policy) for two people, and their CSRF
    secret, as cookies to send."""
    from django.conf import settings

    from pps.models import User
    from tests.conftest import client_for

    people = {}
    for username in ("kw.caseworker", "kw.senior"):
        client = client_for(User.objects.get(username=username))
        csrf = secrets.token_hex(16)  # a 32-character secret, sent as cookie and header
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        people[username] = {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
            "X-CSRFToken": csrf,
        }
    return people


def journey():
    """The requests of the mixed journey, each as (weight, method, path, body, who)."""
    from django.urls import reverse

    from cases.models import Case, Outcome, Topic
    from pps.models import User
    from tests.dates import dated

    caseworker = User.objects.get(username="kw.caseworker")
    cases = list(Case.objects.visible_to(caseworker).open().values_list("pk", flat=True)[:200])
    topic = Topic.objects.filter(service_id=caseworker.service_id).first()
    outcome = Outcome.objects.filter(service_id=caseworker.service_id).first()
    surnames = ["smith", "jones", "taylor", "brown", "williams", "wilson", "johnson", "davies", "patel"]
    now = time.localtime()

    def case_page():
        return "GET", reverse("cases:case_detail", args=[random.choice(cases)]), None, "kw.caseworker"

    def case_list():
        return "GET", reverse("cases:case_list"), None, "kw.caseworker"

    def search():
        return "POST", reverse("cases:parent_search"), {"q": random.choice(surnames)}, "kw.senior"

    def log_contact():
        form = dated(
            {  # the page's day, month and year boxes
                "date": time.strftime("%Y-%m-%d", now),
                "time": time.strftime("%H:%M", now),
                "channel": "phone",
                "direction": "in",
                "duration_minutes": "10",
                "topics": str(topic.pk),
                "outcome": str(outcome.pk),
                "notes": "Benchmark",
            }
        )
        return "POST", reverse("cases:case_contact_log", args=[random.choice(cases)]), form, "kw.caseworker"

    def dashboard():
        return "GET", reverse("cases:dashboard"), None, "kw.caseworker"

    return [(50, case_page), (20, case_list), (15, search), (10, log_contact), (5, dashboard)]


def one_request(method, path, body, headers):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    data = urlencode(body) if body else None
    sent = dict(headers)
    if data:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=data, headers=sent)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def run_rate(rate: float, seconds: float, steps, people) -> dict:
    weights = [weight for weight, _ in steps]
    makers = [maker for _, maker in steps]
    timings, errors, lock = [], [], threading.Lock()

    def fire(due, method, path, body, who):
        try:
            status = one_request(method, path, body, people[who])
            # A form that is sent and accepted redirects; a page shown again (200) refused it.
            ok = status == 302 if method == "POST" else status in (200, 302)
        except OSError:
            ok = False
        with lock:
            timings.append((time.perf_counter() - due) * 1000)
            if not ok:
                errors.append(path)

    total = int(rate * seconds)
    with ThreadPoolExecutor(max_workers=256) as pool:
        started = time.perf_counter()
        for n in range(total):
            due = started + n / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            method, path, body, who = random.choices(makers, weights)[0]()
            pool.submit(fire, due, method, path, body, who)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return {
        "rate": rate,
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "errors": len(errors),
        "n": total,
    }


def run_load(rates, seconds: float) -> None:
    workers = 2 * (os.cpu_count() or 1) + 1
    from django.db import connections

    people = sessions()
    steps = journey()
    connections.close_all()
    server = start_gunicorn(workers)
    print(f"\nopen-model load, mixed journey, gunicorn with {workers} sync workers, {seconds:.0f} s a rate")
    best = None
    try:
        # Each worker's first requests load templates, URL patterns and the like: not counted.
        run_rate(5, 4, steps, people)
        for rate in rates:
            result = run_rate(rate, seconds, steps, people)
            print(
                f"  {rate:6.0f} requests/s: p50 {result['p50']:7.1f}  p95 {result['p95']:7.1f}  "
                f"p99 {result['p99']:7.1f} ms, {result['errors']} errors of {result['n']}"
            )
            if result["p95"] <= 100 and not result["errors"]:
                best = rate
            elif result["p95"] > 1000:
                break  # saturated: higher rates only queue more
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(f"  highest rate with p95 <= 100 ms and no errors: {best or 'none of those tried'}")
