"""The production-and-scale benchmarks in one command, on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres pps_bench_median
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pps_bench_median CACHE_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python benchmarks/suite.py --dataset median 2>/dev/null   # build (once), then measure
    DATABASE_URL=... .venv/bin/python benchmarks/suite.py --dataset median --load   # + gunicorn load

The first run builds the dataset (``median``: 7,000 parents and 45,000 contacts; ``large``:
35,000 and 230,000; ``national``: 1,000,000 parents, for a bigger machine), adds synthetic audit
entries, seals them and runs VACUUM (ANALYZE); later runs reuse it (the keys it was encrypted with are kept
in ``var/bench/``, never committed). Then, in this process, with DEBUG off, compared requests
interleaved in one run:

- a case page with 50 contacts, against the same template rendered from memory through the same
  middleware;
- logging a contact (POST), against a bare view doing the same insert;
- a staff member's access history and a case's access history (first page), a search for a
  common surname (senior manager), the dashboard;
- audit appends from several processes at once (audited requests a second).

Each prints p50/p95/p99 in ms, queries per request and the peak memory of one request. With
``--load``, gunicorn serves the application and an open-model load (constant arrival rate) of the
mixed journey (50% case pages, 20% lists, 15% searches, 10% contacts logged, 5% dashboards) runs
at rising rates, reporting the highest rate with p95 <= 100 ms and no errors. At the start and
the end it times a fixed piece of Python work (``machine_speed_ms``), so that figures of two runs
can be told apart from the machine's own speed that day.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = {
    "median": {"parents": 7_000, "contacts": 45_000, "audit": 1_500_000},
    "large": {"parents": 35_000, "contacts": 230_000, "audit": 3_400_000},
    "national": {"parents": 1_000_000, "contacts": 6_500_000, "audit": 10_000_000},
}


def keep_keys(database_url: str) -> None:
    """The same encryption and search keys for every run on one database (kept in var/bench)."""
    name = database_url.rstrip("/").rsplit("/", 1)[-1]
    keys = ROOT / "var" / "bench" / f"{name}.env"
    if not keys.exists():
        from pps.crypto import generate_key_ring_text, generate_search_key_text

        keys.parent.mkdir(parents=True, exist_ok=True)
        keys.write_text(
            f"FIELD_ENCRYPTION_KEYS={generate_key_ring_text('bench')}\n"
            f"SEARCH_INDEX_KEY={generate_search_key_text()}\n",
            encoding="utf-8",
        )
    for line in keys.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        os.environ[key] = value


def percentiles(timings) -> str:
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return f"p50 {cuts[49]:7.1f}  p95 {cuts[94]:7.1f}  p99 {cuts[98]:7.1f} ms"


def build(dataset: dict) -> None:
    from django.db import connection

    from demo import data as demo
    from pps.audit_chain import seal

    if not demo.is_loaded():
        started = time.monotonic()
        demo.load(parents=dataset["parents"], contacts=dataset["contacts"], progress=lambda *_: None)
        print(
            f"loaded {dataset['parents']:,} parents, {dataset['contacts']:,} contacts in "
            f"{time.monotonic() - started:.0f} s"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pps_auditentry")
        present = cursor.fetchone()[0]
    if present < dataset["audit"] // 2:
        add_audit_entries(dataset["audit"] - present)
        started = time.monotonic()
        sealed = seal()
        elapsed = time.monotonic() - started
        print(f"sealed {sealed:,} entries in {elapsed:.0f} s ({sealed / max(elapsed, 1e-9):,.0f} a second)")
    with connection.cursor() as cursor:
        # VACUUM as well: it marks the loaded rows visible to all, so that counts (a service's open
        # cases) read the index alone, as they do once autovacuum has been round.
        cursor.execute("VACUUM (ANALYZE)")


def add_audit_entries(how_many: int, months: int = 24) -> None:
    """Access entries by the demo staff about the demo cases, a third of them by one caseworker
    (whose history the suite opens), the rest spread over everyone, and over the last ``months``
    months (each in its month's partition on a partitioned audit table)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from cases.models import Case
    from pps.models import User

    case_type = ContentType.objects.get_for_model(Case).pk
    caseworker = User.objects.get(username="kw.caseworker").pk
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc('pps_audit_add_month') IS NOT NULL")
        if cursor.fetchone()[0]:  # the months' partitions first, so that no entry waits in the default one
            cursor.execute(
                "SELECT pps_audit_add_month((date_trunc('month', now() AT TIME ZONE 'UTC') "
                "- make_interval(months => n))::date) FROM generate_series(0, %s) AS n",
                [months],
            )
        # Dated in the past, which the insert trigger would not allow: this is the table's owner
        # making a test dataset, the triggers off for the one statement.
        cursor.execute("ALTER TABLE pps_auditentry DISABLE TRIGGER pps_auditentry_chain")
        cursor.execute(
            """
            WITH cases AS (SELECT id::text AS pk, row_number() OVER () AS n FROM cases_case),
                 staff AS (SELECT id, row_number() OVER () AS n FROM pps_user),
                 counts AS (SELECT (SELECT count(*) FROM cases) AS cases,
                                   (SELECT count(*) FROM staff) AS staff)
            INSERT INTO pps_auditentry (content_type_id, object_pk, object_repr, action, changes_text,
                                        actor_id, timestamp, additional_data, prev_hash, row_hash)
            SELECT %s, c.pk, c.pk, 3, '',
                   CASE WHEN g %% 3 = 0 THEN %s::uuid ELSE s.id END,
                   now() - make_interval(secs => (%s - g) * %s::float / %s),
                   '{"how": "case page"}'::jsonb, '', ''
              FROM generate_series(1, %s) AS g, counts
              JOIN cases c ON true
              JOIN staff s ON true
             WHERE c.n = 1 + (g::bigint * 7919) %% counts.cases AND s.n = 1 + g %% counts.staff
             ORDER BY g  -- ids in time order, as entries written as they happen are
            """,
            [case_type, caseworker, how_many, months * 30 * 86_400, how_many, how_many],
        )
        cursor.execute("ALTER TABLE pps_auditentry ENABLE TRIGGER pps_auditentry_chain")
        # Before sealing: without statistics the sealer's "oldest unsealed first" is planned for
        # a few rows a month, and each batch sorts every unsealed entry.
        cursor.execute("ANALYZE pps_auditentry")
    print(f"added {how_many:,} audit entries in {time.monotonic() - started:.0f} s")


def client_for(user):
    from tests.conftest import client_for as signed_in

    return signed_in(user)


def measure(label, requests, rounds):
    """Interleave the requests (label, callable) for ``rounds`` rounds; print each one's figures."""
    from django.db import connection

    for name, request in requests:  # warm up, and check that each request does what it says
        status = request().status_code
        assert status in (200, 302), f"{name}: HTTP {status}"
    timings = {name: [] for name, _ in requests}
    for _ in range(rounds):
        for name, request in requests:
            started = time.perf_counter()
            request()
            timings[name].append((time.perf_counter() - started) * 1000)
    print(f"\n{label}")
    for name, request in requests:
        captured = []

        def count(execute, sql, params, many, context, captured=captured):
            captured.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            request()
        tracemalloc.start()
        request()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"  {name:<34} {percentiles(timings[name])}  {len(captured):3d} queries"
            f"  {peak / 1024:7.0f} KiB peak"
        )
    if len(requests) == 2:
        a, b = (statistics.median(timings[name]) for name, _ in requests)
        print(f"  ratio (p50): {a / b:.2f}x")
    return timings


def _append_for(seconds: float, results) -> None:
    from django.db import connections, transaction

    from cases.models import Case
    from pps.audit import record_access
    from pps.models import User

    connections.close_all()
    user = User.objects.get(username="kw.caseworker")
    case = Case.objects.filter(service_id=user.service_id).first()
    done, ends = 0, time.monotonic() + seconds
    while time.monotonic() < ends:
        with transaction.atomic():  # one audited request: its entries, one statement, one COMMIT
            record_access(user, [case, case], how="benchmark")
        done += 1
    results.put(done)


def audit_throughput(processes: int, seconds: float) -> None:
    from django.db import connections

    connections.close_all()
    results = multiprocessing.get_context("fork").Queue()
    workers = [
        multiprocessing.get_context("fork").Process(target=_append_for, args=(seconds, results))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    total = sum(results.get() for _ in workers)
    for worker in workers:
        worker.join()
    print(
        f"\naudit appends, {processes} processes for {seconds:.0f} s: "
        f"{total / seconds:,.0f} audited requests/s"
    )


def sealing_rate(how_many: int) -> None:
    """How fast ``seal_audit`` chains new entries: the bound on the time until an entry is sealed
    is the sealing interval plus (entries written in it) / (this rate)."""
    from pps.audit_chain import seal

    seal()
    add_audit_entries(how_many, months=0)  # written now, as entries waiting to be sealed are
    started = time.monotonic()
    sealed = seal()
    elapsed = time.monotonic() - started
    print(f"\nsealing: {sealed:,} entries in {elapsed:.1f} s, {sealed / max(elapsed, 1e-9):,.0f} entries/s")


def in_process(rounds: int) -> None:
    import bench_urls
    from django.conf import settings
    from django.test.utils import CaptureQueriesContext  # noqa: F401  (keeps debug cursors off until asked)
    from django.urls import clear_url_caches, reverse

    from cases import services, views
    from cases.models import Case
    from pps.models import User
    from tests.dates import dated
    from tests.factories import contact_details

    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()
    caseworker = User.objects.get(username="kw.caseworker")
    senior = User.objects.get(username="kw.senior")
    from django.db.models import Count

    open_cases = Case.objects.visible_to(caseworker).open().annotate(n=Count("contacts"))
    # The page shows a case of exactly 50 contacts; contacts logged by the suite go to another.
    case = open_cases.filter(n__lte=50).order_by("-n", "pk").first()
    if case is None:  # every case has more by now (the load logs contacts): a new one, filled up
        from tests.factories import make_case

        case = make_case(caseworker)
    writes_to = open_cases.exclude(pk=case.pk).order_by("-n").first()
    while case.contacts.count() < 50:
        services.log_case_contact(by=caseworker, case=case, details=contact_details(case.service), notes="n")
    client = client_for(caseworker)
    page = reverse("cases:case_detail", args=[case.pk])

    real_render = views.render

    def capture(request, template, context=None, *args, **kwargs):
        bench_urls.FROM_MEMORY.update(
            template=template,
            context={k: list(v) if hasattr(v, "_fetch_all") else v for k, v in (context or {}).items()},
        )
        return real_render(request, template, context, *args, **kwargs)

    views.render = capture
    client.get(page)
    views.render = real_render

    measure(
        "case page with 50 contacts, against its template rendered from memory",
        [
            ("case page", lambda: client.get(page)),
            ("from memory", lambda: client.get("/bench/case-from-memory/")),
        ],
        rounds,
    )
    when = time.localtime()
    details = contact_details(case.service)
    form = dated(  # the page's day, month and year boxes
        {
            "date": time.strftime("%Y-%m-%d", when),
            "time": time.strftime("%H:%M", when),
            "channel": "phone",
            "direction": "in",
            "duration_minutes": "10",
            "topics": [str(topic.pk) for topic in details.topics],
            "outcome": str(details.outcome.pk),
            "notes": "Benchmark",
        }
    )
    log_url = reverse("cases:case_contact_log", args=[writes_to.pk])
    assert client.post(log_url, form).status_code == 302, "the contact form was refused"
    measure(
        "log a contact (POST), against a bare view doing the same insert",
        [
            ("log a contact", lambda: client.post(log_url, form)),
            ("bare insert", lambda: client.post(f"/bench/bare-contact/{writes_to.pk}/")),
        ],
        rounds,
    )
    as_senior = client_for(senior)
    common = most_common_surname(senior)
    measure(
        "histories, search and dashboard",
        [
            (
                "staff access history",
                lambda: as_senior.get(reverse("cases:staff_access_log", args=[caseworker.pk])),
            ),
            (
                "who accessed this case",
                lambda: as_senior.get(reverse("cases:case_access_log", args=[case.pk])),
            ),
            (
                f"search, common surname ({common[1]} match)",
                lambda: as_senior.post(reverse("cases:parent_search"), {"q": common[0]}),
            ),
            ("dashboard, caseworker", lambda: client.get(reverse("cases:dashboard"))),
            ("dashboard, senior", lambda: as_senior.get(reverse("cases:dashboard"))),
        ],
        rounds,
    )


def most_common_surname(senior):
    from collections import Counter

    from cases.models import Parent

    names = Counter(p.last_name for p in Parent.objects.filter(service_id=senior.service_id)[:3000])
    return names.most_common(1)[0]


def machine_speed_ms() -> float:
    """A fixed piece of pure-Python work (what the pages spend most of their time on), timed: the
    median of 7 runs, at the start and at the end of the suite. On a shared virtual machine it
    can vary by half from one minute to the next: figures from two runs compare only as far as
    this does (ratios measured side by side in one run do not depend on it)."""
    from _setup import median_ms

    def work():
        text = {}
        for n in range(200_000):
            text[n % 1000] = f"{n}:{n * n % 97}"

    return median_ms(work, rounds=7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="median")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--audit", type=int, help="audit entries in the dataset (default: the dataset's own)")
    parser.add_argument("--load", action="store_true", help="also run the open-model load against gunicorn")
    parser.add_argument("--rates", default="5,10,20,30,40,60,80,100", help="arrival rates to try, a second")
    parser.add_argument("--seconds", type=float, default=20, help="how long each rate runs")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (createdb ... first).")
    sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
    keep_keys(url)
    os.environ["DEBUG"] = "false"  # production mode; plain HTTP in this process, TLS is the proxy's
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("PPS_SEARCHES_PER_MINUTE", "100000")  # the benchmark searches all the time
    from _setup import benchmark_django

    cache = os.environ.get("CACHE_URL", "")
    print(
        f"cache and sessions: {cache.split('@')[-1]} (Redis, as in production)"
        if cache.startswith(("redis://", "rediss://", "unix://"))
        else "cache and sessions: the database (set CACHE_URL=redis://... to measure production's Redis)"
    )

    print(f"this machine: {machine_speed_ms():.1f} ms for the reference work (machine_speed_ms)")
    with benchmark_django():
        from django.core.management import call_command

        # With DEBUG off the pages name the collected, hashed static files.
        call_command("collectstatic", interactive=False, verbosity=0)
        build({**DATASETS[args.dataset], **({"audit": args.audit} if args.audit else {})})
        in_process(args.rounds)
        audit_throughput(processes=4, seconds=10)
        sealing_rate(50_000)
        if args.load:
            from load import run_load

            run_load(rates=[float(r) for r in args.rates.split(",")], seconds=args.seconds)
    print(f"\nthis machine at the end: {machine_speed_ms():.1f} ms for the reference work")
    print(f"peak memory of this process: {peak_rss_mib():.0f} MiB")


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
