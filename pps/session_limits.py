"""What a session remembers about its own age: when it signed in, when it was last used, and
whether it is locked (see ``pps.middleware.SessionLimitsMiddleware``)."""

import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.utils import timezone

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


def end_all_sessions(user) -> int:
    """Deletes every session of ``user`` on the server, so that none of them can ever be used
    again, even if the account is made active again later. Returns how many there were.

    Sessions are stored in the database (``SESSION_ENGINE``), not indexed by account: this reads
    the live ones, which is fine for something as rare as deactivating an account. Each is ended
    through the session engine, which also drops its copy in Redis (``cached_db``)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            store.delete(session.session_key)
            ended += 1
    return ended


def _deactivated(sender, instance, update_fields=None, **kwargs) -> None:
    """A deactivated account is signed out everywhere, for good (whoever deactivated it, and
    however: the admin, a service, a command)."""
    if instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    end_all_sessions(instance)


def connect() -> None:
    post_save.connect(_deactivated, sender=get_user_model(), dispatch_uid="pps.session_limits.deactivated")
