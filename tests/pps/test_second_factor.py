"""Signing in needs a code from an authenticator app as well as the password (R10; controls 13–15)."""

import base64
import datetime as dt
import time

import pytest
import time_machine
from auditlog import get_logentry_model
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pps import otp, services
from pps.models import AuthenticatorApp
from tests.conftest import client_for
from tests.pps import test_every_url as walk

PATTERNS, url_for = walk.PATTERNS, walk.url_for
records = walk.records  # the walk's fixture: one record of each kind

PASSWORD = "correct horse battery staple"
#: The steps of signing in, open before the second factor.
SIGN_IN_STEPS = {"login", "logout", "otp_verify", "otp_setup", "otp_enrol", "otp_backup"}


def frozen():
    """The clock stopped now: codes are time-based."""
    return time_machine.travel(time.time(), tick=False)


def sign_in_with_password(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def enter_code(client, code, url="otp_verify"):
    return client.post(reverse(url), {"code": code})


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def agreed(caseworker):
    """The caseworker agreed to the policy before: these tests are about the second factor."""
    services.agree_to_policy(caseworker, services.policy_to_agree(caseworker))


@pytest.fixture
def device(caseworker):
    otp.create_demo_device(caseworker)
    return otp.confirmed_device(caseworker)


def test_the_walk_covers_the_sign_in_steps():
    assert SIGN_IN_STEPS <= {name for name, _ in PATTERNS}


def test_every_page_but_the_sign_in_steps_asks_for_the_code_first(caseworker, device, records):
    def check(named):
        name, pattern = named
        client = client_for(caseworker, verified=False)  # afresh for each page: one of them signs out
        url = url_for(name, pattern, records)
        for method in (client.get, client.post):
            response = method(url)
            verb = method.__name__.upper()
            if name in SIGN_IN_STEPS:  # the view itself answers (sign-in sends on to the code page)
                if response.status_code == 302 and url.replace("/", "%2F") in response.url:
                    return f"{verb} {name} sent on to the code page"
            elif response.status_code != 302 or not response.url.startswith(reverse("otp_verify")):
                return f"{verb} {name} answered {response.status_code} without asking for the code"
        return None

    problems = walk.each_in_its_own_savepoint(check, PATTERNS)
    assert not problems, "\n".join(problems)


def test_the_code_page_returns_to_the_page_asked_for(caseworker, device, case):
    client = client_for(caseworker, verified=False)
    page = reverse("cases:case_detail", args=[case.pk])
    asked = client.get(page)
    assert asked.url == f"{reverse('otp_verify')}?next={page.replace('/', '%2F')}"
    with frozen():
        response = client.post(asked.url, {"code": otp.code_for(device), "next": page})
    assert response.url == page
    assert client.get(page).status_code == 200


def test_signing_in_gives_a_new_session_key_after_the_password_and_after_the_code(caseworker, device, agreed):
    client = Client()
    client.get(reverse("login"))
    client.cookies[settings.SESSION_COOKIE_NAME] = "planted-by-an-attacker"
    with frozen():
        response = sign_in_with_password(client, caseworker)
        assert response.url.startswith(reverse("otp_verify"))
        after_password = session_key(client)
        assert after_password != "planted-by-an-attacker"
        assert client.get(reverse("cases:dashboard")).url.startswith(reverse("otp_verify"))
        response = enter_code(client, otp.code_for(device))
    assert response.url == reverse("cases:dashboard")
    assert session_key(client) != after_password
    assert client.get(reverse("cases:dashboard")).status_code == 200


def test_a_wrong_code_is_refused(caseworker, device):
    client = client_for(caseworker, verified=False)
    with frozen():
        wrong = f"{(int(otp.code_for(device)) + 1) % 1_000_000:06d}"
        response = enter_code(client, wrong)
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert client.get(reverse("cases:dashboard")).status_code == 302


def test_a_code_works_only_once(caseworker, device):
    with frozen():
        code = otp.code_for(device)
        first, second = client_for(caseworker, verified=False), client_for(caseworker, verified=False)
        assert enter_code(first, code).status_code == 302
        response = enter_code(second, code)
    assert response.status_code == 200
    assert "used already" in response.content.decode()
    assert second.get(reverse("cases:dashboard")).status_code == 302


def test_wrong_codes_are_throttled_even_the_right_one_must_wait(caseworker, device):
    client = client_for(caseworker, verified=False)
    with frozen() as clock:
        right = otp.code_for(device)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        for _ in range(4):
            enter_code(client, wrong)
            clock.shift(0.5)
        response = enter_code(client, right)
        assert "too many wrong codes" in response.content.decode()
        device.refresh_from_db()
        assert device.throttling_failure_count >= 1
        clock.shift(dt.timedelta(seconds=2**device.throttling_failure_count))
        response = enter_code(client, otp.code_for(device))
    assert response.status_code == 302
    assert client.get(reverse("cases:dashboard")).status_code == 200


def test_someone_without_an_app_is_sent_to_set_one_up_and_confirms_it_with_a_code(caseworker, agreed):
    client = Client()
    with frozen():
        sign_in_with_password(client, caseworker)
        response = client.get(reverse("cases:dashboard"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("otp_setup"))
        page = response.content.decode()
        assert "Set up your authenticator app" in page
        assert 'src="data:image/svg+xml;base64,' in page
        new = AuthenticatorApp.objects.get(user=caseworker, confirmed=False)
        assert otp.grouped(otp.secret_of(new)) in page
        reloaded = client.get(reverse("otp_setup")).content.decode()
        assert otp.grouped(otp.secret_of(new)) in reloaded  # a reload keeps the key already scanned
        assert AuthenticatorApp.objects.filter(user=caseworker).count() == 1
        before = session_key(client)
        response = enter_code(client, otp.code_for(new), url="otp_setup")
    assert response.url == reverse("cases:dashboard")
    assert session_key(client) != before
    assert otp.confirmed_device(caseworker) == new
    assert client.get(reverse("cases:dashboard")).status_code == 200


def test_someone_with_an_app_cannot_set_up_another_with_only_their_password(caseworker, device):
    client = client_for(caseworker, verified=False)
    response = client.get(reverse("otp_setup"))
    assert response.url.startswith(reverse("otp_verify"))
    assert enter_code(client, "123456", url="otp_setup").url.startswith(reverse("otp_verify"))
    assert list(AuthenticatorApp.objects.filter(user=caseworker)) == [device]


def test_the_app_secret_never_reaches_the_audit_log(caseworker, device):
    entries = get_logentry_model().objects.all()
    text = " ".join(f"{e.changes} {e.serialized_data} {e.object_repr}" for e in entries)
    assert device.bin_key.hex() not in text and device.secret not in text
    assert otp.secret_of(device) not in text


def test_the_app_secret_is_not_stored_in_clear(caseworker, device):
    """SECURITY control 14: the row holds the secret only wrapped by a master key."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM pps_authenticatorapp WHERE id = %s", [device.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    secret = device.bin_key
    assert secret.hex() not in row.lower()
    assert otp.secret_of(device) not in row and base64.b64encode(secret).decode() not in row
    assert device.secret.startswith("v1.")


def test_a_wrapped_secret_copied_to_another_person_does_not_work(caseworker, second_caseworker, device):
    from pps.crypto import DecryptionError

    other = otp.unconfirmed_device(second_caseworker)
    AuthenticatorApp.objects.filter(pk=other.pk).update(secret=device.secret)
    other.refresh_from_db()
    with pytest.raises(DecryptionError):
        _ = other.bin_key


def test_rotating_the_master_keys_keeps_every_app_working(settings, caseworker, device):
    import io

    from django.core.management import call_command

    from pps import crypto

    code_before = otp.code_for(device, at=1_800_000_000)
    old_ring = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = f"{crypto.generate_key_ring_text('next')},{old_ring}"
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS.split(",")[0]
    device.refresh_from_db()
    assert otp.code_for(device, at=1_800_000_000) == code_before


def test_demo_devices_give_a_secret_an_app_accepts(caseworker):
    secret = otp.create_demo_device(caseworker)
    device = otp.confirmed_device(caseworker)
    assert otp.secret_of(device) == secret
    assert otp.otpauth_uri(caseworker).startswith("otpauth://totp/")
    with frozen():
        client = client_for(caseworker, verified=False)
        assert enter_code(client, otp.code_for(device)).url == reverse("cases:dashboard")


def test_the_demo_code_tool_shows_what_the_app_would(caseworker):
    from pps.totp_code import code

    secret = otp.create_demo_device(caseworker)
    with frozen():
        assert code(otp.grouped(secret)) == otp.code_for(otp.confirmed_device(caseworker))


def test_apps_set_up_before_secrets_were_wrapped_keep_their_codes(caseworker):
    """Migration pps 0006 moves django-otp's plain-text devices to wrapped ones."""
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    migration = importlib.import_module("pps.migrations.0006_authenticator_apps_with_wrapped_secrets")
    old = TOTPDevice.objects.create(user=caseworker, name="Authenticator app", confirmed=True)
    code = otp.code_for(old, at=1_800_000_000)
    migration.move_apps(apps, None)
    assert not TOTPDevice.objects.exists()
    moved = otp.confirmed_device(caseworker)
    assert moved.bin_key == old.bin_key
    assert otp.code_for(moved, at=1_800_000_000) == code


def test_the_wait_after_wrong_codes_is_capped_so_the_real_person_is_not_held_back(caseworker, device):
    from pps.models import MAX_CODE_WAIT_SECONDS

    client = client_for(caseworker, verified=False)
    with frozen() as clock:
        # Someone with the password has typed wrong codes all night.
        device.throttling_failure_count = 60
        device.throttling_failure_timestamp = timezone.now()
        device.save()
        assert "too many wrong codes" in enter_code(client, otp.code_for(device)).content.decode()
        clock.shift(dt.timedelta(seconds=MAX_CODE_WAIT_SECONDS + 1))
        response = enter_code(client, otp.code_for(device))
    assert response.status_code == 302
    assert MAX_CODE_WAIT_SECONDS <= 15 * 60
