"""How fast the statistics are, with a service of 45,000 cases and 230,000 contacts.

    .venv/bin/python benchmarks/statistics_tables.py                        # SQLite in a temp dir
    .venv/bin/python benchmarks/statistics_tables.py --cases 9000 --contacts 46000 --other-services 1
    createdb -h 127.0.0.1 -U postgres pps_stats_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pps_stats_bench \
        .venv/bin/python benchmarks/statistics_tables.py
    dropdb -h 127.0.0.1 -U postgres pps_stats_bench

It writes the rows the statistics read (cases with their codes, contacts with their topics and
children's codes, 40% of contacts with no name given) straight into the database, over five
years, for one service and ``--other-services`` more of the same size. Then it times, as medians:
- one year's statistics page of the one service (every table, suppressed, with the year before);
- the same with the all-services column (over every service's contacts);
- the CSV export of that report, with its peak memory;
and prints the slowest queries of the page with their query plans.

The rows are written around the service functions, so the summary tables the statistics read
are then rebuilt from them (``manage.py rebuild_statistics``, timed and printed), as after any
bulk load; ``--rebuild`` rebuilds them again on an existing dataset.
"""

import argparse
import random
import sys
import time
import tracemalloc
import uuid
from datetime import timedelta
from pathlib import Path

# This file's name would hide the standard library's ``statistics`` from everything that imports
# it: look in this folder last.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from _setup import benchmark_django, median_ms  # noqa: E402

ROUNDS = 5


def build(service_index, service, staff, topics, outcomes, *, cases, contacts, rng, now):
    from cases.models import Case, Child, Contact, ContactChild, Parent
    from pps import crypto

    years = 5 * 365
    # One data key for every row, given to each instance: the statistics never read these fields.
    key = crypto.new_data_key()
    case_rows, parents, children = [], [], []
    for n in range(cases):
        opened = now - timedelta(days=rng.uniform(0, years), hours=rng.uniform(0, 8))
        closed = opened + timedelta(days=rng.uniform(14, 300)) if rng.random() < 0.8 else None
        if closed and closed > now:
            closed = None
        parent = Parent(
            id=uuid.uuid4(), service=service, created_at=opened, created_by=staff, preferred_contact="phone",
            parental_responsibility="yes",
        )  # fmt: skip
        parent.use_household_key(key)
        parents.append(parent)
        children.append(
            (
                uuid.uuid4(),
                rng.choice(["ASD", "SLCN", "SEMH", "MLD", ""]),
                rng.choice(["ehc_plan", "sen_support"]),
            )
        )
        case_rows.append(
            Case(
                id=uuid.uuid4(), service=service, parent_id=parent.id, reference=f"B{service_index}{n:07d}",
                status="closed" if closed else "open", opened_at=opened, closed_at=closed, opened_by=staff,
                intervention_level=rng.choice(["1", "2", "3", "3", "4", "tribunal", ""]),
                referral_source=rng.choice(["self", "self", "school", "health", "council", ""]), summary="",
            )
        )  # fmt: skip
    Parent.objects.bulk_create(parents, batch_size=5000)
    kids = []
    for p, (cid, need, prov) in zip(parents, children, strict=True):
        kids.append(Child(id=cid, parent_id=p.id, need=need, provision=prov, first_name="", school=""))
        kids[-1].use_household_key(key)
    Child.objects.bulk_create(kids, batch_size=5000)
    for case in case_rows:
        case.use_household_key(key)
    Case.objects.bulk_create(case_rows, batch_size=5000)
    through = Contact.topics.through
    batch, links, codes = [], [], []
    for _ in range(contacts):
        on_case = rng.random() < 0.6
        i = rng.randrange(cases)
        case = case_rows[i] if on_case else None
        if case:
            end = case.closed_at or now
            at = case.opened_at + (end - case.opened_at) * rng.random()
        else:
            at = now - timedelta(days=rng.uniform(0, years))
        contact = Contact(
            id=uuid.uuid4(), service=service, case_id=case.id if case else None, occurred_at=at,
            channel=rng.choice(["phone", "phone", "email", "meeting", "video", "letter", "text"]),
            direction=rng.choice(["in", "in", "out"]),
            person=rng.choice(["parent"] * 8 + ["professional", "young_person"]),
            duration_minutes=rng.randint(5, 90), outcome_id=rng.choice(outcomes), logged_by=staff, notes="",
        )  # fmt: skip
        contact.use_household_key(key)
        batch.append(contact)
        links.append(through(contact_id=contact.id, topic_id=rng.choice(topics)))
        if case:
            cid, need, prov = children[i]
            codes.append(
                ContactChild(
                    contact_id=contact.id, child_id=cid, service=service, occurred_at=at,
                    need=need, provision=prov,
                    phase=rng.choice(["early_years", "primary", "secondary", "post_16"]),
                )
            )  # fmt: skip
        if len(batch) >= 5000:
            Contact.objects.bulk_create(batch)
            through.objects.bulk_create(links)
            ContactChild.objects.bulk_create(codes)
            batch, links, codes = [], [], []
    Contact.objects.bulk_create(batch)
    through.objects.bulk_create(links)
    ContactChild.objects.bulk_create(codes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=45_000)
    parser.add_argument("--contacts", type=int, default=230_000)
    parser.add_argument("--other-services", type=int, default=4, help="of the same size, for all-services")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the summaries of an existing dataset")
    args = parser.parse_args()

    with benchmark_django():
        from auditlog.context import disable_auditlog
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from cases.models import Contact, Outcome, Topic
        from cases.services import seed_reference_data
        from pps.models import Role, Service, User
        from reports import exports, periods, services, summaries
        from reports.models import DailyCount, Reached

        now = timezone.now()
        rng = random.Random(7)
        if not Service.objects.filter(name="Benchmark service 0").exists():
            started = time.monotonic()
            with disable_auditlog(), transaction.atomic():
                for index in range(1 + args.other_services):
                    service = Service.objects.create(
                        name=f"Benchmark service {index}", short_name=f"B{index}"
                    )
                    seed_reference_data(service)
                    staff = User.objects.create(
                        username=f"bench{index}", service=service, role=Role.CASEWORKER
                    )
                    User.objects.create(
                        username=f"bench-coordinator{index}", service=service, role=Role.COORDINATOR
                    )
                    topics = list(Topic.objects.filter(service=service).values_list("pk", flat=True))
                    outcomes = list(Outcome.objects.filter(service=service).values_list("pk", flat=True))
                    build(
                        index,
                        service,
                        staff,
                        topics,
                        outcomes,
                        cases=args.cases,
                        contacts=args.contacts,
                        rng=rng,
                        now=now,
                    )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(f"built the data in {time.monotonic() - started:.0f} s")
        if args.rebuild or not DailyCount.objects.exists():
            started = time.monotonic()
            written = summaries.rebuild()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE reports_dailycount")
                    cursor.execute("VACUUM ANALYZE reports_reached")
            print(
                f"rebuilt the summaries in {time.monotonic() - started:.0f} s: "
                f"{written['daily counts']:,} daily counts, {written['reached']:,} reached"
            )
        print(
            f"summary rows: {DailyCount.objects.count():,} daily counts, {Reached.objects.count():,} reached"
        )

        coordinator = User.objects.get(username="bench-coordinator0")
        service = coordinator.service
        year = periods.current_financial_year(timezone.localdate()).previous()
        print(
            f"{connection.vendor}: {Contact.objects.filter(service=service).count():,} contacts in the "
            "service, "
            f"{Contact.objects.count():,} in all {Service.objects.count()} services; period {year.label}"
        )
        minimum = services.BENCHMARK_MIN_SERVICES

        def page(benchmark: bool):
            services.BENCHMARK_MIN_SERVICES = minimum if benchmark else 10**6
            return services.build_report(service, year, viewer=coordinator)

        for benchmark in (False, True):
            if benchmark and Service.objects.count() < minimum:
                continue
            page(benchmark)  # warm
            with CaptureQueriesContext(connection) as captured:
                page(benchmark)
            ms = median_ms(lambda b=benchmark: page(b), rounds=ROUNDS)
            label = "one service + all services" if benchmark else "one service"
            print(f"statistics page, {label}: {ms:.0f} ms, {len(captured.captured_queries)} queries")
            ranked = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
            total = sum(float(q["time"]) for q in ranked) * 1000
            each = ", ".join(f"{float(q['time']) * 1000:.0f}" for q in ranked)
            print(f"  in the database: {total:.0f} ms; each query: {each}")
            slow = ranked[:3]
            for query in slow:
                print(f"  {float(query['time']) * 1000:.0f} ms: {query['sql'][:160]}...")
                explain = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
                with connection.cursor() as cursor:
                    cursor.execute(explain + query["sql"])
                    for row in cursor.fetchall():
                        print("      " + " | ".join(str(c) for c in row))
        services.BENCHMARK_MIN_SERVICES = 10**6
        # A date range is not a named period: its distinct people are counted from the records.
        span = periods.date_range(year.start + timedelta(days=10), year.end - timedelta(days=10))
        ms = median_ms(lambda: services.build_report(service, span, viewer=coordinator), rounds=3)
        print(f"statistics page, one service, a date range ({span.label}): {ms:.0f} ms")
        services.BENCHMARK_MIN_SERVICES = minimum

        report = page(Service.objects.count() >= minimum)
        tracemalloc.start()
        size = sum(len(line) for line in exports.csv_lines(report))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"CSV export: {size:,} characters, peak memory {peak / 1024:.0f} KiB (the tables are aggregates)"
        )


if __name__ == "__main__":
    main()
