"""After an authenticator app was removed, setting up a new one needs more than the password: a
one-time enrolment code from the system maintainer (issue 10, item 11)."""

import datetime as dt
import io
import re
import time

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from pps import enrolment, otp, services
from pps.models import AuthenticatorApp, BackupCodes

PASSWORD = "correct horse battery staple"


@pytest.fixture
def agreed(caseworker):
    services.agree_to_policy(caseworker, services.policy_to_agree(caseworker))


@pytest.fixture
def had_an_app(caseworker, agreed):
    otp.create_demo_device(caseworker)
    otp.new_backup_codes(caseworker)
    return caseworker


def signed_in_with_password(user) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def reset(user) -> str:
    out = io.StringIO()
    call_command("reset_authenticator", user.username, stdout=out)
    return re.search(r"Enrolment code \(works once, for 24 hours\): (\S+)", out.getvalue()).group(1)


def set_up_app(client) -> object:
    with time_machine.travel(time.time(), tick=False):
        page = client.get(reverse("otp_setup"))
        assert page.status_code == 200, page.get("Location")
        device = AuthenticatorApp.objects.get(confirmed=False)
        return client.post(reverse("otp_setup"), {"code": otp.code_for(device)})


def test_a_removed_app_cannot_be_replaced_with_the_password_alone(had_an_app):
    AuthenticatorApp.objects.filter(user=had_an_app).delete()  # removed by hand, say
    client = signed_in_with_password(had_an_app)
    response = client.get(reverse("otp_setup"))
    assert response.status_code == 302 and response.url.startswith(reverse("otp_enrol"))
    assert not AuthenticatorApp.objects.filter(user=had_an_app).exists()  # no secret was shown
    page = client.get(response.url).content.decode()
    assert "Enter your enrolment code" in page
    assert client.post(reverse("otp_setup"), {"code": "123456"}).url.startswith(reverse("otp_enrol"))


def test_with_the_enrolment_code_the_person_sets_up_a_new_app(had_an_app):
    code = reset(had_an_app)
    assert not AuthenticatorApp.objects.filter(user=had_an_app).exists()
    assert not BackupCodes.objects.filter(user=had_an_app).exists()
    client = signed_in_with_password(had_an_app)
    wrong = client.post(reverse("otp_enrol"), {"code": "AAAA-BBBB-CCCC"})
    assert "That enrolment code is not right" in wrong.content.decode()
    right = client.post(reverse("otp_enrol"), {"code": code.lower()})
    assert right.url.startswith(reverse("otp_setup"))
    assert set_up_app(client).status_code == 302
    assert client.get(reverse("cases:dashboard")).status_code == 200
    # The code worked once.
    AuthenticatorApp.objects.filter(user=had_an_app).delete()
    other = signed_in_with_password(had_an_app)
    assert "not right" in other.post(reverse("otp_enrol"), {"code": code}).content.decode()


def test_the_code_expires_and_stops_after_five_wrong_tries(had_an_app):
    code = reset(had_an_app)
    client = signed_in_with_password(had_an_app)
    for _ in range(enrolment.MAX_WRONG_CODES):
        client.post(reverse("otp_enrol"), {"code": "AAAA-BBBB-CCCC"})
    assert "not right" in client.post(reverse("otp_enrol"), {"code": code}).content.decode()

    code = reset(had_an_app)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=enrolment.CODE_VALID_HOURS, minutes=1)
    with time_machine.travel(later):
        client = signed_in_with_password(had_an_app)
        assert "not right" in client.post(reverse("otp_enrol"), {"code": code}).content.decode()


def test_a_new_account_still_sets_up_its_first_app_after_its_password(caseworker, agreed):
    client = signed_in_with_password(caseworker)
    assert set_up_app(client).status_code == 302
    assert enrolment.needs_code(caseworker) is False


def test_another_persons_code_does_not_work(had_an_app, second_caseworker):
    otp.create_demo_device(second_caseworker)
    reset(had_an_app)
    theirs = reset(second_caseworker)
    client = signed_in_with_password(had_an_app)
    assert "not right" in client.post(reverse("otp_enrol"), {"code": theirs}).content.decode()


def test_a_reset_ends_the_persons_sessions(had_an_app):
    from tests.conftest import client_for

    client = client_for(had_an_app)
    reset(had_an_app)
    assert client.get(reverse("cases:dashboard")).url.startswith(reverse("login"))
