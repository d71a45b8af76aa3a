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
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils import timezone

from pps import auth_log, otp
from pps.otp import VERIFIED_AT_SESSION_KEY
from pps.requests import fields_sent, send_to, url_with_next
from pps.sign_in import CARRY_PREFIX, CodeForm, code_is_right, fields_carried, resend_page, safe_next


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
    if request.method == "POST" and not request.headers.get("HX-Request"):
        carry = fields_sent(request)
        return step_up_page(request, next_url=request.get_full_path(), form=CodeForm(), carry=carry)
    return send_to(request, "step_up")


def step_up_page(request, *, next_url: str, form, carry=(), status: int = 200):
    """ "Confirm it is you": the authenticator code again (see ``pps.step_up``)."""
    context = {
        "form": form,
        "next": next_url,
        "carry": [(f"{CARRY_PREFIX}{name}", value) for name, value in carry],
        "minutes": settings.PPS_STEP_UP_MINUTES,
    }
    return render(request, "pps/step_up.html", context, status=status)


def confirm_identity(request):
    """The code again before a child-protection file, then back to it; a form that was being
    sent can be sent again."""
    next_url = safe_next(request)
    carry = fields_carried(request)
    if request.method != "POST" and is_recent(request):
        return redirect(next_url)
    device = otp.confirmed_device(request.user)
    if device is None:
        logout(request)
        return redirect(url_with_next("login", next_url))
    form = CodeForm(request.POST or None)
    wrong = "The code is not right, or was used already. Enter the code your app shows now"
    if (
        request.method == "POST"
        and form.is_valid()
        and code_is_right(request, form, device, events="step_up", wrong=wrong)
    ):
        mark_verified(request)
        request.session.cycle_key()
        auth_log.record("step_up_passed", request, request.user)
        if carry:
            return resend_page(request, action=next_url, fields=carry, done="Thank you: that is you.")
        return redirect(next_url)
    return step_up_page(request, next_url=next_url, form=form, carry=carry)
