"""Time importing an old system's export: a CSV of one row per contact, into a throwaway database.

    .venv/bin/python benchmarks/import_records.py                 # 100,000 contacts, 20,000 parents
    .venv/bin/python benchmarks/import_records.py --parents 2000 --contacts 10000
    createdb -h 127.0.0.1 -U postgres pps_import_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pps_import_bench \
        .venv/bin/python benchmarks/import_records.py

Goal: 100,000 contacts for 20,000 parents in under 5 minutes on this 2-core machine, with flat
memory (the file is streamed: the peak should not grow with the number of rows). Prints the time
of each step (upload: encrypting the file; mapping: reading the list columns' values; preview:
the whole file read and checked, duplicates looked up; import), in seconds of wall-clock time
and of this process's CPU (with SQLite, the database works in this process too; on a machine
shared with other work, the CPU time is the fairer figure), and the process's peak memory.
"""

import argparse
import contextlib
import csv
import random
import re
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

# benchmarks/statistics.py would stand in for the standard library's module _setup imports:
# import the real one first, without this folder on the path.
_here = sys.path.pop(0)
import statistics  # noqa: E402, F401, I001

sys.path.insert(0, _here)
from _setup import benchmark_django  # noqa: E402

HEADER = [
    "Client ref", "Forename", "Surname", "Tel", "Email", "Postcode", "Consent", "Child ref",
    "Child forename", "Child DOB", "Need", "Case ref", "Opened", "Contact ref", "Date", "Time",
    "Method", "Subject", "Outcome", "Call length", "Notes",
]  # fmt: skip
FIRST = ["Ottoline", "Barnaby", "Hepzibah", "Lysander", "Wilhelmina", "Peregrine", "Isolde", "Fenwick"]
LAST = ["Quarrender", "Fettiplace", "Marchbanks", "Ashdown", "Pryce", "Tregothnan", "Vavasour"]
TOPICS = ["EHC needs assessment", "EHC plan", "SEN support", "Exclusion", "Transport", "Annual review"]
OUTCOMES = ["Information given", "Advice given", "Signposted to another organisation"]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_file(path: Path, parents: int, contacts: int) -> None:
    rng = random.Random(17)
    per_parent = max(1, contacts // parents)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        number = 0
        for p in range(parents):
            first, last = rng.choice(FIRST), f"{rng.choice(LAST)}{p}"
            born = date(2008, 1, 1) + timedelta(days=rng.randrange(4000))
            opened = date(2021, 1, 1) + timedelta(days=rng.randrange(700))
            for c in range(per_parent if p < parents - 1 else contacts - number):
                number += 1
                when = opened + timedelta(days=7 * c)
                writer.writerow([
                    f"P{p}", first, last, f"07700 {p:06d}", "", "CT1 1AA", "Yes", f"C{p}",
                    rng.choice(FIRST), born.strftime("%d/%m/%Y"), "ASD", f"K{p}",
                    opened.strftime("%d/%m/%Y"), f"T{number}", when.strftime("%d/%m/%Y"), "10:30",
                    rng.choice(["Tel", "Email", "Face to face"]), rng.choice(TOPICS),
                    rng.choice(OUTCOMES), rng.randrange(5, 90), "Talked through the next steps",
                ])  # fmt: skip


class StatementTimes:
    """Time spent in the database by kind of statement (``--statements``): the SQL with its
    lists of values folded, so a batch of 500 rows and one of 3 are the same kind."""

    def __init__(self):
        self.times = {}

    def __call__(self, execute, sql, params, many, context):
        started = time.monotonic()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = re.sub(r"(\(%s(, %s)*\)(, )?)+", "(...)", sql)
            shape = re.sub(r"%s(, %s)+", "...", shape)[:150]
            seconds, count = self.times.get(shape, (0.0, 0))
            self.times[shape] = (seconds + time.monotonic() - started, count + 1)

    def print(self, top: int = 15) -> None:
        print(f"  statements: {sum(c for _, c in self.times.values()):,}, the {top} slowest kinds:")
        for shape, (seconds, count) in sorted(self.times.items(), key=lambda item: -item[1][0])[:top]:
            print(f"    {seconds:7.1f} s {count:8,}x  {shape}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument(
        "--statements", action="store_true", help="print the time the import's statements took, by kind"
    )
    args = parser.parse_args()

    with benchmark_django(), tempfile.TemporaryDirectory(prefix="pps-import-bench-") as folder:
        from django.conf import settings
        from django.db import connection, transaction

        from cases.services import seed_reference_data
        from imports import services
        from imports.models import ImportRun
        from pps.models import Role, Service, User

        settings.IMPORTS_DIR = str(Path(folder) / "uploads")
        if Service.objects.filter(short_name="IMPB").exists():
            sys.exit("This database already holds the benchmark's service: give an empty one.")
        service = Service.objects.create(name="Import benchmark service", short_name="IMPB")
        seed_reference_data(service)
        head = User.objects.create(username="import.bench", service=service, role=Role.HEAD_OF_SERVICE)

        path = Path(folder) / "export.csv"
        write_file(path, args.parents, args.contacts)
        size = path.stat().st_size / 1024 / 1024
        print(
            f"{connection.vendor}: {args.contacts:,} contacts for {args.parents:,} parents, "
            f"{size:.1f} MiB CSV"
        )
        print(f"  start: peak memory {peak_mib():.0f} MiB")

        steps, cpu = {}, {}
        started, cpu_started = time.monotonic(), time.process_time()
        with path.open("rb") as file:
            run = services.upload_file(by=head, source_name="Benchmark system", file=file)
        steps["upload"], cpu["upload"] = time.monotonic() - started, time.process_time() - cpu_started
        started, cpu_started = time.monotonic(), time.process_time()
        mapping = {
            "parent_id": "Client ref", "parent_first_name": "Forename", "parent_last_name": "Surname",
            "phone": "Tel", "postcode": "Postcode", "consent": "Consent", "child_id": "Child ref",
            "child_first_name": "Child forename", "child_date_of_birth": "Child DOB", "need": "Need",
            "case_id": "Case ref", "case_opened_on": "Opened", "contact_id": "Contact ref",
            "contact_date": "Date", "contact_time": "Time", "channel": "Method", "topic": "Subject",
            "outcome": "Outcome", "duration": "Call length", "notes": "Notes",
        }  # fmt: skip
        run = services.set_column_mapping(by=head, run=run, mapping=mapping)
        steps["mapping"], cpu["mapping"] = time.monotonic() - started, time.process_time() - cpu_started
        values = {key: dict(found) for key, found in run.value_mapping.items()}
        values.setdefault("consent", {})["Yes"] = "oral_phone"
        started, cpu_started = time.monotonic(), time.process_time()
        run = services.set_value_mapping(by=head, run=run, mapping=values)
        steps["preview"], cpu["preview"] = time.monotonic() - started, time.process_time() - cpu_started
        print(
            f"  preview: {run.preview['parents']:,} parents, {run.preview['contacts']:,} contacts to create"
        )
        started, cpu_started = time.monotonic(), time.process_time()
        timer = StatementTimes()
        with connection.execute_wrapper(timer) if args.statements else contextlib.nullcontext():
            # As the background worker and the command run it: a transaction per batch.
            with transaction.atomic():
                services.confirm(by=head, run=run, start=False)
            services.run_import(run.pk)
        steps["import"], cpu["import"] = time.monotonic() - started, time.process_time() - cpu_started
        run = ImportRun.objects.get(pk=run.pk)
        for name, seconds in steps.items():
            print(f"  {name}: {seconds:.1f} s ({cpu[name]:.1f} s of CPU in this process)")
        print(
            f"  imported {run.parents_created:,} parents, {run.children_created:,} children, "
            f"{run.cases_created:,} cases, {run.contacts_created:,} contacts "
            f"({run.contacts_created / steps['import']:,.0f} contacts/s); {run.rows_refused} refused"
        )
        print(
            f"  total {sum(steps.values()):.1f} s ({sum(cpu.values()):.1f} s CPU); "
            f"peak memory {peak_mib():.0f} MiB"
        )
        if args.statements:
            timer.print()


if __name__ == "__main__":
    main()
