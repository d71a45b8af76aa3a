"""An optional virus scan of every file attached, by a ClamAV daemon (clamd), when ``CLAMAV_URL``
is set: ``tcp://host:3310`` or ``unix:///run/clamav/clamd.ctl``.

A small client of clamd's INSTREAM command (its protocol: ``zINSTREAM\\0``, then chunks each
preceded by its length as 4 bytes big-endian, then a zero length; the answer is
``stream: OK``, ``stream: <signature> FOUND`` or an ``ERROR``). A file is refused when a virus is
found, and also when the scanner cannot be reached or answers an error: with scanning turned on,
nothing unscanned gets in. No file name or content is logged.
"""

import socket
import struct
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30


class ScanFailed(Exception):
    """The scanner could not say the file is clean (down, or it answered an error)."""


class VirusFound(Exception):
    """The scanner found a virus."""


def enabled() -> bool:
    return bool(getattr(settings, "CLAMAV_URL", ""))


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT_SECONDS)
        sock.connect(parts.path)
        return sock
    if parts.scheme == "tcp" and parts.hostname:
        return socket.create_connection((parts.hostname, parts.port or 3310), timeout=TIMEOUT_SECONDS)
    raise ScanFailed("CLAMAV_URL must be tcp://host:port or unix:///path/to/clamd.socket.")


def scan(data: bytes, url: str | None = None) -> None:
    """Scan ``data``; raises VirusFound or ScanFailed, returns None when the file is clean."""
    url = url or settings.CLAMAV_URL
    try:
        with _connect(url) as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                received = sock.recv(4096)
                if not received:
                    break
                answer += received
    except OSError as error:
        raise ScanFailed(f"The virus scanner could not be reached ({type(error).__name__}).") from None
    answer = answer.rstrip(b"\0").strip()
    if answer.endswith(b"FOUND"):
        raise VirusFound
    if answer != b"stream: OK":
        raise ScanFailed("The virus scanner did not answer that the file is clean.")
