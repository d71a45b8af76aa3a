"""Staff accounts: the head of service (and the system maintainer) add staff, change roles and
details, reset a lost authenticator and close a leaver's account; everyone else gets 404."""

import datetime as dt
import html
import re

import pytest
import time_machine
from auditlog import get_logentry_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases import access as cases_access
from cases.models import CaseEvent
from pps import otp
from pps.models import AuthenticatorApp, Role, User
from staff import services
from staff.models import AccountEvent
from tests.conftest import client_for
from tests.factories import UserFactory

PASSWORD = "a brand new long password 91"
NEW = {
    "first_name": "Quillon",
    "last_name": "Marrowby",
    "username": "quillon.marrowby",
    "email": "quillon@pps.example",
    "role": "caseworker",
    "work_phone": "01234 567890 ext 12",
}


def text(response) -> str:
    return html.unescape(response.content.decode())


def add(client, **changes):
    return client.post(reverse("staff:staff_account_new"), {**NEW, **changes})


def link_in(message) -> tuple[str, str]:
    """The set-up page's path and the fragment (account and token) of the emailed link."""
    url = re.search(r"http://testserver(\S+)", message.body).group(1)
    path, fragment = url.split("#")
    fields = dict(part.split("=", 1) for part in fragment.split("&"))
    return path, fields


def choose_password(client, path, fields, password=PASSWORD):
    client.post(path, {"link_user": fields["user"], "link_token": fields["token"]})
    return client.post(path, {"new_password1": password, "new_password2": password})


@pytest.mark.parametrize("persona", ["caseworker", "senior", "coordinator", "volunteer", "outsider"])
def test_nobody_else_reaches_staff_accounts(request, persona, head):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("staff:staff_accounts")).status_code == 404
    assert client.get(reverse("staff:staff_account", args=[head.pk])).status_code == 404
    assert add(client).status_code == 404
    assert (
        client.post(reverse("staff:staff_account_close", args=[head.pk]), {"confirmed": "on"}).status_code
        == 404
    )
    assert not User.objects.filter(username=NEW["username"]).exists()
    assert User.objects.get(pk=head.pk).is_active


def test_another_services_head_gets_404_for_our_staff(caseworker, other_service):
    other_head = User.objects.get(service=other_service, role=Role.HEAD_OF_SERVICE)
    client = client_for(other_head)
    assert client.get(reverse("staff:staff_account", args=[caseworker.pk])).status_code == 404
    page = client.get(reverse("staff:staff_accounts")).content.decode()
    assert caseworker.username not in page


def test_the_head_lists_the_staff_and_each_listing_is_audited(head, caseworker):
    response = client_for(head).get(reverse("staff:staff_accounts"))
    page = text(response)
    assert escape(caseworker.display_name) in page and "Add a member of staff" in page
    entry = get_logentry_model()
    assert (
        entry.objects.filter(
            action=entry.Action.ACCESS,
            actor=head,
            object_pk=str(caseworker.pk),
            additional_data__how="staff accounts",
        ).count()
        == 1
    )


def test_adding_a_member_emails_a_set_up_link_that_works_once(head):
    response = add(client_for(head))
    assert response.status_code == 302
    member = User.objects.get(username=NEW["username"])
    assert member.service_id == head.service_id and member.role == Role.CASEWORKER
    assert not member.has_usable_password()
    assert member.work_phone == NEW["work_phone"]
    assert [m.to for m in mail.outbox] == [[NEW["email"]]]
    assert NEW["username"] in mail.outbox[0].body
    path, fields = link_in(mail.outbox[0])
    assert fields["token"] not in path  # the token travels after "#", in no URL the server sees

    browser = Client()
    assert "Opening your link" in browser.get(path).content.decode()
    browser.post(path, {"link_user": fields["user"], "link_token": fields["token"]})
    assert "Choose your password" in browser.get(path).content.decode()
    done = choose_password(browser, path, fields)
    assert done.status_code == 302 and done.url == reverse("staff:account_set_up_done")
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    kinds = list(AccountEvent.objects.filter(member=member).values_list("kind", flat=True))
    assert set(kinds) == {"added", "set_up_link_sent", "set_up"}

    again = Client()
    again.post(path, {"link_user": fields["user"], "link_token": fields["token"]})
    page = again.get(path).content.decode()
    assert "This link does not work" in page
    refused = again.post(
        path, {"new_password1": "another password 1234", "new_password2": "another password 1234"}
    )
    assert "This link does not work" in text(refused)
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_the_set_up_link_expires(head, settings):
    settings.PPS_SET_UP_LINK_HOURS = 72
    add(client_for(head))
    path, fields = link_in(mail.outbox[0])
    with time_machine.travel(timezone.now() + dt.timedelta(hours=73)):
        browser = Client()
        response = choose_password(browser, path, fields)
        assert "This link does not work" in text(response)
    assert not User.objects.get(username=NEW["username"]).has_usable_password()


def test_a_closed_accounts_link_does_not_work(head):
    client = client_for(head)
    add(client)
    member = User.objects.get(username=NEW["username"])
    path, fields = link_in(mail.outbox[0])
    assert (
        client.post(reverse("staff:staff_account_close", args=[member.pk]), {"confirmed": "on"}).status_code
        == 302
    )
    assert "This link does not work" in text(choose_password(Client(), path, fields))
    member.refresh_from_db()
    assert not member.has_usable_password()


def test_a_new_link_stops_the_old_one(head):
    client = client_for(head)
    add(client)
    member = User.objects.get(username=NEW["username"])
    old_path, old_fields = link_in(mail.outbox[0])
    assert client.post(reverse("staff:staff_account_link", args=[member.pk])).status_code == 302
    assert len(mail.outbox) == 2
    assert "This link does not work" in choose_password(Client(), old_path, old_fields).content.decode()
    new_path, new_fields = link_in(mail.outbox[1])
    assert choose_password(Client(), new_path, new_fields).status_code == 302


def test_after_setting_the_password_the_first_sign_in_sets_up_the_authenticator(head):
    add(client_for(head))
    path, fields = link_in(mail.outbox[0])
    choose_password(Client(), path, fields)
    browser = Client()
    signed_in = browser.post(reverse("login"), {"username": NEW["username"], "password": PASSWORD})
    assert signed_in.status_code == 302
    page = browser.get(reverse("cases:dashboard"), follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("otp_setup"))
    assert "QR code" in page.content.decode()


def test_a_password_reset_token_is_not_a_set_up_link(head):
    from django.contrib.auth.tokens import default_token_generator

    add(client_for(head))
    member = User.objects.get(username=NEW["username"])
    path, fields = link_in(mail.outbox[0])
    fields["token"] = default_token_generator.make_token(member)
    assert "This link does not work" in choose_password(Client(), path, fields).content.decode()


def test_bad_input_is_explained_and_kept(head, caseworker):
    response = add(client_for(head), username=caseworker.username.upper(), email="not an email", role="")
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter an email address like name@example.org" in page and "Select their role" in page
    assert 'value="Quillon"' in page
    response = add(client_for(head), username=caseworker.username.upper())
    assert "That username is taken" in text(response)
    response = add(client_for(head), email=caseworker.email.upper())
    assert "Another account has that email address" in text(response)
    assert not mail.outbox


def test_a_maintainer_runs_accounts_but_gives_no_senior_role_and_reads_no_case(maintainer, case, caseworker):
    client = client_for(maintainer)
    page = client.get(reverse("staff:staff_accounts")).content.decode()
    assert escape(caseworker.display_name) in page
    assert "Staff accounts" in client.get(reverse("cases:dashboard")).content.decode()
    assert add(client, role="senior_manager").status_code == 200  # not offered, refused
    assert not User.objects.filter(username=NEW["username"]).exists()
    assert add(client).status_code == 302
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    detail = client.get(reverse("staff:staff_account", args=[caseworker.pk])).content.decode()
    assert case.reference not in detail and "Sarah" not in detail


def test_the_head_changes_a_role_and_it_is_audited(head, caseworker):
    client = client_for(head)
    response = client.post(
        reverse("staff:staff_account_role", args=[caseworker.pk]), {"role": "senior_manager"}
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert f"{caseworker.display_name} is now a senior manager." in page  # the new role, not the old
    caseworker.refresh_from_db()
    assert caseworker.role == Role.SENIOR_MANAGER
    event = AccountEvent.objects.get(member=caseworker, kind="role_changed")
    assert event.by == head and event.note == "Caseworker to Senior manager"
    entry = get_logentry_model()
    change = entry.objects.filter(object_pk=str(caseworker.pk), action=entry.Action.UPDATE).latest(
        "timestamp"
    )
    assert change.changes_dict["role"] == ["caseworker", "senior_manager"]


def test_nobody_changes_their_own_role(head):
    response = client_for(head).post(
        reverse("staff:staff_account_role", args=[head.pk]), {"role": "caseworker"}
    )
    assert response.status_code == 403
    head.refresh_from_db()
    assert head.role == Role.HEAD_OF_SERVICE


def test_the_last_head_cannot_be_closed_or_demoted(head, maintainer):
    response = client_for(maintainer).post(
        reverse("staff:staff_account_close", args=[head.pk]), {"confirmed": "on"}
    )
    assert "the service's only active head of service" in text(response)
    second = UserFactory(service=head.service, role=Role.HEAD_OF_SERVICE)
    services.change_role(head, second, Role.SENIOR_MANAGER)  # one of two heads demotes the other
    with pytest.raises(services.StaffError):
        services.change_role(second, head, Role.SENIOR_MANAGER)  # who is no longer head
    head.refresh_from_db()
    assert head.is_active and head.role == Role.HEAD_OF_SERVICE


def test_a_second_head_may_close_the_first(head):
    second = UserFactory(service=head.service, role=Role.HEAD_OF_SERVICE)
    response = client_for(second).post(
        reverse("staff:staff_account_close", args=[head.pk]), {"confirmed": "on"}
    )
    assert response.status_code == 302
    head.refresh_from_db()
    assert not head.is_active
    with pytest.raises(services.StaffError, match="only active head of service"):
        services.deactivate(UserFactory(service=head.service, role=Role.MAINTAINER), second)


def test_a_lead_keeps_a_senior_role_until_stopped_as_lead(head, senior):
    response = client_for(head).post(
        reverse("staff:staff_account_role", args=[senior.pk]), {"role": "caseworker"}
    )
    assert "stop them as lead on the Staff page first" in text(response)
    senior.refresh_from_db()
    assert senior.role == Role.SENIOR_MANAGER and senior.is_safeguarding_lead


def test_the_last_designated_lead_cannot_be_closed(head, senior):
    response = client_for(head).post(
        reverse("staff:staff_account_close", args=[senior.pk]), {"confirmed": "on"}
    )
    assert "only designated safeguarding lead" in text(response)
    assert User.objects.get(pk=senior.pk).is_active


def test_closing_a_leaver_ends_their_sessions_and_cases_and_keeps_their_history(head, caseworker, case):
    signed_in = client_for(caseworker)
    assert signed_in.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    assert cases_access.staff_on_case(case).filter(pk=caseworker.pk).exists()
    response = client_for(head).post(
        reverse("staff:staff_account_close", args=[caseworker.pk]), {"confirmed": "on"}
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert not caseworker.is_active
    assert not Session.objects.filter(session_key=signed_in.session.session_key).exists()
    assert signed_in.get(reverse("cases:case_detail", args=[case.pk])).status_code == 302  # to sign in
    assert not cases_access.staff_on_case(case).filter(pk=caseworker.pk).exists()
    assert CaseEvent.objects.filter(case=case, kind="unassigned", staff=caseworker, by=head).exists()
    # History stays: the case they opened still names them, and the account is listed as closed.
    assert CaseEvent.objects.filter(case=case, kind="opened", by=caseworker).exists()
    page = client_for(head).get(reverse("staff:staff_accounts")).content.decode()
    assert escape(caseworker.display_name) in page and "Closed" in page
    assert AccountEvent.objects.get(member=caseworker, kind="deactivated").note == "Taken off 1 case"


def test_nobody_closes_their_own_account(head):
    UserFactory(service=head.service, role=Role.HEAD_OF_SERVICE)
    response = client_for(head).post(
        reverse("staff:staff_account_close", args=[head.pk]), {"confirmed": "on"}
    )
    assert "You cannot close your own account" in text(response)


def test_resetting_an_authenticator_tells_the_person_and_is_audited(head, caseworker):
    otp.create_demo_device(caseworker)
    signed_in = client_for(caseworker)
    response = client_for(head).post(
        reverse("staff:staff_account_reset", args=[caseworker.pk]), {"confirmed": "on"}
    )
    page = text(response)
    code = re.search(r"app-enrolment-code\">([A-Z0-9-]+)<", page).group(1)
    assert len(code) == 14
    assert not AuthenticatorApp.objects.filter(user=caseworker).exists()
    assert not Session.objects.filter(session_key=signed_in.session.session_key).exists()
    assert [m.to for m in mail.outbox] == [[caseworker.email]]
    assert "removed" in mail.outbox[0].body and code not in mail.outbox[0].body
    event = AccountEvent.objects.get(member=caseworker, kind="authenticator_reset")
    assert event.by == head
    entry = get_logentry_model()
    assert entry.objects.filter(object_pk=str(event.pk), action=entry.Action.CREATE, actor=head).exists()


def test_resetting_asks_for_confirmation_first(head, caseworker):
    otp.create_demo_device(caseworker)
    response = client_for(head).post(reverse("staff:staff_account_reset", args=[caseworker.pk]), {})
    assert "Tick the box to confirm you have checked who is asking" in text(response)
    assert AuthenticatorApp.objects.filter(user=caseworker).exists()


def test_the_command_uses_the_same_reset(caseworker):
    from tests.pps.test_enrolment import reset

    otp.create_demo_device(caseworker)
    reset(caseworker)
    assert AccountEvent.objects.filter(member=caseworker, kind="authenticator_reset", by=None).exists()
    assert [m.to for m in mail.outbox] == [[caseworker.email]]


def test_changes_ask_for_the_code_again_when_it_is_old(head, caseworker):
    client = client_for(head)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
        response = client.post(
            reverse("staff:staff_account_close", args=[caseworker.pk]), {"confirmed": "on"}
        )
        assert "Confirm it is you" in text(response)
    assert User.objects.get(pk=caseworker.pk).is_active


def test_the_work_phone_is_changed_and_shown_on_the_account(head, senior):
    client = client_for(head)
    data = {
        "first_name": senior.first_name,
        "last_name": senior.last_name,
        "email": senior.email,
        "work_phone": "01234 111222",
    }
    assert client.post(reverse("staff:staff_account_details", args=[senior.pk]), data).status_code == 302
    senior.refresh_from_db()
    assert senior.work_phone == "01234 111222"
    bad = client.post(
        reverse("staff:staff_account_details", args=[senior.pk]), {**data, "work_phone": "call me"}
    )
    assert "Enter a phone number" in text(bad) and 'value="call me"' in text(bad)


def test_the_account_page_is_audited_once(head, caseworker):
    entry = get_logentry_model()
    client_for(head).get(reverse("staff:staff_account", args=[caseworker.pk]))
    assert (
        entry.objects.filter(action=entry.Action.ACCESS, actor=head, object_pk=str(caseworker.pk)).count()
        == 1
    )


def test_the_command_adds_a_services_first_head(service):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "add_staff_member",
        service=service.name,
        username="first.head",
        first_name="Wilhelmina",
        last_name="Stoat",
        email="first.head@pps.example",
        role="head_of_service",
        site_url="https://casework.example.org/",
        stdout=out,
    )
    member = User.objects.get(username="first.head")
    assert member.role == Role.HEAD_OF_SERVICE and member.service == service
    assert "https://casework.example.org/sign-in/set-up-account/#user=" in mail.outbox[-1].body
    assert AccountEvent.objects.get(member=member, kind="added").by is None
