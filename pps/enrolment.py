"""Setting up an authenticator app again, after the old one was removed (SECURITY control 14).

- A new account sets up its first app right after its password, as before.
- Once an account has had an app, setting up another needs more than the password: a one-time
  enrolment code, made by ``reset_second_factor`` (``manage.py reset_authenticator USERNAME``,
  run by the system maintainer when a senior manager confirms who is asking). It removes the app
  and the backup codes, and gives the code to pass to the person by phone or in person, never
  by email (the password may be what was stolen). The code works once, for
  ``CODE_VALID_HOURS``, and stops after ``MAX_WRONG_CODES`` wrong tries.
- Only the code's hash is stored. Every reset and every use is logged (``pps.auth_log``).
"""

import datetime as dt
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from pps import auth_log
from pps.models import AuthenticatorApp, BackupCodes, SecondFactorEnrolment
from pps.session_limits import end_all_sessions

CODE_VALID_HOURS = 24
MAX_WRONG_CODES = 5
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
#: The session has shown the enrolment code of this account (its id): it may set up an app.
CODE_SHOWN_SESSION_KEY = "pps_enrolment_code_shown"


def _normalised(code: str) -> str:
    return "".join(str(code).split()).replace("-", "").upper()


def mark_enrolled(user) -> None:
    """The account has a confirmed app: from now on a new one needs an enrolment code."""
    SecondFactorEnrolment.objects.update_or_create(
        user=user,
        defaults={"enrolled_at": timezone.now(), "code_hash": "", "code_expires_at": None, "wrong_codes": 0},
    )


def needs_code(user) -> bool:
    """True for an account that had an app before and has none now."""
    had_one = SecondFactorEnrolment.objects.filter(user=user, enrolled_at__isnull=False).exists()
    return had_one and not AuthenticatorApp.objects.filter(user=user, confirmed=True).exists()


def may_set_up(request) -> bool:
    return not needs_code(request.user) or request.session.get(CODE_SHOWN_SESSION_KEY) == str(request.user.pk)


@transaction.atomic
def reset_second_factor(user, request=None) -> str:
    """Removes ``user``'s authenticator app and backup codes and returns a new one-time enrolment
    code (the only time it exists in clear). Their sessions that passed the second factor end."""

    code = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    AuthenticatorApp.objects.filter(user=user).delete()
    BackupCodes.objects.filter(user=user).delete()
    SecondFactorEnrolment.objects.update_or_create(
        user=user,
        defaults={
            "enrolled_at": timezone.now(),
            "code_hash": make_password(code),
            "code_expires_at": timezone.now() + dt.timedelta(hours=CODE_VALID_HOURS),
            "wrong_codes": 0,
        },
    )
    end_all_sessions(user)
    auth_log.record("second_factor_reset", request, user)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


@transaction.atomic
def use_code(request, typed: str) -> bool:
    """Checks the enrolment code typed by the signed-in person; right once, it lets this session
    set up an app. Wrong codes count; after ``MAX_WRONG_CODES`` the code stops working."""
    user = request.user
    record = SecondFactorEnrolment.objects.select_for_update().filter(user=user).first()
    usable = (
        record is not None
        and record.code_hash
        and record.code_expires_at is not None
        and record.code_expires_at > timezone.now()
    )
    if usable and check_password(_normalised(typed), record.code_hash):
        record.code_hash, record.code_expires_at, record.wrong_codes = "", None, 0
        record.save()
        request.session[CODE_SHOWN_SESSION_KEY] = str(user.pk)
        auth_log.record("enrolment_code_used", request, user)
        return True
    if record is not None and record.code_hash:
        record.wrong_codes += 1
        if record.wrong_codes >= MAX_WRONG_CODES:
            record.code_hash, record.code_expires_at = "", None
        record.save()
    auth_log.record("enrolment_code_failed", request, user)
    return False
