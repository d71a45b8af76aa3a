"""Alerts to a service's designated safeguarding leads: a new concern, a child in immediate
danger, a child-protection file opened by break glass.

Each lead gets an ``Alert`` on their "Child protection" page (and its count in the menu), and an
email when they have an address. Neither holds anything about the parent or child: only what
happened and when. The email is sent once the change is saved; a mail server that is down is
logged (without addresses) and does not undo what was recorded, since the alert stays on screen.
"""

import json
import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from pps.models import SENIOR_ROLES, User
from safeguarding.models import Alert

logger = logging.getLogger("pps.alerts")

_EMAIL_TEXT = {
    Alert.Kind.NEW_CONCERN: "A new child-protection concern has been raised.",
    Alert.Kind.IMMEDIATE_DANGER: (
        "A new child-protection concern has been raised: the child may be in immediate danger."
    ),
    Alert.Kind.BREAK_GLASS: (
        "A senior manager who is not a designated lead has opened a child-protection file by "
        "break glass. Review the reason they gave."
    ),
    Alert.Kind.DESIGNATION: (
        "Someone has been made a designated safeguarding lead: they can now reach every "
        "child-protection file of the service. Review the designation."
    ),
}


def leads_of(service_id):
    return User.objects.filter(service_id=service_id, is_active=True, is_safeguarding_lead=True)


def has_a_lead(service_id) -> bool:
    return leads_of(service_id).exists()


_NO_LEAD_TEXT = (
    "A new child-protection concern has been raised, and your service has no designated "
    "safeguarding lead in the casework system to receive it. Find out from the person who raised "
    "it what happened, and make someone a designated lead."
)


def notify_leads(service_id, kind: str, *, concern=None, break_glass=None, actor=None) -> list[Alert]:
    """Alert every active designated lead of the service, except ``actor`` (who knows already).

    A service with no active lead at all must not let a new concern go unseen: its senior
    managers and head of service are emailed instead (they have no queue to see it in).
    """
    leads = list(leads_of(service_id))
    if not leads and kind in (Alert.Kind.NEW_CONCERN, Alert.Kind.IMMEDIATE_DANGER):
        seniors = User.objects.filter(service_id=service_id, is_active=True, role__in=SENIOR_ROLES)
        addresses = [senior.email for senior in seniors if senior.email]
        logger.error(json.dumps({"event": "concern_without_lead", "service": str(service_id)}))
        if addresses:
            transaction.on_commit(lambda: _email(kind, addresses, text=_NO_LEAD_TEXT))
        return []
    leads = [lead for lead in leads if actor is None or lead.pk != actor.pk]
    return notify(leads, kind, concern=concern, break_glass=break_glass)


def notify(leads, kind: str, *, concern=None, break_glass=None, designation=None) -> list[Alert]:
    """An alert on screen for each of ``leads``, and an email to those with an address."""
    leads = list(leads)
    alerts = Alert.objects.bulk_create(
        [
            Alert(
                recipient=lead, kind=kind, concern=concern, break_glass=break_glass, designation=designation
            )
            for lead in leads
        ]
    )
    addresses = [lead.email for lead in leads if lead.email]
    if addresses:
        transaction.on_commit(lambda: _email(kind, addresses))
    return alerts


def _email(kind: str, addresses: list[str], text: str | None = None) -> None:
    when = timezone.localtime().strftime("%-d %B %Y at %H:%M")
    body = (
        f"{text or _EMAIL_TEXT[kind]}\n\nWhen: {when}\n\n"
        "Sign in to the casework system and open “Child protection” to see it. This email holds no "
        "details on purpose: do not forward it.\n"
    )
    subject = "Child-protection alert" + (": immediate danger" if kind == Alert.Kind.IMMEDIATE_DANGER else "")
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    try:
        send_mass_mail(messages, fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        logger.error(
            json.dumps(
                {
                    "event": "alert_email_failed",
                    "kind": kind,
                    "recipients": len(addresses),
                    "error": type(error).__name__,
                }
            )
        )


def unseen_for(user):
    return Alert.objects.filter(recipient=user, seen_at__isnull=True)


def mark_seen(user=None, *, concern=None, break_glass=None, designation=None) -> int:
    """Mark alerts as seen: ``user``'s (all of them, or those about one concern or opening), or,
    without ``user``, every lead's alerts about a concern or opening that a lead has dealt with."""
    if user is None and concern is None and break_glass is None and designation is None:
        raise ValueError("Say whose alerts, or which concern or opening they are about.")
    alerts = unseen_for(user) if user is not None else Alert.objects.filter(seen_at__isnull=True)
    if concern is not None:
        alerts = alerts.filter(concern=concern)
    if break_glass is not None:
        alerts = alerts.filter(break_glass=break_glass)
    if designation is not None:
        alerts = alerts.filter(designation=designation)
    return alerts.update(seen_at=timezone.now())
