"""gunicorn's settings for production (``bin/serve`` passes this file with ``-c``).

- Workers: ``WEB_CONCURRENCY`` if set, else two per core plus one (gunicorn's own advice), each
  with ``PPS_THREADS`` threads (default 4): a request waiting on the database, or a sign-in
  waiting its turn for a password check (``pps.hashers``), holds a thread, not a whole process.
- Listens on ``BIND`` (default ``127.0.0.1:8000``; ``0.0.0.0:8000`` behind a load balancer on
  another machine).
- The application is loaded once, before the workers start (``preload_app``): a missing secret or
  key stops start-up with its message instead of workers failing one by one.
- gunicorn itself logs in the same JSON lines as the application (``pps.logs``), and writes no
  access log of its own: ``pps.request`` has one line per request, without the path or query.
- Whether a request came over HTTPS, and from which address, is decided by the application from
  ``TRUSTED_PROXY_COUNT`` alone, so gunicorn trusts no forwarding header itself.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("BIND") or "127.0.0.1:8000"
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = _int("PPS_THREADS", 4)
preload_app = True
timeout = _int("PPS_WORKER_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with some jitter), so that memory stays flat.
max_requests = _int("PPS_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
# No runtime control socket (gunicorn 24+): nothing outside the process manager steers workers.
control_socket_disable = True
forwarded_allow_ips = ""
secure_scheme_headers = {}
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "pps.logs.JsonFormatter"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
    "root": {"handlers": [], "level": "WARNING"},
}
