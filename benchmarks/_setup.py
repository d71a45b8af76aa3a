"""What the benchmarks share: a throwaway database unless DATABASE_URL is set, Django set up with
benchmark-only keys, and medians of repeated timings."""

import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def benchmark_django():
    """Django, set up on DATABASE_URL or on a SQLite file in a temporary folder removed after."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    workdir = None
    if not os.environ.get("DATABASE_URL"):
        workdir = tempfile.mkdtemp(prefix="pps-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pps.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    from pps.crypto import generate_key_ring_text, generate_search_key_text

    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", generate_key_ring_text("bench"))
    os.environ.setdefault("SEARCH_INDEX_KEY", generate_search_key_text())
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield
    finally:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def median_ms(action, rounds: int = 20) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    # Not the statistics module: benchmarks/statistics.py, beside this file, shadows it.
    timings.sort()
    middle = len(timings) // 2
    return timings[middle] if len(timings) % 2 else (timings[middle - 1] + timings[middle]) / 2
