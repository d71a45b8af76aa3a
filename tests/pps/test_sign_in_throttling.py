"""Repeated failed sign-ins are throttled (R10; controls 16, 17), for a while, not for ever."""

import datetime as dt
import io
import re

import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

PASSWORD = "correct horse battery staple"
WRONG = "not the password"


def without_tokens(page: str) -> str:
    """A page without what differs on every response anyway (CSRF token, CSP nonce)."""
    page = re.sub(r'nonce="[^"]*"', 'nonce=""', page)
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "TOKEN", page)


def attempt(client, username, password=WRONG, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_five_wrong_passwords_lock_the_sign_in_for_a_while(caseworker):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, caseworker.username).status_code == 200
    locked = attempt(client, caseworker.username)
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()
    assert attempt(client, caseworker.username, PASSWORD).status_code == 429  # not even the right one

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        response = attempt(client, caseworker.username, PASSWORD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("otp_verify"))


def test_the_cool_off_is_finite_and_a_success_clears_the_count():
    assert dt.timedelta(0) < settings.AXES_COOLOFF_TIME <= dt.timedelta(hours=1)
    assert settings.AXES_RESET_ON_SUCCESS
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(caseworker):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, caseworker.username, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = attempt(client, caseworker.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429


def test_behind_a_proxy_only_the_address_the_proxy_saw_counts(settings, caseworker):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.2")  # the proxy
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The attacker varies what they send; the proxy appends the address it saw.
        attempt(client, caseworker.username, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.66")
    forged = attempt(client, caseworker.username, PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.66")
    assert forged.status_code == 429
    # Someone else behind the same proxy is not locked out by it.
    other = attempt(client, caseworker.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert other.status_code == 302


def test_an_unknown_username_and_a_wrong_password_look_the_same(caseworker):
    def page(username):
        response = attempt(Client(REMOTE_ADDR=f"192.0.2.{len(username)}"), username)
        return response.status_code, without_tokens(response.content.decode().replace(username, "NAME"))

    assert page(caseworker.username) == page("nobody-by-this-name")


def test_a_lock_out_looks_the_same_for_an_unknown_username(caseworker):
    def locked_page(username, address):
        client = Client(REMOTE_ADDR=address)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            response = attempt(client, username)
        return response.status_code, without_tokens(response.content.decode())

    assert locked_page(caseworker.username, "192.0.2.1") == locked_page("nobody-by-this-name", "192.0.2.2")


def test_the_checks_find_nothing_wrong_with_django_axes():
    out, err = io.StringIO(), io.StringIO()
    call_command("check", stdout=out, stderr=err)
    assert "axes." not in out.getvalue() + err.getvalue()


def test_one_person_behind_a_shared_address_does_not_lock_colleagues_out(caseworker, second_caseworker):
    office = Client(REMOTE_ADDR="198.51.100.20")  # everyone behind the council's NAT
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        attempt(office, caseworker.username)
    assert attempt(office, caseworker.username, PASSWORD).status_code == 429
    colleague = attempt(office, second_caseworker.username, PASSWORD)
    assert colleague.status_code == 302
    assert colleague.url.startswith(reverse("otp_verify"))


def test_an_address_trying_many_usernames_is_locked_at_a_much_higher_count(settings, caseworker):
    settings.PPS_ADDRESS_FAILURE_LIMIT = 12
    assert settings.PPS_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    client = Client(REMOTE_ADDR="203.0.113.50")
    for n in range(settings.PPS_ADDRESS_FAILURE_LIMIT - 1):
        assert attempt(client, f"guess{n}").status_code == 200
    assert attempt(client, "guess-last").status_code == 429
    assert attempt(client, caseworker.username, PASSWORD).status_code == 429
    # Another address is not affected.
    assert attempt(Client(REMOTE_ADDR="203.0.113.51"), caseworker.username, PASSWORD).status_code == 302


def test_the_address_limit_is_much_higher_than_the_username_limit():
    assert settings.PPS_ADDRESS_FAILURE_LIMIT >= 10 * settings.AXES_FAILURE_LIMIT


def test_django_axes_keeps_no_typed_username_in_clear(caseworker):
    from axes.models import AccessAttempt, AccessLog

    typed_password = "my secret password typed in the wrong box"
    client = Client(REMOTE_ADDR="192.0.2.77")
    attempt(client, typed_password)
    attempt(client, caseworker.username)
    attempt(client, caseworker.username, PASSWORD)  # a success: clears the count, logs nothing
    stored = [str(value) for row in AccessAttempt.objects.values() for value in row.values()] + [
        str(value) for row in AccessLog.objects.values() for value in row.values()
    ]
    assert stored  # the typed-password attempt is still counted
    assert not [value for value in stored if typed_password in value or caseworker.username in value]
    assert not AccessLog.objects.exists()


def test_the_same_username_is_counted_together_under_its_hash(caseworker):
    from axes.models import AccessAttempt

    client = Client(REMOTE_ADDR="192.0.2.78")
    for _ in range(3):
        attempt(client, caseworker.username)
    assert AccessAttempt.objects.get().failures_since_start == 3
