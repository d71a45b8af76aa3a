"""Sign-in events for security monitoring (control 19): success, failure, lock-out, wrong code,
sign-out. One JSON object per line on the ``pps.auth`` logger, so that nothing typed into a form
(a newline in a username, say) can forge or split a record.

Records name people by account id, never by what was typed: a username that matches no account
is logged as unknown (people sometimes type their password into the username box).
"""

import datetime as dt
import json
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from pps.requests import client_ip

logger = logging.getLogger("pps.auth")
#: Events of every day, logged at INFO; the others (failures, lock-outs) at WARNING.
ROUTINE = {
    "signed_in",
    "signed_out",
    "second_factor_passed",
    "second_factor_set_up",
    "unlocked",
    "step_up_passed",
}


def record(event: str, request=None, user=None, **details) -> None:
    entry = {
        "event": event,
        "at": timezone.now().astimezone(dt.UTC).isoformat(),
        "user": str(user.pk) if user is not None and user.pk else None,
        "ip": client_ip(request) if request is not None else None,
        **details,
    }
    level = logging.INFO if event in ROUTINE else logging.WARNING
    logger.log(level, json.dumps(entry, ensure_ascii=True, sort_keys=True))


def _account(username) -> object | None:
    if not isinstance(username, str) or not username:
        return None
    return get_user_model().objects.filter(username=username).first()


@receiver(user_logged_in, dispatch_uid="pps.auth_log.signed_in")
def _signed_in(sender, request, user, **kwargs):
    record("signed_in", request, user)


@receiver(user_logged_out, dispatch_uid="pps.auth_log.signed_out")
def _signed_out(sender, request, user, **kwargs):
    record("signed_out", request, user)


@receiver(user_login_failed, dispatch_uid="pps.auth_log.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    user = _account(credentials.get("username"))
    record("sign_in_failed", request, user, known_user=user is not None)


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    # django-axes passes its keyed hash of the username: look at what was typed instead.
    typed = request.POST.get("username") if request is not None else None
    user = _account(typed)
    record("locked_out", request, user, known_user=user is not None)


def connect() -> None:
    # axes.signals imports axes' models: only once the app registry is ready (PpsConfig.ready).
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="pps.auth_log.locked_out")
