"""Time loading a large demo data set into a throwaway database.

    .venv/bin/python benchmarks/load_demo.py                      # SQLite, in a temporary directory
    .venv/bin/python benchmarks/load_demo.py --parents 2000 --contacts 30000
    createdb -h 127.0.0.1 -U postgres pps_demo_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pps_demo_bench .venv/bin/python benchmarks/load_demo.py
    dropdb -h 127.0.0.1 -U postgres pps_demo_bench

Goal: 20,000 parents and 300,000 contacts in a few minutes on 2 cores, on SQLite and PostgreSQL.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=300_000)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    workdir = None
    if not os.environ.get("DATABASE_URL"):
        workdir = tempfile.mkdtemp(prefix="pps-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pps.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from cases import demo

        call_command("migrate", verbosity=0)
        if demo.is_loaded():
            sys.exit("This database already holds the demo data: give an empty one.")
        started = time.monotonic()
        result = demo.load(parents=args.parents, contacts=args.contacts, progress=print)
        elapsed = time.monotonic() - started
        rows = sum(result.counts.values())
        print(f"{connection.vendor}: {elapsed:.1f} s, {rows} rows, {rows / elapsed:,.0f} rows/s")
        print(", ".join(f"{n} {name}" for name, n in result.counts.items()))
    finally:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
