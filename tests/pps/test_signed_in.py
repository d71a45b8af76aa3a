"""The person, their second factor and their policy agreement are read in one query per page
(``pps.signed_in``), and every refusal of Django's and django-otp's middleware still holds."""

from asgiref.sync import async_to_sync
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django_otp import DEVICE_ID_SESSION_KEY

from pps import otp, services
from pps.middleware import PolicyAgreementMiddleware
from pps.models import AuthenticatorApp
from pps.signed_in import SignedInMiddleware
from tests.conftest import client_for

PAGE = reverse("cases:dashboard")


def name_device(client, persistent_id):
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = persistent_id
    session.save()


def test_the_person_their_second_factor_and_their_agreement_are_one_query(caseworker):
    request = request_of(client_for(caseworker))
    request.resolver_match = resolve(PAGE)
    request.session.keys()  # the session is read first: it is not what is counted
    with CaptureQueriesContext(connection) as captured:
        assert request.user.is_authenticated
        assert request.user.is_verified()
        assert PolicyAgreementMiddleware(None).process_view(request, None, (), {}) is None
    assert len(captured) == 1, [query["sql"] for query in captured]


def test_a_session_whose_password_changed_is_signed_out(caseworker):
    client = client_for(caseworker)
    assert client.get(PAGE).status_code == 200
    caseworker.set_password("a new password nobody else knows")
    caseworker.save()

    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_a_session_with_no_password_hash_is_signed_out(caseworker):
    client = client_for(caseworker)
    session = client.session
    del session[HASH_SESSION_KEY]
    session.save()
    assert client.get(PAGE).url.startswith(reverse("login"))


def test_a_session_signed_under_an_old_secret_key_holds_and_gets_the_new_hash(settings, caseworker):
    client = client_for(caseworker)
    old_key = client.session.session_key
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-secret-key-of-the-test"

    assert client.get(PAGE).status_code == 200
    assert client.session.session_key != old_key
    assert client.session[HASH_SESSION_KEY] == caseworker.get_session_auth_hash()


def test_a_session_signed_under_a_retired_secret_key_is_signed_out(settings, caseworker):
    client = client_for(caseworker)
    settings.SECRET_KEY = "the-new-secret-key-of-the-test"
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(PAGE).url.startswith(reverse("login"))


def test_a_deactivated_account_is_signed_out(caseworker):
    client = client_for(caseworker)
    caseworker.is_active = False
    caseworker.save()
    assert client.get(PAGE).url.startswith(reverse("login"))


def test_a_session_naming_another_persons_device_is_sent_to_the_code(caseworker, second_caseworker):
    client = client_for(caseworker)
    otp.create_demo_device(second_caseworker)
    name_device(client, otp.confirmed_device(second_caseworker).persistent_id)

    assert client.get(PAGE).url.startswith(reverse("otp_verify"))
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_session_naming_an_unconfirmed_device_is_sent_to_the_code(caseworker):
    client = client_for(caseworker)
    AuthenticatorApp.objects.filter(user=caseworker).update(confirmed=False)

    assert client.get(PAGE).url.startswith(reverse("otp_verify"))
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_session_whose_device_was_removed_is_sent_to_the_code(caseworker):
    client = client_for(caseworker)
    AuthenticatorApp.objects.filter(user=caseworker).delete()
    assert client.get(PAGE).url.startswith(reverse("otp_verify"))
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_session_naming_no_device_model_is_not_verified(caseworker):
    for persistent_id in [f"pps.user/{caseworker.pk}", "pps.nothing/1", "garbage", "pps.authenticatorapp/x"]:
        client = client_for(caseworker)
        name_device(client, persistent_id)
        assert client.get(PAGE).url.startswith(reverse("otp_verify")), persistent_id
        assert DEVICE_ID_SESSION_KEY not in client.session


def test_backup_codes_verify_a_session_too(caseworker):
    client = client_for(caseworker)
    otp.new_backup_codes(caseworker)
    name_device(client, otp.backup_codes_of(caseworker).persistent_id)
    assert client.get(PAGE).status_code == 200


def test_a_new_policy_version_sends_the_person_to_the_agreement(caseworker, senior):
    client = client_for(caseworker)
    assert client.get(PAGE).status_code == 200
    services.publish_policy(senior, caseworker.service, "Version two.")

    assert client.get(PAGE).url.startswith(reverse("policy_agree"))


def request_of(client) -> HttpRequest:
    request = HttpRequest()
    request.session = SessionStore(client.session.session_key)
    SignedInMiddleware(lambda request: None).process_request(request)
    return request


def test_the_device_is_read_only_when_more_than_its_presence_is_asked(caseworker):
    client = client_for(caseworker)
    request = request_of(client)
    request.session.keys()  # the session is read first: it is not what is counted
    with CaptureQueriesContext(connection) as captured:
        assert request.user.is_verified()
    assert len(captured) == 1, [query["sql"] for query in captured]
    with CaptureQueriesContext(connection) as captured:
        assert request.user.otp_device.persistent_id == request.session[DEVICE_ID_SESSION_KEY]
        assert request.user.otp_device.user_id == caseworker.pk
        assert isinstance(request.user.otp_device, AuthenticatorApp)
    assert len(captured) == 1


def test_the_async_user_is_the_same_checked_person(caseworker, second_caseworker):
    request = request_of(client_for(caseworker))
    user = async_to_sync(request.auser)()
    assert user.pk == caseworker.pk
    assert user.is_verified()

    client = client_for(caseworker)
    otp.create_demo_device(second_caseworker)
    name_device(client, otp.confirmed_device(second_caseworker).persistent_id)
    user = async_to_sync(request_of(client).auser)()
    assert user.pk == caseworker.pk
    assert not user.is_verified()


def test_signing_in_verifying_and_signing_out_still_work(caseworker):
    from tests.pps.test_second_factor import PASSWORD, enter_code, frozen

    services.agree_to_policy(caseworker, services.policy_to_agree(caseworker))
    otp.create_demo_device(caseworker)
    device = otp.confirmed_device(caseworker)
    client = Client()
    assert client.get(PAGE).url.startswith(reverse("login"))
    client.post(reverse("login"), {"username": caseworker.username, "password": PASSWORD})
    assert client.get(PAGE).url.startswith(reverse("otp_verify"))
    with frozen():
        enter_code(client, otp.code_for(device))
        assert client.get(PAGE).status_code == 200
    client.post(reverse("logout"))
    assert client.get(PAGE).url.startswith(reverse("login"))
