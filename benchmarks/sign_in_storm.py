"""Ten sign-ins a second against a mixed load, through gunicorn in production mode.

    createdb -h 127.0.0.1 -U postgres pps_storm
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pps_storm .venv/bin/python benchmarks/sign_in_storm.py
    dropdb -h 127.0.0.1 -U postgres pps_storm

Loads the demo data once (``--parents``, default 2,000), gives ``--accounts`` caseworkers real
passwords (the production hasher: Argon2id, 32 MiB, 2 passes, 1 lane), and starts gunicorn as
``bin/serve`` does (``pps/gunicorn_conf.py``: workers from the cores, 4 threads each, DEBUG off),
behind a pretend TLS proxy (``TRUSTED_PROXY_COUNT=1``). Then, at a constant arrival rate (an open
model: requests are sent on time whether or not earlier ones have been answered):

1. the mixed load alone for ``--seconds``: signed-in caseworkers opening case pages (50%), case
   lists (20%), searching (15%, POST) and their dashboard (15%), at ``--rate`` a second;
2. the same mixed load, plus ``--sign-ins`` a second (default 10): the password step of
   signing in, each a real Argon2 check, from addresses of their own.

To run it again on the same database, give the same keys each time (``FIELD_ENCRYPTION_KEYS``,
``SEARCH_INDEX_KEY``; without them ``_setup`` makes new ones, and the loaded data cannot be read).

It prints the p50, p95 and the largest time of each, and the errors (a "too many people are
signing in" page counts as one). ``--slots N`` sets ``PPS_PASSWORD_CHECKS_AT_ONCE`` (default:
half the cores); ``--port`` the port gunicorn listens on.
"""

import argparse
import http.client
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from _setup import benchmark_django

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PASSWORD = "benchmark password, not a secret"


class Browser:
    def __init__(self, port: int, address: str):
        self.port, self.address, self.cookies = port, address, {}

    def request(self, method: str, path: str, fields: dict | None = None):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{HOST}"})
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, text

    def token(self, path: str) -> str:
        _, _, text = self.request("GET", path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(name: str, results: list) -> None:
    times = [ms for ok, ms in results if ok]
    errors = sum(1 for ok, _ in results if not ok)
    if not times:
        print(f"{name:32} no successful request, {errors} errors")
        return
    print(
        f"{name:32} n={len(results):4}  p50 {percentile(times, 0.5):7.0f} ms  "
        f"p95 {percentile(times, 0.95):7.0f} ms  max {max(times):7.0f} ms  errors {errors}"
    )


def run_open_model(schedule: list, seconds: float) -> dict:
    """Sends each (at, kind, action) at its time, whatever is still in flight."""
    results: dict[str, list] = {}
    lock = threading.Lock()

    def timed(kind, action):
        started = time.perf_counter()
        try:
            ok = action()
        except OSError:
            ok = False
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            results.setdefault(kind, []).append((ok, elapsed))

    with ThreadPoolExecutor(max_workers=256) as pool:
        start = time.monotonic()
        for at, kind, action in schedule:
            delay = start + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(timed, kind, action)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=2_000)
    parser.add_argument("--accounts", type=int, default=30, help="caseworkers who sign in during the storm")
    parser.add_argument("--rate", type=float, default=8.0, help="mixed-load requests a second")
    parser.add_argument("--sign-ins", type=float, default=10.0, help="sign-ins a second during the storm")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--slots", type=int, default=None, help="PPS_PASSWORD_CHECKS_AT_ONCE")
    parser.add_argument("--port", type=int, default=8107)
    args = parser.parse_args()

    with benchmark_django():
        from django.conf import settings
        from django.db import connection

        from cases.models import Case
        from demo import data as demo
        from pps import otp, services
        from pps.models import Role, User

        if not demo.is_loaded():
            started = time.monotonic()
            demo.load(parents=args.parents, progress=lambda *_: None)
            print(f"loaded the demo data in {time.monotonic() - started:.0f} s")
        browsing = list(User.objects.filter(role=Role.CASEWORKER, is_active=True).order_by("username")[:4])
        service = browsing[0].service
        storm = []
        for number in range(args.accounts):
            user, _ = User.objects.get_or_create(
                username=f"storm.{number}", defaults={"service": service, "role": Role.CASEWORKER}
            )
            storm.append(user)
        for user in browsing + storm:
            if not user.check_password(PASSWORD):
                user.set_password(PASSWORD)
                user.save()
            if policy := services.policy_to_agree(user):
                services.agree_to_policy(user, policy)
        for user in browsing:
            if otp.confirmed_device(user) is None:
                otp.create_demo_device(user)
        cases = {
            user.pk: list(Case.objects.visible_to(user).values_list("pk", flat=True)[:200])
            for user in browsing
        }
        surnames = ["jo", "sm", "wi", "ta", "br", "ev", "th", "da"]
        print(
            f"{Case.objects.count()} cases; {len(browsing)} caseworkers browsing, {len(storm)} signing in; "
            f"database: {connection.vendor}"
        )

        database_url = os.environ["DATABASE_URL"]
        static_root = tempfile.mkdtemp(prefix="pps-storm-static-")
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": HOST,
            "TRUSTED_PROXY_COUNT": "1",
            "STATIC_ROOT": static_root,
            "BIND": f"{HOST}:{args.port}",
            "PPS_SEARCHES_PER_MINUTE": "100000",
            "PPS_REQUEST_LOG": "0",
        }
        if args.slots:
            env["PPS_PASSWORD_CHECKS_AT_ONCE"] = str(args.slots)
        env.pop("PPS_TESTING", None)
        python = sys.executable
        subprocess.run(  # noqa: S603 (fixed arguments)
            [python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True
        )
        server = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [python, "-m", "gunicorn", "-c", "pps/gunicorn_conf.py", "pps.wsgi:application"],
            cwd=BASE_DIR,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if Browser(args.port, "192.0.2.1").request("GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            print(f"gunicorn: {os.cpu_count()} cores, slots for password checks: {args.slots or 'default'}")

            sessions = []
            for number, user in enumerate(browsing):
                browser = Browser(args.port, f"198.51.100.{number + 1}")
                token = browser.token("/sign-in/")
                status, headers, _ = browser.request(
                    "POST",
                    "/sign-in/",
                    {"csrfmiddlewaretoken": token, "username": user.username, "password": PASSWORD},
                )
                assert status == 302, status
                token = browser.token(headers["Location"])
                code = otp.code_for(otp.confirmed_device(user))
                status, _, _ = browser.request(
                    "POST", "/sign-in/code/", {"csrfmiddlewaretoken": token, "code": code}
                )
                assert status == 302, status
                sessions.append((user, browser, browser.token("/parents/")))

            def mixed_action(rng):
                user, browser, token = rng.choice(sessions)
                roll = rng.random()
                if roll < 0.5:
                    status = browser.request("GET", f"/cases/{rng.choice(cases[user.pk])}/")[0]
                elif roll < 0.7:
                    status = browser.request("GET", "/cases/")[0]
                elif roll < 0.85:
                    # POST, then the redirect to its results (POST/redirect/GET): both timed.
                    fields = {"csrfmiddlewaretoken": token, "q": rng.choice(surnames)}
                    status, headers, _ = browser.request("POST", "/parents/", fields)
                    if status == 302:
                        results = urlsplit(headers["Location"])
                        path = results.path + (f"?{results.query}" if results.query else "")
                        status = browser.request("GET", path)[0]
                else:
                    status = browser.request("GET", "/")[0]
                return status == 200

            def sign_in_action(user, number):
                browser = Browser(args.port, f"203.0.113.{number % 250 + 1}")
                token = browser.token("/sign-in/")
                started = time.perf_counter()
                status, _, _ = browser.request(
                    "POST",
                    "/sign-in/",
                    {"csrfmiddlewaretoken": token, "username": user.username, "password": PASSWORD},
                )
                sign_in_action.times.append((status == 302, (time.perf_counter() - started) * 1000))
                return status == 302

            sign_in_action.times = []
            rng = random.Random(7)

            def mixed_schedule():
                step = 1 / args.rate
                return [
                    (i * step, "mixed", lambda: mixed_action(rng))
                    for i in range(int(args.seconds * args.rate))
                ]

            # Warm up (connections, caches), then the two phases.
            run_open_model(mixed_schedule()[: int(args.rate * 3)], 3)
            alone = run_open_model(mixed_schedule(), args.seconds)
            schedule = mixed_schedule()
            step = 1 / args.sign_ins
            for i in range(int(args.seconds * args.sign_ins)):
                user = storm[i % len(storm)]
                schedule.append((i * step, "sign-in", lambda user=user, i=i: sign_in_action(user, i)))
            schedule.sort(key=lambda item: item[0])
            during = run_open_model(schedule, args.seconds)

            print()
            report("mixed load alone", alone["mixed"])
            report(f"mixed load, {args.sign_ins:g} sign-ins/s", during["mixed"])
            report("sign-in (password step)", sign_in_action.times)
            ratio = percentile([ms for ok, ms in during["mixed"] if ok], 0.95) / percentile(
                [ms for ok, ms in alone["mixed"] if ok], 0.95
            )
            print(f"mixed load p95 during the storm / alone: {ratio:.2f}x")
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
