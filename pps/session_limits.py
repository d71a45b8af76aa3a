"""What a session remembers about its own age: when it signed in, when it was last used, and
whether it is locked (see ``pps.middleware.SessionLimitsMiddleware``)."""

import time

SIGNED_IN_AT = "pps_signed_in_at"
LAST_SEEN = "pps_last_seen"
LOCKED = "pps_locked"
IDLE_SECONDS = "pps_idle_seconds"
#: Last activity is written at most this often, so that not every request writes the session.
RESOLUTION_SECONDS = 15
DEFAULT_IDLE_MINUTES = 15
#: Whoever can reach child-protection files (designated leads) locks after this at most, whatever
#: their service's setting (SECURITY control 20: 15 minutes for child-protection data).
CHILD_PROTECTION_IDLE_MINUTES = 15


def start(request) -> None:
    """At sign-in: the clocks start, with the idle limit of the person's service."""
    service = getattr(request.user, "service", None)
    minutes = service.idle_timeout_minutes if service else DEFAULT_IDLE_MINUTES
    if getattr(request.user, "is_safeguarding_lead", False):
        minutes = min(minutes, CHILD_PROTECTION_IDLE_MINUTES)
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[IDLE_SECONDS] = minutes * 60
    request.session.pop(LOCKED, None)


def unlock(request) -> None:
    request.session.pop(LOCKED, None)
    request.session[LAST_SEEN] = time.time()
    request.session.cycle_key()


def is_activity(request) -> bool:
    """A page the person asked for, not a background request (htmx GETs, e.g. polling)."""
    return not (request.method == "GET" and request.headers.get("HX-Request"))
