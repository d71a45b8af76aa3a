"""Forgotten your password? A one-time link by email, valid for 30 minutes, that gives away
nothing about who has an account, signs no one in and skips no second factor (controls 17, 18, 21)."""

import datetime as dt
import json
import re
import smtplib
from urllib.parse import parse_qsl

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pps import otp
from tests.conftest import client_for
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "violet kettle marching orchard"


@pytest.fixture(autouse=True)
def no_requests_counted_yet(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def events(caplog):
    caplog.set_level("INFO", logger="pps.auth")

    def read():
        return [json.loads(r.getMessage()) for r in caplog.records if r.name == "pps.auth"]

    return read


@pytest.fixture
def no_email(service):
    return UserFactory(service=service, username="noel", email="")


@pytest.fixture
def inactive(service):
    return UserFactory(service=service, username="ina", is_active=False)


def ask(client, typed, ip="192.0.2.7"):
    return client.post(reverse("password_reset"), {"account": typed}, REMOTE_ADDR=ip)


def page_text(response) -> str:
    """The page without what differs on every response anyway (CSP nonce, CSRF token)."""
    page = response.content.decode()
    return re.sub(r'(nonce="|"X-CSRFToken": ")[^"]*"', r"\1", page)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group()


def open_link(client, link):
    """Follows the emailed link as a browser does: the part after "#" never reaches the server;
    the page's script posts it, and the page reloads without it."""
    path, _, fragment = link.partition("#")
    assert "token" not in path
    opening = client.get(path)
    assert opening.status_code == 200
    assert "data-reset-link" in opening.content.decode()
    fields = dict(parse_qsl(fragment))
    response = client.post(
        reverse("password_reset_confirm"),
        {"link_user": fields.get("user", ""), "link_token": fields.get("token", "")},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_reset_confirm")
    return client.get(response.url)


def choose(client, password, again=None):
    data = {"new_password1": password, "new_password2": password if again is None else again}
    return client.post(reverse("password_reset_confirm"), data)


def reset(caseworker, mailoutbox, client=None):
    client = client or Client()
    ask(client, caseworker.username)
    open_link(client, link_in(mailoutbox[-1]))
    response = choose(client, NEW_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    return client


def test_the_sign_in_page_offers_forgotten_your_password(db):
    page = Client().get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}">Forgotten your password?</a>' in page


def test_known_unknown_inactive_and_no_email_accounts_get_the_same_answer(caseworker, no_email, inactive):
    typed = [caseworker.username, caseworker.email, "nobody.here", no_email.username, inactive.username]
    answers = []
    for each in typed:
        client = Client()
        response = ask(client, each)
        page = client.get(response.url)
        answers.append((response.status_code, response.url, page.status_code, page_text(page)))
    assert answers[0][:2] == (302, reverse("password_reset_done"))
    assert "If an account matches what you entered, we have sent an email" in answers[0][3]
    assert all(answer == answers[0] for answer in answers)


def test_only_an_active_account_with_an_email_address_gets_an_email(
    caseworker, no_email, inactive, mailoutbox
):
    for typed in ["nobody.here", "nobody@pps.example", no_email.username, inactive.username, inactive.email]:
        ask(Client(), typed, ip="198.51.100.1")
    assert mailoutbox == []

    ask(Client(), caseworker.username)
    ask(Client(), caseworker.email.upper())
    assert [message.to for message in mailoutbox] == [[caseworker.email], [caseworker.email]]


def test_the_email_holds_a_link_and_nothing_about_the_person(caseworker, mailoutbox):
    ask(Client(), caseworker.username)
    [message] = mailoutbox
    assert link_in(message).startswith(f"http://testserver{reverse('password_reset_confirm')}#user=")
    assert "30 minutes" in message.body
    for personal in (caseworker.username, caseworker.first_name, caseworker.last_name, caseworker.email):
        assert personal not in message.body
        assert personal not in message.subject


def test_the_link_lets_you_choose_a_new_password_once(caseworker, mailoutbox):
    client = Client()
    ask(client, caseworker.username)
    link = link_in(mailoutbox[0])
    page = open_link(client, link)
    assert "Choose a new password" in page.content.decode()

    response = choose(client, NEW_PASSWORD)
    assert response.url == reverse("password_reset_complete")
    caseworker.refresh_from_db()
    assert caseworker.check_password(NEW_PASSWORD)

    again = open_link(Client(), link)
    assert "This link does not work" in again.content.decode()
    assert choose(client, "another long passphrase").status_code == 200
    caseworker.refresh_from_db()
    assert caseworker.check_password(NEW_PASSWORD)


def test_the_link_expires_after_30_minutes(caseworker, mailoutbox, clock):
    assert settings.PASSWORD_RESET_TIMEOUT == 30 * 60
    ask(Client(), caseworker.username)
    link = link_in(mailoutbox[0])
    clock.shift(dt.timedelta(minutes=29))
    assert "Choose a new password" in open_link(Client(), link).content.decode()
    clock.shift(dt.timedelta(minutes=2))
    client = Client()
    assert "This link does not work" in open_link(client, link).content.decode()
    choose(client, NEW_PASSWORD)
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)


def test_a_made_up_link_does_not_work(db):
    client = Client()
    page = open_link(client, f"{reverse('password_reset_confirm')}#user=MQ&token=abc-def")
    assert "This link does not work" in page.content.decode()


@pytest.mark.parametrize(
    "password, again, message",
    [
        ("short pass", None, "This password is too short. It must contain at least 12 characters."),
        ("password1234", None, "This password is too common."),
        (NEW_PASSWORD, "violet kettle marching orchards", "The passwords are not the same"),
    ],
)
def test_a_weak_or_mistyped_password_is_refused_with_a_message(
    caseworker, mailoutbox, password, again, message
):
    client = Client()
    ask(client, caseworker.username)
    open_link(client, link_in(mailoutbox[0]))
    response = choose(client, password, again)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert password not in page  # the boxes come back empty
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)
    assert choose(client, NEW_PASSWORD).url == reverse("password_reset_complete")  # the link still works


def test_after_a_reset_you_are_not_signed_in_and_signing_in_still_asks_for_the_code(caseworker, mailoutbox):
    otp.create_demo_device(caseworker)
    client = reset(caseworker, mailoutbox)
    page = client.get(reverse("password_reset_complete")).content.decode()
    assert "Password changed" in page and "6-digit code" in page
    dashboard = reverse("cases:dashboard")
    assert client.get(dashboard).url.startswith(reverse("login"))

    data = {"username": caseworker.username, "password": NEW_PASSWORD}
    assert client.post(reverse("login"), data).url.startswith(reverse("otp_verify"))
    assert client.get(dashboard).url.startswith(reverse("otp_verify"))


def test_a_session_from_before_the_reset_is_sent_to_sign_in(caseworker, mailoutbox):
    old = client_for(caseworker)
    dashboard = reverse("cases:dashboard")
    assert old.get(dashboard).status_code == 200
    cookie = old.cookies[settings.SESSION_COOKIE_NAME].value

    reset(caseworker, mailoutbox)

    replayed = Client()
    replayed.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replayed.get(dashboard).url.startswith(reverse("login"))
    assert old.get(dashboard).url.startswith(reverse("login"))


def test_more_than_5_requests_from_one_address_in_15_minutes_send_nothing(caseworker, mailoutbox, clock):
    answers = [ask(Client(), caseworker.username) for _ in range(6)]
    assert len(mailoutbox) == 5
    assert {(answer.status_code, answer.url) for answer in answers} == {(302, reverse("password_reset_done"))}

    ask(Client(), caseworker.username, ip="198.51.100.9")
    assert len(mailoutbox) == 6
    clock.shift(dt.timedelta(minutes=16))
    ask(Client(), caseworker.username)
    assert len(mailoutbox) == 7


def test_a_mail_server_that_is_down_changes_nothing_on_the_page(caseworker, monkeypatch, events):
    def refuse(message):
        raise smtplib.SMTPRecipientsRefused({caseworker.email: (550, b"no")})

    monkeypatch.setattr(EmailMessage, "send", refuse)
    response = ask(Client(), caseworker.username)
    assert response.url == reverse("password_reset_done")
    failed = [event for event in events() if event["event"] == "password_reset_email_failed"]
    assert failed == [failed[0] | {"user": str(caseworker.pk), "error": "SMTPRecipientsRefused"}]
    assert caseworker.email not in json.dumps(events())


def test_the_log_names_the_account_only_when_one_matched_and_never_what_was_typed(
    caseworker, mailoutbox, events, caplog
):
    caplog.set_level("DEBUG")
    ask(Client(), caseworker.email)
    ask(Client(), "my-password-by-mistake")
    client = Client()
    ask(client, caseworker.username)
    link = link_in(mailoutbox[-1])
    open_link(client, link)
    choose(client, NEW_PASSWORD)

    known, unknown, again, done = events()
    user = str(caseworker.pk)
    assert (known["event"], known["user"], known["matched"]) == ("password_reset_requested", user, True)
    assert (unknown["event"], unknown["user"], unknown["matched"]) == (
        "password_reset_requested",
        None,
        False,
    )
    assert (again["event"], again["user"]) == ("password_reset_requested", user)
    assert (done["event"], done["user"], done["ip"]) == ("password_reset_done", user, "127.0.0.1")

    logged = caplog.text
    for secret in (
        caseworker.email,
        caseworker.username,
        caseworker.first_name,
        caseworker.last_name,
        "my-password-by-mistake",
        link.split("token=")[1],
        NEW_PASSWORD,
    ):
        assert secret not in logged


def test_the_token_never_reaches_the_server_in_a_url(caseworker, mailoutbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    ask(client, caseworker.username)
    link = link_in(mailoutbox[-1])
    token = dict(parse_qsl(link.partition("#")[2]))["token"]
    path = link.partition("#")[0]
    assert token not in path
    page = open_link(client, link)
    assert "Choose a new password" in page.content.decode()
    assert token not in page.content.decode()
    with CaptureQueriesContext(connection):
        assert choose(client, NEW_PASSWORD).url == reverse("password_reset_complete")


def test_the_limit_is_counted_in_the_shared_database_cache(caseworker, mailoutbox):
    from django.core.cache import caches

    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    for _ in range(20):
        ask(Client(), caseworker.username, ip="203.0.113.9")
    assert len(mailoutbox) == 5
    # What the limit counted is in the database table every process reads, not in this process.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pps_shared_cache WHERE cache_key LIKE %s", ["%password-reset%"])
        assert cursor.fetchone()[0] == 5
    assert caches["default"].get("pps:password-reset:203.0.113.9:0") == 1
