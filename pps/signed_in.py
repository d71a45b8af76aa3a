"""Who is signed in, in one query per request: the person, whether the second factor of their
session still stands, and whether they agreed to their service's current policy.

``SignedInMiddleware`` takes the place of Django's ``AuthenticationMiddleware`` (a subclass, so
the checks that look for it still find it) and of django-otp's ``OTPMiddleware``. It gives
``request.user`` and ``request.auser()`` as they do, with the same refusals:

- the session names a user id and an authentication backend of ``AUTHENTICATION_BACKENDS``,
  the user exists and may sign in (``is_active``);
- the session's hash of the password matches, compared in constant time (or matches under one
  of ``SECRET_KEY_FALLBACKS``: the session gets a new key and the current hash); otherwise the
  session is flushed and nobody is signed in;
- ``user.otp_device`` is set (and ``user.is_verified()`` is true) only when the device the
  session names exists, belongs to this user and is confirmed; otherwise the session forgets it.

The person is read with two answers attached (``Exists`` subqueries): whether the session's
device passes those checks, and whether they agreed to the newest version of their service's
confidentiality policy (``agreed_to_current_policy``, read by ``PolicyAgreementMiddleware``).
The device row itself is read only if something uses more of it than "is there one"
(``user.otp_device`` is then a lazy object). Were the session's backend one that loads users its
own way, the user comes from that backend and the device and policy are read as before.
"""

import functools

from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware, is_verified
from django_otp.models import Device

from pps.models import PolicyAgreement


class SignedInMiddleware(AuthenticationMiddleware):
    """``request.user`` (with ``otp_device`` and ``is_verified()``) in one query: see the module."""

    def process_request(self, request):
        super().process_request(request)  # checks the session middleware is there
        request.user = SimpleLazyObject(lambda: signed_in_user(request))
        request.auser = functools.partial(asigned_in_user, request)


def signed_in_user(request):
    """The request's user, read once per request."""
    if not hasattr(request, "_cached_user"):
        request._cached_user = _user_of_session(request)
    return request._cached_user


async def asigned_in_user(request):
    return await sync_to_async(signed_in_user)(request)


def session_device(persistent_id) -> tuple[type[Device], int] | None:
    """The device class and id that django-otp's persistent id (``pps.authenticatorapp/7``)
    names, or None when it names no device model (as ``Device.from_persistent_id``)."""
    if not isinstance(persistent_id, str) or not persistent_id:
        return None
    persistent_id = OTPMiddleware._normalize_persistent_id(persistent_id)
    try:
        model_label, device_id = persistent_id.rsplit("/", 1)
        app_label, model_name = model_label.split(".")
        device_cls = apps.get_model(app_label, model_name)
        device_id = int(device_id)
    except (ValueError, LookupError):
        return None
    return (device_cls, device_id) if issubclass(device_cls, Device) else None


def _users_with_answers(device: tuple[type[Device], int] | None):
    # With their service: most pages name it or read its settings (one join, not a query more),
    # and it names its newest policy (``Service.current_policy``).
    users = (
        get_user_model()
        ._default_manager.select_related("service")
        .annotate(
            _agreed_to_newest_policy=Exists(
                PolicyAgreement.objects.filter(
                    user_id=OuterRef("pk"), policy_id=OuterRef("service__current_policy_id")
                )
            ),
        )
    )
    if device is not None:
        device_cls, device_id = device
        mine = device_cls.objects.filter(pk=device_id, user_id=OuterRef("pk"), confirmed=True)
        users = users.annotate(_session_device_stands=Exists(mine))
    return users


def _user_of_session(request):
    """``django.contrib.auth.get_user`` (Django 5.2), reading the user with the answers above,
    then django-otp's ``OTPMiddleware`` on the result."""
    session = request.session
    user = None
    device = session_device(session.get(DEVICE_ID_SESSION_KEY))
    answered = False
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            if isinstance(backend, ModelBackend) and type(backend).get_user is ModelBackend.get_user:
                user = _users_with_answers(device).filter(pk=user_id).first()
                if user is not None and not backend.user_can_authenticate(user):
                    user = None
                answered = user is not None
            else:
                user = backend.get_user(user_id)
            if hasattr(user, "get_session_auth_hash"):
                session_hash = session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # As Django: a hash made with one of SECRET_KEY_FALLBACKS still holds, and
                    # is replaced by the current one under a new session key.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        session.cycle_key()
                        session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        session.flush()
                        user = None
    user = user or AnonymousUser()

    user.otp_device = None
    user.is_verified = functools.partial(is_verified, user)
    if user.is_authenticated:
        if answered:
            published = user.service_id is not None and user.service.current_policy_id is not None
            user.agreed_to_current_policy = user._agreed_to_newest_policy or not published
            if device is not None and user._session_device_stands:
                device_cls, device_id = device
                user.otp_device = SimpleLazyObject(functools.partial(device_cls.objects.get, pk=device_id))
        elif device is not None:
            persistent_id = OTPMiddleware._normalize_persistent_id(session[DEVICE_ID_SESSION_KEY])
            found = Device.from_persistent_id(persistent_id)
            user.otp_device = OTPMiddleware._finalize_device(request, user, found)
        if user.otp_device is None and DEVICE_ID_SESSION_KEY in session:
            del session[DEVICE_ID_SESSION_KEY]
    return user
