"""Where browsers report what the Content-Security-Policy blocked (``report-uri``).

Each report is logged on the ``pps.csp`` logger as one JSON line holding only what helps to fix
the policy: the directive, the blocked resource's origin (scheme and host, or a keyword such as
``inline``), the page's path (no query), the line. Never the query strings, the sample of the
blocked code, or anything else a report may carry that could hold personal data. At most
``LIMIT`` reports per address per minute are logged; the rest are dropped. Reports are accepted
without signing in or a CSRF token (browsers send neither); bodies over ``MAX_BYTES`` are
dropped unread.
"""

import json
import logging
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pps import rate_limits
from pps.requests import client_ip

logger = logging.getLogger("pps.csp")
LIMIT = 20
MAX_BYTES = 16_384
KEYWORDS = {"inline", "eval", "data", "blob", "self", "wasm-eval", "trusted-types-policy"}


def _origin(value) -> str:
    """A URL's scheme and host only; a CSP keyword as it is; anything else "other"."""
    text = str(value or "")
    if text in KEYWORDS:
        return text
    parts = urlsplit(text)
    if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname:
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}"
    return parts.scheme or "other"


def _path(value) -> str:
    return urlsplit(str(value or "")).path[:200]


def _reports(body: bytes) -> list[dict]:
    """The reports of a body in either format: ``{"csp-report": {...}}`` (report-uri) or a list
    of ``{"type": "csp-violation", "body": {...}}`` (the Reporting API)."""
    data = json.loads(body.decode("utf-8"))
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [data["csp-report"]]
    if isinstance(data, list):
        return [
            item["body"] for item in data if isinstance(item, dict) and isinstance(item.get("body"), dict)
        ]
    return []


def summary(report: dict) -> dict:
    def pick(*names):
        return next((report[name] for name in names if name in report), None)

    line = pick("line-number", "lineNumber")
    return {
        "directive": str(pick("effective-directive", "effectiveDirective", "violated-directive") or "")[:60],
        "blocked": _origin(pick("blocked-uri", "blockedURL")),
        "page": _path(pick("document-uri", "documentURL")),
        "source": _path(pick("source-file", "sourceFile")),
        "line": line if isinstance(line, int) else None,
        "disposition": str(pick("disposition") or "enforce")[:10],
    }


@csrf_exempt
@login_not_required
@require_POST
def csp_report(request):
    if not rate_limits.allow("csp-report", client_ip(request) or "unknown", limit=LIMIT, per_seconds=60):
        return HttpResponse(status=429)
    body = request.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        return HttpResponse(status=413)
    try:
        reports = _reports(body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponse(status=400)
    for report in reports[:5]:
        logger.warning(
            json.dumps({"event": "csp_violation", **summary(report)}, ensure_ascii=True, sort_keys=True)
        )
    return HttpResponse(status=204)
