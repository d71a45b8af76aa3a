"""How many password hashes may be worked out at once, on this machine (``pps.hashers``).

A password check is meant to be slow (Argon2: tens of milliseconds of a core, and memory). A
burst of sign-ins, or someone posting passwords as fast as they can, must not take every core:
the other requests would wait behind them. So each check takes one of
``PPS_PASSWORD_CHECKS_AT_ONCE`` slots (by default half the cores, at least one) and a check that
finds them all taken waits, up to ``PPS_PASSWORD_CHECK_WAIT_SECONDS``. If none frees in that
time, ``PasswordChecksBusy`` is raised: the person is told to try again in a few seconds (HTTP
503, ``pps.middleware.PasswordChecksBusyMiddleware``) and the attempt counts as nothing, neither
a failure nor a success.

The slots are files locked with ``flock`` in ``PPS_PASSWORD_SLOTS_DIR`` (by default a folder of
the system's temporary directory): every worker process and thread of every instance on the
machine shares them, since what they share is the machine's cores. The kernel releases a lock
when its process dies, so a worker killed in the middle of a check frees its slot.
"""

import fcntl
import os
import random
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

#: How often a waiting check looks for a free slot.
POLL_SECONDS = 0.002

_local = threading.local()


class PasswordChecksBusy(Exception):
    """Every slot stayed taken for the whole wait."""


def default_slots() -> int:
    return max(1, (os.cpu_count() or 2) // 2)


def default_directory() -> str:
    return str(Path(tempfile.gettempdir()) / f"pps-password-checks-{os.getuid()}")


def _configured() -> tuple[Path, int, float]:
    return (
        Path(settings.PPS_PASSWORD_SLOTS_DIR),
        max(1, int(settings.PPS_PASSWORD_CHECKS_AT_ONCE)),
        float(settings.PPS_PASSWORD_CHECK_WAIT_SECONDS),
    )


def _open_slots(directory: Path, count: int) -> list[int]:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return [os.open(directory / f"slot-{number}", os.O_RDWR | os.O_CREAT, 0o600) for number in range(count)]


@contextmanager
def slot(directory: Path | None = None, count: int | None = None, wait: float | None = None):
    """Holds one slot for the ``with`` block, waiting for one if need be (see the module's
    docstring). Arguments default to the settings. Re-entrant: a check inside a check (one
    thread) uses the slot it holds."""
    if getattr(_local, "holding", False):
        yield
        return
    configured = _configured() if None in (directory, count, wait) else None
    directory = directory if directory is not None else configured[0]
    count = count if count is not None else configured[1]
    wait = wait if wait is not None else configured[2]
    descriptors = _open_slots(directory, count)
    held = None
    try:
        deadline = time.monotonic() + wait
        order = list(descriptors)
        random.shuffle(order)  # spread the checks over the slots
        while held is None:
            for descriptor in order:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                held = descriptor
                break
            if held is None:
                if time.monotonic() >= deadline:
                    raise PasswordChecksBusy()
                time.sleep(POLL_SECONDS)
        _local.holding = True
        try:
            yield
        finally:
            _local.holding = False
            fcntl.flock(held, fcntl.LOCK_UN)
    finally:
        for descriptor in descriptors:
            os.close(descriptor)
