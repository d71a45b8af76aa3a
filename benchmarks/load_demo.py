"""Time loading a large demo data set into a throwaway database.

    .venv/bin/python benchmarks/load_demo.py                      # SQLite, in a temporary directory
    .venv/bin/python benchmarks/load_demo.py --parents 2000 --contacts 30000
    createdb -h 127.0.0.1 -U postgres pps_demo_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pps_demo_bench .venv/bin/python benchmarks/load_demo.py
    dropdb -h 127.0.0.1 -U postgres pps_demo_bench

Goal: 20,000 parents and 300,000 contacts in a few minutes on 2 cores, on SQLite and PostgreSQL.
"""

import argparse
import sys
import time

from _setup import benchmark_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=300_000)
    args = parser.parse_args()

    with benchmark_django():
        from django.db import connection

        from demo import data as demo

        if demo.is_loaded():
            sys.exit("This database already holds the demo data: give an empty one.")
        started = time.monotonic()
        result = demo.load(parents=args.parents, contacts=args.contacts, progress=print)
        elapsed = time.monotonic() - started
        rows = sum(result.counts.values())
        print(f"{connection.vendor}: {elapsed:.1f} s, {rows} rows, {rows / elapsed:,.0f} rows/s")
        print(", ".join(f"{n} {name}" for name, n in result.counts.items()))


if __name__ == "__main__":
    main()
