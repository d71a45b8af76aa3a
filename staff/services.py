"""Writing to staff accounts: each function checks who may act, writes the change and its event
in one transaction, and returns. Views, management commands and tests call these.

- Nobody changes their own role, resets their own authenticator or closes their own account.
- The service's last active head of service is never demoted or closed.
- Designated safeguarding leads are chosen only through ``safeguarding`` (the two-person rule
  for a head of service's own designation): a lead keeps a senior role until they are stopped
  as lead there, and the service's last active lead cannot be closed.
- Closing an account ends its sessions at once (``pps.session_limits``), takes the person off
  every case (their case permissions) with an event on each case's timeline, and keeps the
  account and everything it did, so histories still name them.
"""

import smtplib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cases.access import CASE_PERMISSIONS, unassign_from_case
from cases.models import Case, CaseEvent, CaseUserObjectPermission
from pps import auth_log, enrolment
from pps.access import get_or_404
from pps.models import CASE_ROLES, SENIOR_ROLES, Role
from staff import access
from staff.models import AccountEvent
from staff.tokens import link_hours, set_up_tokens

SET_UP_SUBJECT = "Your account on Parent Partnership casework"
RESET_SUBJECT = "The authenticator app on your casework account was removed"


class StaffError(Exception):
    """A refused change to a staff account, with a message for the person making it."""


def _locked(by, member):
    """``member`` locked for the change, if ``by`` may manage it (else 404)."""
    access.require_account_manager(by)
    queryset = get_user_model().objects.select_for_update().filter(service_id=by.service_id)
    return get_or_404(queryset, member.pk)


def _event(member, kind, by, note: str = "") -> AccountEvent:
    actor = by if by is not None and getattr(by, "pk", None) else None
    return AccountEvent.objects.create(member=member, kind=kind, by=actor, note=note)


def _send(message: EmailMessage, member, event: str) -> bool:
    """Sends ``message``; a mail server that is down is logged (by account id) and loses nothing
    of the change itself."""
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        auth_log.record(f"{event}_email_failed", None, member, error=type(error).__name__)
        return False
    return True


def _active_heads(service_id):
    return get_user_model().objects.filter(service_id=service_id, role=Role.HEAD_OF_SERVICE, is_active=True)


def _is_last_active_head(member) -> bool:
    if not (member.is_active and member.role == Role.HEAD_OF_SERVICE):
        return False
    heads = _active_heads(member.service_id).select_for_update()
    return not heads.exclude(pk=member.pk).exists()


def _is_last_active_lead(member) -> bool:
    if not (member.is_active and member.is_safeguarding_lead):
        return False
    leads = get_user_model().objects.filter(
        service_id=member.service_id, is_active=True, is_safeguarding_lead=True
    )
    return not leads.select_for_update().exclude(pk=member.pk).exists()


# --- the set-up link --------------------------------------------------------------------------


def set_up_link(member, page_url: str) -> str:
    """The one-time link for ``member``: the set-up page, with the account and token after ``#``
    (never sent to the server, so in no access log; the page's script posts them)."""
    token = set_up_tokens.make_token(member)
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    return page_url + "#" + urlencode({"user": uid, "token": token})


def set_up_email(member, link: str) -> EmailMessage:
    service = member.service.name if member.service_id else "the service"
    body = (
        f"An account has been made for you on Parent Partnership casework, for {service}.\n\n"
        f"Your username is: {member.username}\n\n"
        f"To choose your password, open this link within {link_hours()} hours. It works once:\n\n"
        f"{link}\n\n"
        "Then sign in with your username and the new password. The first time, you will set up "
        "an authenticator app (such as Microsoft or Google Authenticator) on your phone: the page "
        "shows a QR code to scan.\n\n"
        "If you did not expect this email, tell the service's head of service. Do not forward it.\n"
    )
    return EmailMessage(SET_UP_SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [member.email])


def _send_set_up_link(by, member, page_url: str) -> bool:
    # A new unusable password: every link sent before stops working (the token is tied to it).
    member.set_unusable_password()
    member.save(update_fields=["password"])
    _event(member, AccountEvent.Kind.SET_UP_LINK_SENT, by)
    return _send(set_up_email(member, set_up_link(member, page_url)), member, "set_up_link")


@transaction.atomic
def add_member(
    by, *, username, first_name, last_name, email, role, work_phone="", page_url: str, service=None
):
    """Adds a member of staff to ``by``'s service and emails them a one-time set-up link.

    - Only someone who may manage accounts, and only with a role they may give. ``by`` is None
      only at the server (``manage.py add_staff_member``: a new service's first head of
      service), which names the ``service``.
    - The username is unique (whatever its case); an email address is needed for the link.
    - The account has no password until the person chooses one from the link; at their first
      sign-in they set up their authenticator app.
    """
    if by is not None:
        access.require_account_manager(by)
        service = by.service
        if role not in access.roles_to_give(by):
            raise StaffError("You cannot give that role.")
    elif service is None or role not in Role.values:
        raise StaffError("Name the service and one of the roles.")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise StaffError("That username is taken: choose another")
    if not email:
        raise StaffError("Enter the email address the set-up link goes to")
    if User.objects.filter(email__iexact=email).exists():
        raise StaffError("Another account has that email address")
    member = User(
        service_id=service.pk,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        work_phone=work_phone,
    )
    member.set_unusable_password()
    member.save()
    _event(member, AccountEvent.Kind.ADDED, by, note=Role(role).label)
    _send_set_up_link(by, member, page_url)
    return member


@transaction.atomic
def resend_set_up_link(by, member, *, page_url: str) -> bool:
    """Sends a new set-up link (the earlier ones stop working). Only for an active account that
    has not chosen its password yet."""
    member = _locked(by, member)
    if not member.is_active:
        raise StaffError(f"{member.display_name}'s account is closed.")
    if member.has_usable_password():
        raise StaffError(
            f"{member.display_name} has chosen a password already: a forgotten password is reset "
            "from the sign-in page."
        )
    if not member.email:
        raise StaffError(f"{member.display_name} has no email address: add one first.")
    return _send_set_up_link(by, member, page_url)


def record_set_up(member) -> None:
    """The person chose their password from the set-up link."""
    _event(member, AccountEvent.Kind.SET_UP, None)


# --- changes ----------------------------------------------------------------------------------


def _take_off_every_case(by, member) -> int:
    """Removes ``member``'s case permissions; each live case's timeline says they were taken off.
    Returns how many cases."""

    case_ids = set(
        CaseUserObjectPermission.objects.filter(
            user=member, permission__codename__in=[name.split(".")[1] for name in CASE_PERMISSIONS]
        ).values_list("content_object_id", flat=True)
    )
    cases = list(Case.objects.filter(pk__in=case_ids).select_related("parent"))
    for case in cases:
        unassign_from_case(member, case)
        if case.status != "destroyed" and by is not None:
            CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.UNASSIGNED, staff=member, by=by)
    return len(cases)


@transaction.atomic
def change_role(by, member, role: str):
    """Changes ``member``'s role.

    - Never one's own; only roles ``by`` may give, and only from a role ``by`` may give
      (``staff.access.may_change_role_of``).
    - The last active head of service stays head of service.
    - A designated safeguarding lead keeps a senior role: stop them as lead first (safeguarding's
      own rules, so no one becomes or stops being a lead by a change of role).
    - Someone moved to a role that does no casework (coordinator, maintainer) is taken off
      their cases.
    """
    member = _locked(by, member)
    if member.pk == by.pk:
        raise StaffError("You cannot change your own role: ask another head of service or the maintainer.")
    if not access.may_change_role_of(by, member) or role not in access.roles_to_give(by):
        raise StaffError("You cannot give that role.")
    if role == member.role:
        raise StaffError(f"{member.display_name} is a {member.get_role_display().lower()} already.")
    if role != Role.HEAD_OF_SERVICE and _is_last_active_head(member):
        raise StaffError(
            f"{member.display_name} is the service's only active head of service: make someone "
            "else head of service first."
        )
    if member.is_safeguarding_lead and role not in SENIOR_ROLES:
        raise StaffError(
            f"{member.display_name} is a designated safeguarding lead, which only a senior manager "
            "or the head of service can be: stop them as lead on the Staff page first."
        )
    before = member.get_role_display()
    member.role = role
    member.save(update_fields=["role"])
    if role not in CASE_ROLES and role not in SENIOR_ROLES:
        _take_off_every_case(by, member)
    _event(member, AccountEvent.Kind.ROLE_CHANGED, by, note=f"{before} to {member.get_role_display()}")
    return member


@transaction.atomic
def change_details(by, member, *, first_name, last_name, email, work_phone):
    """Changes ``member``'s name, email address and work phone (shown to colleagues, for
    example the designated leads' numbers on the raise-concern page; never to parents)."""
    member = _locked(by, member)
    User = get_user_model()
    if email and User.objects.filter(email__iexact=email).exclude(pk=member.pk).exists():
        raise StaffError("Another account has that email address")
    values = {"first_name": first_name, "last_name": last_name, "email": email, "work_phone": work_phone}
    changed = [name for name, value in values.items() if getattr(member, name) != value]
    if not changed:
        return member, False
    for name in changed:
        setattr(member, name, values[name])
    member.save(update_fields=changed)
    _event(member, AccountEvent.Kind.DETAILS_CHANGED, by)
    return member, True


def reset_email(member, by) -> EmailMessage:
    who = by.display_name if by is not None else "the system maintainer"
    when = timezone.localtime().strftime("%-d %B %Y at %H:%M")
    body = (
        f"The authenticator app and backup codes on your Parent Partnership casework account "
        f"were removed on {when} by {who}, and you were signed out everywhere.\n\n"
        "At your next sign-in, after your password, enter the one-time enrolment code you are "
        "given by phone or in person (never by email), then set up your authenticator app "
        "again.\n\n"
        "If you did not ask for this, tell your manager at once.\n"
    )
    return EmailMessage(RESET_SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [member.email])


@transaction.atomic
def reset_authenticator(by, member, request=None) -> str:
    """Removes ``member``'s authenticator app and backup codes and ends their sessions
    (``pps.enrolment.reset_second_factor``); returns the one-time enrolment code to give them by
    phone or in person. The reset is an event on the account, in the audit log, and the person
    is told by email.

    ``by`` is None when run at the server (``manage.py reset_authenticator``); otherwise only
    someone who may manage accounts, never for their own account.
    """
    if by is not None:
        member = _locked(by, member)
        if member.pk == by.pk:
            raise StaffError(
                "You cannot reset your own authenticator: ask the head of service or the maintainer."
            )
    if not member.is_active:
        raise StaffError(f"{member.display_name}'s account is closed.")
    code = enrolment.reset_second_factor(member, request)
    _event(member, AccountEvent.Kind.AUTHENTICATOR_RESET, by)
    if member.email:
        _send(reset_email(member, by), member, "authenticator_reset")
    return code


@transaction.atomic
def deactivate(by, member) -> int:
    """Closes the account of someone who has left. Returns how many cases they were taken off.

    - Never one's own, never the last active head of service, never the last active
      designated safeguarding lead (designate another first). A maintainer may close anyone's
      (closing takes access away, never gives it).
    - Every session of the account ends at once; the person is taken off every case (case
      permissions removed, each case's timeline says so); the account and its history stay.
    """
    member = _locked(by, member)
    if member.pk == by.pk:
        raise StaffError("You cannot close your own account.")
    if not member.is_active:
        raise StaffError(f"{member.display_name}'s account is closed already.")
    if _is_last_active_head(member):
        raise StaffError(
            f"{member.display_name} is the service's only active head of service: make someone "
            "else head of service first."
        )
    if _is_last_active_lead(member):
        raise StaffError(
            f"{member.display_name} is the service's only designated safeguarding lead: "
            "designate another on the Staff page first."
        )
    member.is_active = False
    # Saving it inactive deletes every session of the account (``pps.session_limits``).
    member.save(update_fields=["is_active"])
    taken_off = _take_off_every_case(by, member)
    note = f"Taken off {taken_off} case{'s' if taken_off != 1 else ''}"
    _event(member, AccountEvent.Kind.DEACTIVATED, by, note=note)
    return taken_off


def history(member):
    return AccountEvent.objects.filter(member=member).select_related("by")


def awaiting_set_up(member) -> bool:
    """Has the person not chosen a password yet (a set-up link may be sent)?"""
    return member.is_active and not member.has_usable_password()
