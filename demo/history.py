"""The demo's history of changes that people made: contacts and a parent's details corrected, a
contact moved to the right case, and the life of staff accounts (added, a role changed, a leaver's
account closed), so that the pages that show such history have something to show.

Written through the service functions that make them in use (``cases.corrections``,
``staff.services``), so they are stored exactly as they would be, with auditlog's signals off
like the rest of the demo (loading is not audited; see ``demo.data``), then dated back to when
they would have happened.
"""

import random
from datetime import timedelta

from auditlog.context import disable_auditlog
from django.db import transaction

from cases import corrections
from cases.models import Case, Contact, Correction, Outcome
from cases.services import ContactDetails
from pps.models import Role, User
from staff import services as staff_services
from staff.models import AccountEvent

CONTACT_CORRECTIONS = [
    ("outcome", "Wrong outcome chosen: the parent was given advice, not only information"),
    ("duration", "Time spent typed wrongly"),
    ("notes", "The notes missed what was agreed"),
]
AGREED = " Agreed: the parent will send us the school's SEN support plan before the review."


def _details(contact: Contact, **changes) -> ContactDetails:
    details = ContactDetails(
        occurred_at=contact.occurred_at,
        channel=contact.channel,
        direction=contact.direction,
        duration_minutes=contact.duration_minutes,
        topics=list(contact.topics.all()),
        outcome=contact.outcome,
        person=contact.person,
    )
    for name, value in changes.items():
        setattr(details, name, value)
    return details


def _first(service, role):
    return User.objects.filter(service=service, role=role, is_active=True).order_by("username")[0]


def load_corrections(services, *, now, seed: int = 7) -> int:
    """For each service: three contacts corrected (outcome, time spent, notes), a parent's phone
    number corrected, and a contact moved from the case it was logged on to the right one.
    Returns the number of corrections and moves made."""
    rng = random.Random(seed)
    made = 0
    with disable_auditlog(), transaction.atomic():
        for service in services:
            senior = _first(service, Role.SENIOR_MANAGER)
            contacts = list(
                Contact.objects.filter(service=service, case__status=Case.Status.OPEN)
                .exclude(notes="")
                .select_related("case__parent", "outcome", "service")
                .order_by("-occurred_at")[:40]
            )
            if len(contacts) < 5:
                continue
            other_outcome = Outcome.objects.filter(service=service).exclude(name="Information given").first()
            chosen = rng.sample(contacts, len(CONTACT_CORRECTIONS) + 1)
            for contact, (kind, reason) in zip(chosen, CONTACT_CORRECTIONS, strict=False):
                details, notes = _details(contact), contact.notes
                if kind == "outcome" and other_outcome and other_outcome.pk != contact.outcome_id:
                    details = _details(contact, outcome=other_outcome)
                elif kind == "duration":
                    details = _details(contact, duration_minutes=contact.duration_minutes + 15)
                else:
                    notes = contact.notes + AGREED
                correction = corrections.correct_contact(
                    by=senior,
                    contact=contact,
                    details=details,
                    notes=notes,
                    follow_up_on=contact.follow_up_on,
                    reason=reason,
                )
                if correction:
                    Correction.objects.filter(pk=correction.pk).update(
                        at=min(now, contact.logged_at + timedelta(hours=rng.randint(2, 30)))
                    )
                    made += 1
            parent = chosen[0].case.parent
            phone = parent.phone
            if phone and phone[-1].isdigit():  # one digit typed wrongly; still a drama number
                parent.phone = f"{phone[:-1]}{(int(phone[-1]) + 1) % 10}"
                if corrections.correct_parent(by=senior, parent=parent, reason="Phone number typed wrongly"):
                    made += 1
            # Logged on the wrong one of its author's own cases, as it happens on a busy day: not
            # the first contact of the case it leaves, and onto a case opened before it, so that
            # both cases still begin with the call that opened them.
            moving = to_case = None
            for candidate in [chosen[-1], *(c for c in contacts if c not in chosen)]:
                if not Contact.objects.filter(
                    case_id=candidate.case_id, occurred_at__lt=candidate.occurred_at
                ).exists():
                    continue
                to_case = (
                    Case.objects.visible_to(candidate.logged_by)
                    .filter(service=service, status=Case.Status.OPEN, opened_at__lte=candidate.occurred_at)
                    .exclude(pk=candidate.case_id)
                    .order_by("reference")
                    .first()
                )
                if to_case is not None:
                    moving = candidate
                    break
            if to_case is not None:
                corrections.move_contact(
                    by=senior, contact=moving, to_case=to_case, reason="Logged on the wrong parent's case"
                )
                made += 1
    return made


def load_account_history(services, *, now, started) -> int:
    """For each service: every account's "Account added" (by the head of service, when the service
    started on the system), and a volunteer who became a caseworker and has since left (their
    account closed). Returns the number of account events."""
    before = AccountEvent.objects.count()
    with disable_auditlog(), transaction.atomic():
        for number, service in enumerate(services):
            head = _first(service, Role.HEAD_OF_SERVICE)
            members = list(User.objects.filter(service=service).order_by("username"))
            AccountEvent.objects.bulk_create(
                AccountEvent(member=member, kind=AccountEvent.Kind.ADDED, by=None if member == head else head)
                for member in members
            )
            prefix = head.username.split(".", 1)[0]
            leaver = User.objects.create_user(
                username=f"{prefix}.leaver",
                password=None,
                first_name=["Imogen", "Tobias", "Priya"][number % 3],
                last_name=["Farrant", "Okafor", "Lindqvist"][number % 3],
                email=f"leaver{number + 1}@example.org",
                service=service,
                role=Role.VOLUNTEER,
            )
            AccountEvent.objects.create(member=leaver, kind=AccountEvent.Kind.ADDED, by=head)
            staff_services.change_role(head, leaver, Role.CASEWORKER)
            staff_services.deactivate(head, leaver)
            # Dated back: the service's accounts when it started; the leaver's year with it.
            AccountEvent.objects.filter(member__service=service, kind=AccountEvent.Kind.ADDED).update(
                at=started
            )
            for kind, days_ago in (
                (AccountEvent.Kind.ROLE_CHANGED, 200),
                (AccountEvent.Kind.DEACTIVATED, 20),
            ):
                AccountEvent.objects.filter(member=leaver, kind=kind).update(
                    at=now - timedelta(days=days_ago)
                )
            User.objects.filter(pk=leaver.pk).update(date_joined=started)
    return AccountEvent.objects.count() - before
