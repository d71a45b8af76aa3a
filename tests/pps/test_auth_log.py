"""Sign-in events are logged as one JSON object each, with the account id, address and UTC time,
and never with what was typed (control 19)."""

import json
import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from pps import otp
from tests.conftest import client_for

PASSWORD = "correct horse battery staple"


@pytest.fixture
def events(caplog):
    caplog.set_level("INFO", logger="pps.auth")

    def read():
        return [json.loads(r.getMessage()) for r in caplog.records if r.name == "pps.auth"]

    return read


def sign_in(client, username, password):
    data = {"username": username, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR="192.0.2.7")


def test_a_sign_in_is_logged_with_who_from_where_and_when(events, caseworker):
    sign_in(Client(), caseworker.username, PASSWORD)
    [entry] = events()
    assert entry["event"] == "signed_in"
    assert entry["user"] == str(caseworker.pk)
    assert entry["ip"] == "192.0.2.7"
    assert entry["at"].endswith("+00:00")


def test_a_failure_names_the_account_but_never_what_was_typed(events, caseworker):
    sign_in(Client(), caseworker.username, "wrong-password-typed")
    sign_in(Client(), "my-password-by-mistake", PASSWORD)
    known, unknown = events()
    assert known["event"] == "sign_in_failed" and known["known_user"]
    assert known["user"] == str(caseworker.pk)
    assert (unknown["event"], unknown["user"], unknown["known_user"]) == ("sign_in_failed", None, False)
    logged = json.dumps(events())
    assert "wrong-password-typed" not in logged and "my-password-by-mistake" not in logged


def test_a_username_with_a_newline_makes_one_record(db, events, caplog):
    sign_in(Client(), 'someone\n{"event": "signed_in"}', PASSWORD)
    records = [r for r in caplog.records if r.name == "pps.auth"]
    assert len(records) == 1
    assert "\n" not in records[0].getMessage()


def test_lock_outs_wrong_codes_and_sign_outs_are_logged(events, caseworker):
    client = Client()
    for _ in range(5):
        sign_in(client, caseworker.username, "wrong")
    assert [entry["event"] for entry in events()][-2:] == ["locked_out", "sign_in_failed"]

    otp.create_demo_device(caseworker)
    client = client_for(caseworker, verified=False)
    with time_machine.travel(time.time(), tick=False):
        code = otp.code_for(otp.confirmed_device(caseworker))
        client.post(reverse("otp_verify"), {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert events()[-1]["event"] == "second_factor_failed"

    client = client_for(caseworker)
    client.post(reverse("logout"))
    assert events()[-1]["event"] == "signed_out"
    assert events()[-1]["user"] == str(caseworker.pk)
