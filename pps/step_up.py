"""Step-up: the authenticator code again before child-protection files and changes to who may
reach a case (SECURITY control 22).

Signing in records when the session last passed the second factor (``otp.VERIFIED_AT_SESSION_KEY``).
Pages that show or decide on a child-protection file call ``challenge(request)`` once they know
the person may reach it: when that moment is more than ``PPS_STEP_UP_MINUTES`` ago, the person is
sent to "Confirm it is you" and comes back afterwards. A form sent at that moment travels through
the confirmation page (never into the database), so nothing typed is lost.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from pps.otp import VERIFIED_AT_SESSION_KEY


def verified_at(request) -> dt.datetime | None:
    value = request.session.get(VERIFIED_AT_SESSION_KEY)
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if timezone.is_aware(when) else None


def is_recent(request) -> bool:
    """Did this session pass the second factor within the last ``PPS_STEP_UP_MINUTES``?"""
    when = verified_at(request)
    limit = dt.timedelta(minutes=settings.PPS_STEP_UP_MINUTES)
    return when is not None and timezone.now() - when <= limit


def mark_verified(request) -> None:
    request.session[VERIFIED_AT_SESSION_KEY] = timezone.now().isoformat()


def challenge(request):
    """None when the session's second factor is recent enough; else the response that asks for
    the code: a redirect for a page, the confirmation page itself (carrying the form) for a POST."""
    if is_recent(request):
        return None
    from pps.middleware import send_to
    from pps.sign_in import CodeForm, fields_sent, step_up_page

    if request.method == "POST" and not request.headers.get("HX-Request"):
        carry = fields_sent(request)
        return step_up_page(request, next_url=request.get_full_path(), form=CodeForm(), carry=carry)
    return send_to(request, "step_up")
