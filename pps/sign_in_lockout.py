"""How failed sign-ins lock signing in (django-axes' database handler, with one more rule).

- Five wrong passwords for one username from one address lock that username from that address
  for ``AXES_COOLOFF_TIME`` (15 minutes). Colleagues behind the same address (a council's NAT, an
  office's proxy) are not affected.
- An address alone is locked only at ``PPS_ADDRESS_FAILURE_LIMIT`` wrong passwords (100) in the
  same 15 minutes, whatever usernames they named: that stops someone trying many usernames from
  one place without letting one person lock a whole office out.
- The address is ``pps.requests.client_ip`` (see ``TRUSTED_PROXY_COUNT``).
- django-axes stores no typed username: only a keyed hash of it (``username_key``; people type
  their password into the username box). It writes no log of successful sign-ins either:
  ``pps.auth_log`` records those, by account id.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.utils.crypto import salted_hmac

#: Separates these hashes from every other use of SECRET_KEY.
USERNAME_KEY_SALT = "pps.sign_in_lockout.username"


def username_key(request, credentials=None) -> str | None:
    """What django-axes stores and counts for a username: a keyed hash (HMAC-SHA256 under
    SECRET_KEY), the same for the same text, revealing nothing of it without the key."""
    typed = (credentials or {}).get("username") if credentials else None
    if typed is None and request is not None:
        typed = request.POST.get("username")
    if not isinstance(typed, str) or not typed:
        return None
    return salted_hmac(USERNAME_KEY_SALT, typed, algorithm="sha256").hexdigest()[:40]


def address_failures(request) -> int:
    """Wrong passwords from the request's address within the cool-off, for any username."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    recent = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return settings.AXES_LOCK_OUT_AT_FAILURE and (
            address_failures(request) >= settings.PPS_ADDRESS_FAILURE_LIMIT
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if settings.AXES_LOCK_OUT_AT_FAILURE and (
            address_failures(request) >= settings.PPS_ADDRESS_FAILURE_LIMIT
        ):
            # As django-axes does when a username's count reaches its limit.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request, username=None, ip_address=request.axes_ip_address)
