"""Alerts to designated safeguarding leads: on screen (a count in the menu, a list on their
"Child protection" page) and by email, holding nothing about the family."""

import re
import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pps.models import Role
from safeguarding import services
from safeguarding.models import Alert, Concern
from tests.conftest import client_for
from tests.dates import dated
from tests.factories import UserFactory

CANARY = "CANARY-ZEBEDEE bruise on the arm"


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise smtplib.SMTPException("down")


@pytest.fixture
def second_lead(service):
    return UserFactory(service=service, role=Role.CASEWORKER, is_safeguarding_lead=True, username="lena")


@pytest.fixture
def lead_without_email(service):
    return UserFactory(
        service=service, role=Role.SENIOR_MANAGER, is_safeguarding_lead=True, username="lou", email=""
    )


@pytest.fixture
def inactive_lead(service):
    return UserFactory(
        service=service, role=Role.SENIOR_MANAGER, is_safeguarding_lead=True, username="ian", is_active=False
    )


@pytest.fixture
def other_lead(other_service):
    return UserFactory(
        service=other_service, role=Role.SENIOR_MANAGER, is_safeguarding_lead=True, username="olly"
    )


@pytest.fixture
def leads(senior, second_lead, lead_without_email, inactive_lead, other_lead):
    return {
        "active": {senior, second_lead, lead_without_email},
        "inactive": inactive_lead,
        "other": other_lead,
    }


def raise_concern(by, case, *, immediate_danger=False, what=CANARY):
    return services.raise_concern(
        by=by,
        case=case,
        child=case.parent.children.get(),
        what=what,
        happened_at=timezone.now() - timezone.timedelta(hours=1),
        immediate_danger=immediate_danger,
    )


def when(minutes_ago=60):
    return (timezone.localtime() - timezone.timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


def recipients(concern):
    return {alert.recipient for alert in Alert.objects.filter(concern=concern)}


def menu_count(page: str):
    """The number shown in the menu's "Child protection" link, or None."""
    match = re.search(r">Child protection\s*(?:<strong[^>]*>(\d+))?", page)
    assert match, "no Child protection link"
    return int(match.group(1)) if match.group(1) else None


def test_a_new_concern_alerts_every_active_lead_of_the_service(caseworker, case, leads):
    concern = raise_concern(caseworker, case)
    assert recipients(concern) == leads["active"]
    assert not Alert.objects.filter(recipient=leads["inactive"]).exists()
    assert not Alert.objects.filter(recipient=leads["other"]).exists()
    assert set(Alert.objects.filter(concern=concern).values_list("kind", flat=True)) == {
        Alert.Kind.NEW_CONCERN
    }
    assert not Alert.objects.filter(concern=concern, seen_at__isnull=False).exists()


def test_a_lead_who_raises_a_concern_is_not_alerted_about_it(senior, case, leads):
    concern = raise_concern(senior, case)
    assert recipients(concern) == leads["active"] - {senior}


def test_immediate_danger_has_its_own_kind(caseworker, case, leads):
    concern = raise_concern(caseworker, case, immediate_danger=True)
    kinds = set(Alert.objects.filter(concern=concern).values_list("kind", flat=True))
    assert kinds == {Alert.Kind.IMMEDIATE_DANGER}


def test_the_menu_shows_a_lead_the_unseen_count_and_nobody_else(
    caseworker, non_lead_senior, senior, second_lead, case
):
    dashboard = reverse("cases:dashboard")
    assert menu_count(client_for(senior).get(dashboard).content.decode()) is None
    raise_concern(caseworker, case)
    raise_concern(caseworker, case, immediate_danger=True)
    assert menu_count(client_for(senior).get(dashboard).content.decode()) == 2
    for user in (caseworker, non_lead_senior):
        page = client_for(user).get(dashboard).content.decode()
        assert "app-count" not in page
        assert "new alert" not in page
        assert reverse("safeguarding:concern_queue") not in page


def test_opening_the_concern_marks_that_leads_alert_seen(caseworker, senior, second_lead, case):
    concern = raise_concern(caseworker, case)
    client = client_for(senior)
    assert client.get(reverse("safeguarding:concern_detail", args=[concern.pk])).status_code == 200
    assert not Alert.objects.filter(recipient=senior, seen_at__isnull=True).exists()
    assert Alert.objects.filter(recipient=second_lead, concern=concern, seen_at__isnull=True).exists()
    assert menu_count(client.get(reverse("cases:dashboard")).content.decode()) is None


def test_mark_all_as_seen(caseworker, senior, second_lead, case):
    raise_concern(caseworker, case)
    raise_concern(caseworker, case, immediate_danger=True)
    client = client_for(senior)
    queue = client.get(reverse("safeguarding:concern_queue")).content.decode()
    assert "Mark all as seen" in queue and reverse("safeguarding:alerts_seen") in queue
    response = client.post(reverse("safeguarding:alerts_seen"))
    assert response.status_code == 302 and response.url == reverse("safeguarding:concern_queue")
    assert not Alert.objects.filter(recipient=senior, seen_at__isnull=True).exists()
    assert Alert.objects.filter(recipient=second_lead, seen_at__isnull=True).count() == 2
    queue = client.get(response.url).content.decode()
    assert "Mark all as seen" not in queue
    assert menu_count(queue) is None


@pytest.mark.parametrize("persona", ["caseworker", "non_lead_senior"])
def test_only_leads_mark_alerts_seen(request, caseworker, senior, case, persona):
    raise_concern(caseworker, case)
    assert (
        client_for(request.getfixturevalue(persona)).post(reverse("safeguarding:alerts_seen")).status_code
        == 404
    )
    assert Alert.objects.filter(recipient=senior, seen_at__isnull=True).exists()


def test_recording_a_discussion_clears_the_concerns_alerts_for_every_lead(
    caseworker, senior, second_lead, case
):
    concern = raise_concern(caseworker, case)
    other = raise_concern(caseworker, case, what="Another concern")
    response = client_for(senior).post(
        reverse("safeguarding:discussion_record", args=[concern.pk]),
        dated(
            {
                "participants": "Lee and Casey",
                "senior_manager": senior.pk,
                "held_at": when(10),
                "decision": "monitor",
                "notes": "",
            }
        ),
    )
    assert response.status_code == 302
    assert Concern.objects.get(pk=concern.pk).discussions.exists()
    assert not Alert.objects.filter(concern=concern, seen_at__isnull=True).exists()
    assert Alert.objects.filter(concern=other, seen_at__isnull=True).count() == 2


def test_leads_with_an_address_are_emailed_without_personal_data(
    as_caseworker, case, leads, mailoutbox, django_capture_on_commit_callbacks
):
    child = case.parent.children.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_caseworker.post(
            reverse("safeguarding:concern_raise", args=[case.pk]),
            dated({"child": child.pk, "what": CANARY, "happened_at": when(), "immediate_danger": "on"}),
        )
    assert response.status_code == 302
    addresses = sorted(address for message in mailoutbox for address in message.to)
    assert addresses == sorted(lead.email for lead in leads["active"] if lead.email)
    assert all(len(message.to) == 1 for message in mailoutbox)  # no lead sees the others' addresses
    for message in mailoutbox:
        body = f"{message.subject}\n{message.body}"
        assert "immediate danger" in body
        for secret in ("Sarah", "Jones", child.first_name, "CANARY", "ZEBEDEE", "bruise", case.reference):
            assert secret not in body


def test_no_email_before_the_concern_is_saved(caseworker, senior, case, mailoutbox):
    raise_concern(caseworker, case)  # the test's transaction never commits
    assert mailoutbox == []


def test_a_mail_server_failure_does_not_fail_raising_the_concern(
    settings, caplog, as_caseworker, case, senior, second_lead, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.safeguarding.test_alerts.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_caseworker.post(
            reverse("safeguarding:concern_raise", args=[case.pk]),
            dated({"child": case.parent.children.get().pk, "what": CANARY, "happened_at": when()}),
        )
    assert callbacks  # the email was attempted, and failed
    assert "alert_email_failed" in caplog.text
    assert senior.email not in caplog.text  # logged without addresses
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.what == CANARY
    assert recipients(concern) == {senior, second_lead}


def test_a_service_with_no_lead_emails_its_senior_staff_and_warns_the_raiser(
    caseworker, case, non_lead_senior, mailoutbox, django_capture_on_commit_callbacks
):
    non_lead_senior.email = "nell@example.org"
    non_lead_senior.save()
    with django_capture_on_commit_callbacks(execute=True):
        concern = services.raise_concern(
            by=caseworker, case=case, child=None, what="CANARY-NOLEAD", happened_at=timezone.now()
        )
    assert ["nell@example.org"] in [message.to for message in mailoutbox]  # and the head of service
    for message in mailoutbox:
        assert "no designated safeguarding lead" in message.body
        assert "CANARY" not in message.body and "Jones" not in message.body
    assert not Alert.objects.exists()
    receipt = client_for(caseworker).get(reverse("safeguarding:concern_receipt", args=[concern.pk]))
    assert "Your service has no designated safeguarding lead" in receipt.content.decode()


def test_the_dashboard_counts_a_leads_unseen_alerts_once_for_the_menu_and_the_banner(
    caseworker, senior, case
):
    raise_concern(caseworker, case)
    raise_concern(caseworker, case, immediate_danger=True)
    client = client_for(senior)
    client.get(reverse("cases:dashboard"))  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("cases:dashboard")).content.decode()
    assert menu_count(page) == 2
    assert "You have 2 new child-protection alerts." in page
    counts = [q for q in captured if "safeguarding_alert" in q["sql"] and "COUNT" in q["sql"].upper()]
    assert len(counts) == 1
