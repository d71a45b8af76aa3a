"""Signing in never starves the rest: password hashes are bounded in how many run at once on the
machine (every process together), Argon2's parameters are this service's, and a backup code
costs one keyed hash however many codes the person has."""

import subprocess  # noqa: S404 (a second process holding a slot, fixed arguments)
import sys
import threading
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import hashers as django_hashers
from django.test import Client
from django.urls import reverse

from pps import otp, password_checks
from pps.hashers import Argon2PasswordHasher
from tests.conftest import client_for

PASSWORD = "correct horse battery staple"
PRODUCTION_HASHERS = ["pps.hashers.Argon2PasswordHasher", "pps.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def one_slot(settings, tmp_path):
    settings.PPS_PASSWORD_SLOTS_DIR = str(tmp_path)
    settings.PPS_PASSWORD_CHECKS_AT_ONCE = 1
    settings.PPS_PASSWORD_CHECK_WAIT_SECONDS = 0
    return tmp_path


def test_no_more_hashes_run_at_once_than_there_are_slots(tmp_path):
    inside, most, lock = [0], [0], threading.Lock()

    def check():
        with password_checks.slot(tmp_path, 2, wait=10):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 2


HOLD = """
import sys
from pathlib import Path
from pps import password_checks
with password_checks.slot(Path(sys.argv[1]), 1, wait=5):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_slot_held_by_another_process_is_waited_for_and_freed_when_that_process_dies(tmp_path):
    other = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", HOLD, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout.readline().strip() == "held"
        with pytest.raises(password_checks.PasswordChecksBusy):
            with password_checks.slot(tmp_path, 1, wait=0.05):
                pass
    finally:
        other.kill()  # killed in the middle of its "check": the kernel frees the slot
        other.wait()
    with password_checks.slot(tmp_path, 1, wait=1):
        pass


def test_when_every_slot_stays_taken_signing_in_says_so_and_counts_nothing(settings, one_slot, caseworker):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    caseworker.set_password(PASSWORD)
    caseworker.save()
    taken, release = threading.Event(), threading.Event()

    def another_sign_in():
        with password_checks.slot():
            taken.set()
            release.wait(10)

    holder = threading.Thread(target=another_sign_in)
    holder.start()
    try:
        taken.wait(5)
        answer = Client().post(reverse("login"), {"username": caseworker.username, "password": "wrong one"})
        assert answer.status_code == 503
        assert "Too many people are signing in at the moment" in answer.content.decode()
        assert not AccessAttempt.objects.exists()  # not a failed attempt
    finally:
        release.set()
        holder.join()
    answer = Client().post(reverse("login"), {"username": caseworker.username, "password": PASSWORD})
    assert answer.status_code == 302


def test_passwords_are_argon2id_at_this_services_parameters_and_old_ones_upgrade(settings, caseworker):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    old = django_hashers.Argon2PasswordHasher()  # Django's defaults: 100 MiB, 8 lanes
    caseworker.password = old.encode(PASSWORD, old.salt())
    caseworker.save()
    answer = Client().post(reverse("login"), {"username": caseworker.username, "password": PASSWORD})
    assert answer.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.password.startswith("argon2$argon2id$v=19$m=32768,t=2,p=1$")


class CountingHasher(django_hashers.MD5PasswordHasher):
    """Django's test hasher, counting its checks."""

    checks = 0

    def verify(self, password, encoded):
        CountingHasher.checks += 1
        return super().verify(password, encoded)


@pytest.fixture
def counted(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.checks = 0
    return CountingHasher


def backup_code(client, code):
    return client.post(reverse("otp_backup"), {"code": code, "next": reverse("cases:dashboard")})


def test_a_wrong_backup_code_costs_one_keyed_hash_and_no_password_hash(counted, caseworker):
    otp.new_backup_codes(caseworker)
    assert all(h.startswith("hmac-sha256$") for h in otp.backup_codes_of(caseworker).code_hashes)
    answer = backup_code(client_for(caseworker, verified=False), "AAAAA-AAAAA")
    assert "not right" in answer.content.decode()
    assert counted.checks == 0


def test_codes_made_before_keyed_hashes_still_work_and_their_owner_is_asked_to_renew(counted, caseworker):
    codes = ["ABCDE-FGHJK", "LMNPQ-RSTUV"]
    otp.new_backup_codes(caseworker)
    device = otp.backup_codes_of(caseworker)
    device.code_hashes = [django_hashers.make_password(code.replace("-", "")) for code in codes]
    device.save()
    client = client_for(caseworker)
    assert "of an older kind" in client.get(reverse("account")).content.decode()

    answer = backup_code(client_for(caseworker, verified=False), codes[1])
    assert answer.status_code == 302
    assert otp.backup_codes_left(caseworker) == 1
    client.post(reverse("backup_codes_make"))
    assert "of an older kind" not in client.get(reverse("account")).content.decode()


def test_the_keyed_hash_is_bound_to_its_owner(caseworker, second_caseworker):
    [code, *_] = otp.new_backup_codes(caseworker)
    device = otp.backup_codes_of(caseworker)
    # The same stored hashes under another person's account do not take the code.
    otp.new_backup_codes(second_caseworker)
    copied = otp.backup_codes_of(second_caseworker)
    copied.code_hashes = device.code_hashes
    copied.save()
    answer = backup_code(client_for(second_caseworker, verified=False), code)
    assert "not right" in answer.content.decode()


def test_the_production_hasher_takes_a_slot(one_slot):
    taken, release = threading.Event(), threading.Event()

    def hold():
        with password_checks.slot():
            taken.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        taken.wait(5)
        with pytest.raises(password_checks.PasswordChecksBusy):
            Argon2PasswordHasher().verify(PASSWORD, "argon2$argon2id$v=19$m=32768,t=2,p=1$c2FsdHNhbHQ$x")
    finally:
        release.set()
        holder.join()
