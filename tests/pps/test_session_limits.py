"""A session left idle locks and asks for the password again; no session outlives 12 hours;
signing out ends the session for good (R10; controls 5, 20, 21)."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Contact
from tests.cases.test_case_work import contact_form
from tests.conftest import client_for

PASSWORD = "correct horse battery staple"


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(clock, caseworker):
    client = client_for(caseworker)
    assert client.get(reverse("cases:dashboard")).status_code == 200
    return client


def minutes(n):
    return dt.timedelta(minutes=n)


def test_after_16_idle_minutes_the_next_page_asks_for_the_password_then_returns(signed_in, clock, case):
    page = reverse("cases:case_detail", args=[case.pk])
    clock.shift(minutes(16))
    response = signed_in.get(page)
    assert response.status_code == 302
    assert response.url == f"{reverse('session_unlock')}?next={page.replace('/', '%2F')}"

    locked = signed_in.get(response.url)
    assert locked.status_code == 200
    assert "Your session was locked" in locked.content.decode()
    assert signed_in.get(reverse("cases:case_list")).url.startswith(reverse("session_unlock"))

    wrong = signed_in.post(response.url, {"password": "not it", "next": page})
    assert wrong.status_code == 200
    assert "The password is not right" in wrong.content.decode()

    key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    back = signed_in.post(response.url, {"password": PASSWORD, "next": page})
    assert back.url == page
    assert signed_in.cookies[settings.SESSION_COOKIE_NAME].value != key
    assert signed_in.get(page).status_code == 200  # the second factor still stands


def test_a_session_in_use_does_not_lock(signed_in, clock):
    for _ in range(6):
        clock.shift(minutes(14))
        assert signed_in.get(reverse("cases:dashboard")).status_code == 200


def test_the_idle_limit_is_a_setting_of_the_service(clock, caseworker, service):
    service.idle_timeout_minutes = 30
    service.save()
    client = client_for(caseworker)
    client.get(reverse("cases:dashboard"))
    clock.shift(minutes(29))
    assert client.get(reverse("cases:dashboard")).status_code == 200
    clock.shift(minutes(31))
    assert client.get(reverse("cases:dashboard")).url.startswith(reverse("session_unlock"))


def test_a_designated_lead_locks_after_15_minutes_whatever_the_service_says(clock, senior, service):
    service.idle_timeout_minutes = 30
    service.save()
    client = client_for(senior)
    client.get(reverse("cases:dashboard"))
    clock.shift(minutes(14))
    assert client.get(reverse("cases:dashboard")).status_code == 200
    clock.shift(minutes(16))
    assert client.get(reverse("cases:dashboard")).url.startswith(reverse("session_unlock"))


def test_background_requests_do_not_keep_a_session_open(signed_in, clock):
    for _ in range(4):
        clock.shift(minutes(5))
        signed_in.get(reverse("cases:dashboard"), HTTP_HX_REQUEST="true")
    assert signed_in.get(reverse("cases:dashboard")).url.startswith(reverse("session_unlock"))


def test_the_unlock_page_returns_only_to_pages_of_this_site(signed_in, clock):
    clock.shift(minutes(16))
    signed_in.get(reverse("cases:dashboard"))
    response = signed_in.post(
        reverse("session_unlock"), {"password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.url == reverse("cases:dashboard")


def test_half_signed_in_and_left_idle_starts_again(clock, caseworker):
    client = client_for(caseworker, verified=False)
    client.get(reverse("otp_verify"))
    clock.shift(minutes(16))
    response = client.get(reverse("otp_verify"))
    assert response.url.startswith(reverse("login"))


def test_twelve_hours_after_signing_in_the_session_ends_however_busy(signed_in, clock):
    for _ in range(12 * 6):
        clock.shift(minutes(10))
        assert signed_in.get(reverse("cases:dashboard")).status_code == 200
    clock.shift(minutes(10))
    response = signed_in.get(reverse("cases:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert signed_in.get(reverse("cases:dashboard")).url.startswith(reverse("login"))


def test_polling_cannot_keep_sessions_alive():
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_ENGINE.rsplit(".", 1)[-1] in ("db", "cached_db")


def test_signing_out_ends_the_session_on_the_server_and_clears_the_browser(signed_in):
    old_cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    response = signed_in.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not Session.objects.filter(session_key=old_cookie).exists()

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert replay.get(reverse("cases:dashboard")).url.startswith(reverse("login"))


def test_signing_out_is_never_a_get(signed_in):
    assert signed_in.get(reverse("logout")).status_code == 405
    assert signed_in.get(reverse("cases:dashboard")).status_code == 200


def test_a_deactivated_account_is_out_at_once(signed_in, caseworker):
    caseworker.is_active = False
    caseworker.save()
    assert signed_in.get(reverse("cases:dashboard")).url.startswith(reverse("login"))


def test_a_reactivated_account_s_old_session_never_works_again(signed_in, caseworker):
    other_device = client_for(caseworker)
    caseworker.is_active = False
    caseworker.save()
    owners = [session.get_decoded().get("_auth_user_id") for session in Session.objects.all()]
    assert str(caseworker.pk) not in owners

    caseworker.is_active = True
    caseworker.save()
    for client in (signed_in, other_device):
        assert client.get(reverse("cases:dashboard")).url.startswith(reverse("login"))


def test_deactivating_one_account_leaves_everyone_else_signed_in(signed_in, caseworker, second_caseworker):
    colleague = client_for(second_caseworker)
    second_caseworker.is_active = False
    second_caseworker.save()
    assert signed_in.get(reverse("cases:dashboard")).status_code == 200
    assert colleague.get(reverse("cases:dashboard")).url.startswith(reverse("login"))


def test_a_background_request_on_a_locked_session_sends_the_whole_page_to_the_lock(signed_in, clock, case):
    page = reverse("cases:case_detail", args=[case.pk])
    clock.shift(minutes(16))
    response = signed_in.get(
        reverse("cases:dashboard"), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{page}"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('session_unlock')}?next={page.replace('/', '%2F')}"
    assert response.content == b""


def hidden_fields(page: str) -> list[tuple[str, str]]:
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return [(html.unescape(name), html.unescape(value)) for name, value in found]


def test_a_contact_sent_after_the_lock_is_not_lost(signed_in, clock, case, service):
    url = reverse("cases:case_contact_log", args=[case.pk])
    note = 'Parent worried about the "annual review".\nCall back Tuesday.'
    clock.shift(minutes(16))
    locked = signed_in.post(url, contact_form(service, notes=note))
    assert locked.status_code == 200
    assert "Your session was locked" in locked.content.decode()
    assert not Contact.objects.filter(case=case).exists()

    fields = dict(hidden_fields(locked.content.decode()))
    assert fields["next"] == url and fields["carry:notes"] == note
    unlocked = signed_in.post(reverse("session_unlock"), {**fields, "password": PASSWORD})
    assert unlocked.status_code == 200
    page = unlocked.content.decode()
    assert "Send what you were saving" in page and f'action="{url}"' in page

    sent = signed_in.post(url, dict(hidden_fields(page)))
    assert sent.status_code == 302
    assert Contact.objects.get(case=case).notes == note
