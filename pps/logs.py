"""Structured logs: one JSON object per line, each naming the request it belongs to, and nothing
personal (SECURITY controls 19 and 31).

- ``RequestIdMiddleware`` (first in ``MIDDLEWARE``) gives every request an id, returns it in the
  ``X-Request-ID`` response header and puts it on every log record made while the request runs;
  a person reporting a problem can quote it. An id sent by a proxy of ours (``TRUSTED_PROXY_COUNT``
  above 0) is kept when it is a plain token (letters, digits, ``-``), so the load balancer's logs
  and ours share it; anything else is replaced.
- It also logs one line per request on ``pps.request``: the method, the URL pattern's name (never
  the path, which can hold whatever was typed into the address bar, nor the query string), the
  status, the time taken and the account id.
- ``JsonFormatter`` writes only the fields it names (time, level, logger, request id, message, and
  the request line's fields). Nothing attached to a record by a library reaches the output: Django
  attaches the request itself to its error records, and its text includes the query string. An
  exception is written as its type and the stack's file, line and function names, never its
  message: a database error's message can quote the values of the row.

This module imports nothing of Django at load time, so that gunicorn's own logs (its master
process, before the application is loaded) use the same formatter.
"""

import contextvars
import datetime as dt
import json
import logging
import re
import time
import traceback
import uuid

from django.conf import settings

#: The request being handled in this thread (or task), for the log records it makes.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "pps_request_id", default=None
)

HEADER = "X-Request-ID"
#: What an id from a proxy of ours may look like: no spaces, quotes or free text.
_PROXY_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
#: The fields of the request line (``extra=`` of ``RequestIdMiddleware``'s record).
REQUEST_FIELDS = ("method", "view", "status", "duration_ms", "user")
#: At most this many of an exception's innermost frames are written.
_STACK_FRAMES = 30

request_logger = logging.getLogger("pps.request")


def _with_request_id(factory):
    """Each record remembers the request it was made in, whenever and wherever it is written."""

    def make(*args, **kwargs):
        record = factory(*args, **kwargs)
        record.request_id = current_request_id.get()
        return record

    make.pps_request_id = True
    return make


if not getattr(logging.getLogRecordFactory(), "pps_request_id", False):
    logging.setLogRecordFactory(_with_request_id(logging.getLogRecordFactory()))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, of named fields only (see the module's docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None),
            "message": self._message(record),
        }
        for name in REQUEST_FIELDS:
            if name in record.__dict__:
                entry[name] = record.__dict__[name]
        status = record.__dict__.get("status_code")
        if isinstance(status, int):
            entry["status"] = status
        # Messages that are JSON objects already (``pps.auth_log``, ``pps.csp_reports``) are written
        # as an object under ``data``, not as a string holding JSON.
        text = entry["message"]
        if text.startswith("{"):
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            if isinstance(data, dict):
                entry["data"] = data
                entry["message"] = str(data.get("event", record.name))
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, trace = record.exc_info
            entry["error"] = f"{kind.__module__}.{kind.__qualname__}"
            frames = traceback.extract_tb(trace)[-_STACK_FRAMES:]
            entry["stack"] = [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in frames]
        return json.dumps(entry, ensure_ascii=True, default=str)

    @staticmethod
    def _message(record: logging.LogRecord) -> str:
        if record.name == "django.request" and record.args:
            # "Internal Server Error: /the/path": the reason only, as the path can hold typed text.
            return str(record.args[0])
        return record.getMessage()


def _incoming_id(request) -> str | None:
    if not settings.TRUSTED_PROXY_COUNT:
        return None
    value = request.headers.get(HEADER, "")
    return value if _PROXY_ID.match(value) else None


class RequestIdMiddleware:
    """Gives each request an id (``X-Request-ID``) and logs one line when it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _incoming_id(request) or uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            self._log(request, response.status_code, started)
            return response
        finally:
            current_request_id.reset(token)

    @staticmethod
    def _log(request, status: int, started: float) -> None:
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        view = match.view_name if match is not None else None
        if view is None and request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            view = "static"
        request_logger.info(
            "request",
            extra={
                "method": request.method if request.method in _METHODS else "other",
                "view": view,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user": str(user.pk) if user is not None and user.is_authenticated else None,
            },
        )


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
