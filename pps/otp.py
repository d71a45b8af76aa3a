"""The second factor: one TOTP authenticator app per person (django-otp).

Sign-in is username and password, then a 6-digit code from the person's app. Someone without a
confirmed app is shown a QR code (and the secret as text) once, right after their password, and
confirms it with a code. Codes are single use (django-otp remembers the last time step used) and
wrong codes are throttled with an exponential delay (``OTP_TOTP_THROTTLE_FACTOR``).
"""

import base64
import io
import secrets
import time
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.oath import TOTP

from pps import enrolment
from pps.crypto import backup_code_digest
from pps.models import AuthenticatorApp, BackupCodes

DEVICE_NAME = "Authenticator app"
#: When the session last passed the second factor (an ISO timestamp): see ``pps.step_up``.
VERIFIED_AT_SESSION_KEY = "pps_otp_verified_at"


def confirmed_device(user) -> AuthenticatorApp | None:
    return AuthenticatorApp.objects.devices_for_user(user, confirmed=True).first()


def unconfirmed_device(user) -> AuthenticatorApp:
    """The app being set up: the same one on every visit, so a reload keeps the scanned code."""
    device = AuthenticatorApp.objects.devices_for_user(user, confirmed=False).first()
    return device or AuthenticatorApp.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_of(device: AuthenticatorApp) -> str:
    """The secret in base32, as typed into an app by hand."""
    return b32encode(device.bin_key).decode()


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: AuthenticatorApp) -> str:
    """The device's otpauth:// URI as an SVG QR code in a data: URI (the CSP allows data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def code_for(device: AuthenticatorApp, at: float | None = None) -> str:
    """The code the person's app shows now (or at ``at``, a Unix time): for tests and demos."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() if at is None else at
    return f"{generator.token():0{device.digits}d}"


def verify_code(device: AuthenticatorApp | BackupCodes, code: str) -> bool:
    """Checks a code (the app's, or a backup code) against the device, under a row lock so that
    one code works only once."""
    with transaction.atomic():
        locked = type(device).objects.select_for_update().get(pk=device.pk)
        return locked.verify_token(code)


def is_throttled(device: AuthenticatorApp) -> bool:
    device.refresh_from_db()
    allowed, _ = device.verify_is_allowed()
    return not allowed


def confirm(device: AuthenticatorApp) -> None:
    """The person has shown a code from their new app: it becomes their one second factor."""
    with transaction.atomic():
        AuthenticatorApp.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.refresh_from_db()
        device.confirmed = True
        device.save()

        enrolment.mark_enrolled(device.user)


def complete_second_factor(request, device: AuthenticatorApp) -> None:
    """Marks the session as verified and gives it a new key (django-otp does not: control 15)."""
    otp_login(request, device)
    request.session.cycle_key()
    request.session[VERIFIED_AT_SESSION_KEY] = timezone.now().isoformat()


def create_demo_device(user) -> str:
    """Gives ``user`` a confirmed authenticator app and returns its secret in base32.

    For demo data only: the person adds the secret to their app by hand (or by
    ``otpauth_uri(user)``), and can then sign in without the set-up step. Replaces any
    app the user had.
    """
    with transaction.atomic():
        AuthenticatorApp.objects.filter(user=user).delete()
        device = AuthenticatorApp.objects.create(user=user, name=DEVICE_NAME, confirmed=True)

        enrolment.mark_enrolled(user)
    return secret_of(device)


def otpauth_uri(user) -> str | None:
    device = confirmed_device(user)
    return device.config_url if device else None


BACKUP_CODE_COUNT = 10
_BACKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _new_backup_code() -> str:
    code = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10))
    return f"{code[:5]}-{code[5:]}"


def new_backup_codes(user) -> list[str]:
    """Makes ``user`` ten new backup codes, replacing any they had, and returns them: the only
    time they exist in clear. Only their keyed hashes are kept (``BackupCodes``)."""

    codes = [_new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    hashes = [backup_code_digest(str(user.pk), code.replace("-", "")) for code in codes]
    with transaction.atomic():
        BackupCodes.objects.filter(user=user).delete()
        BackupCodes.objects.create(user=user, name="Backup codes", confirmed=True, code_hashes=hashes)
    return codes


def backup_codes_of(user) -> BackupCodes | None:
    return BackupCodes.objects.filter(user=user, confirmed=True).first()


def backup_codes_left(user) -> int:
    device = backup_codes_of(user)
    return len(device.code_hashes) if device else 0


def backup_codes_made_the_old_way(user) -> bool:
    """Whether ``user`` still has codes hashed one slow hash each (made before keyed hashes)."""
    device = backup_codes_of(user)
    return device is not None and device.has_old_hashes
