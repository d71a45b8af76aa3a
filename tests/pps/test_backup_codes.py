"""Backup codes (SECURITY control 14): made on "Your account", shown once, stored only as hashes,
each working once in place of the authenticator app's code; wrong codes are throttled."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pps import otp
from pps.models import BackupCodes
from tests.conftest import client_for


@pytest.fixture
def codes(caseworker):
    return otp.new_backup_codes(caseworker)


def use(client, code):
    return client.post(reverse("otp_backup"), {"code": code, "next": reverse("cases:dashboard")})


def test_the_account_page_makes_ten_codes_shown_once(caseworker):
    client = client_for(caseworker)
    assert "0 left" in client.get(reverse("account")).content.decode()
    page = client.post(reverse("backup_codes_make")).content.decode()
    device = BackupCodes.objects.get(user=caseworker)
    assert len(device.code_hashes) == 10
    assert "This is the only time these codes are shown" in page
    assert "10 left" in client.get(reverse("account")).content.decode()


def test_only_hashes_are_stored(caseworker, codes):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM pps_backupcodes")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored


def test_a_backup_code_signs_in_once(caseworker, codes):
    client = client_for(caseworker, verified=False)
    assert client.get(reverse("cases:dashboard")).url.startswith(reverse("otp_verify"))
    response = use(client, codes[0].lower())  # typed in lower case, with its dash
    assert response.url == reverse("cases:dashboard")
    assert client.get(reverse("cases:dashboard")).status_code == 200
    again = client_for(caseworker, verified=False)
    assert "not right, or was used already" in use(again, codes[0]).content.decode()
    assert otp.backup_codes_left(caseworker) == 9


def test_a_wrong_code_is_refused_and_wrong_codes_are_throttled(caseworker, codes, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client = client_for(caseworker, verified=False)
    assert "not right" in use(client, "AAAAA-AAAAA").content.decode()
    response = use(client, codes[1])  # right, but too soon after a wrong one
    assert "too many wrong codes" in response.content.decode()
    assert client.get(reverse("cases:dashboard")).status_code == 302
    time_machine.shift(dt.timedelta(seconds=5))
    assert use(client, codes[1]).url == reverse("cases:dashboard")


def test_new_codes_replace_the_old(caseworker, codes):
    otp.new_backup_codes(caseworker)
    client = client_for(caseworker, verified=False)
    assert "not right" in use(client, codes[2]).content.decode()


def test_without_backup_codes_the_page_says_so(caseworker):
    client = client_for(caseworker, verified=False)
    assert "You have no backup codes" in use(client, "AAAAA-AAAAA").content.decode()


def test_few_codes_left_gives_a_warning(caseworker, codes):
    for code in codes[:7]:
        assert otp.verify_code(otp.backup_codes_of(caseworker), code)
    client = client_for(caseworker, verified=False)
    use(client, codes[7])
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert "You have 2 backup codes left" in page


def test_making_codes_asks_for_the_app_code_again_when_it_is_old(caseworker):
    client = client_for(caseworker)
    session = client.session
    session[otp.VERIFIED_AT_SESSION_KEY] = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    session.save()
    response = client.post(reverse("backup_codes_make"))
    assert response.status_code == 200
    assert "Confirm it is you" in response.content.decode()
    assert not BackupCodes.objects.filter(user=caseworker).exists()


def test_the_codes_never_reach_the_audit_log(caseworker, codes):
    from auditlog import get_logentry_model

    text = " ".join(f"{e.changes} {e.serialized_data}" for e in get_logentry_model().objects.all())
    device = otp.backup_codes_of(caseworker)
    for code in codes:
        assert code.replace("-", "") not in text
    for hashed in device.code_hashes:
        assert hashed not in text
