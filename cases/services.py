"""Casework actions: every write to parents, children, cases and contacts happens here.

Views, management commands and tests all call these functions. Each is atomic, checks the rules
that apply, and leaves its trace in the audit log (through django-auditlog) and, where a person
would want to see it, on the case timeline.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from cases import access as cases_access
from cases import destruction, figures, keep_details, search
from cases.models import (
    Case,
    CaseEvent,
    Child,
    Contact,
    ContactChild,
    Outcome,
    Parent,
    ParentSearchToken,
    SeparatedParentsLink,
    Topic,
    new_case_reference,
)
from cases.search import fold, query_digests, stored_tokens
from pps import access, audit
from pps.audit import record_access
from pps.models import CASE_ROLES, SENIOR_ROLES

DEFAULT_TOPICS = [
    "EHC needs assessment",
    "EHC plan",
    "SEN support",
    "Exclusion",
    "Tribunal or appeal",
    "Transport",
    "Complaints",
    "Health and social care",
    "Admissions and school placement",
    "Annual review",
    "Mediation and disagreement resolution",
    "Attendance",
]
DEFAULT_OUTCOMES = [
    "Information given",
    "Advice given",
    "Signposted to another organisation",
    "Case opened for in-depth support",
    "Follow-up arranged",
    "Letter or email drafted with the parent",
    "Meeting attended with the parent",
    "No further action",
]

#: Longest a single contact can reasonably last, in minutes (a full day's tribunal).
MAX_CONTACT_MINUTES = 12 * 60


class CaseworkError(ValidationError):
    """A rule refused the action; the message says which and why, in the users' words."""


def seed_reference_data(service) -> None:
    """Give a new service the common IASS topics and outcomes (it can edit them afterwards)."""
    for position, name in enumerate(DEFAULT_TOPICS):
        Topic.objects.get_or_create(service=service, name=name, defaults={"position": position})
    for position, name in enumerate(DEFAULT_OUTCOMES):
        Outcome.objects.get_or_create(service=service, name=name, defaults={"position": position})


@dataclass
class ContactDetails:
    """What every contact records (R1): nothing personal."""

    occurred_at: "timezone.datetime"
    channel: str
    direction: str
    duration_minutes: int
    topics: list
    outcome: Outcome
    person: str = Contact.Person.PARENT


def _check_contact(by, details: ContactDetails) -> None:
    if details.occurred_at > timezone.now() + timezone.timedelta(minutes=5):
        raise CaseworkError("The date and time of the contact cannot be in the future.")
    if not 0 < details.duration_minutes <= MAX_CONTACT_MINUTES:
        raise CaseworkError("Time spent must be between 1 and 720 minutes.")
    if details.outcome.service_id != by.service_id:
        raise CaseworkError("Choose an outcome from your service's list.")
    if any(topic.service_id != by.service_id for topic in details.topics):
        raise CaseworkError("Choose topics from your service's list.")
    if not details.topics:
        raise CaseworkError("Choose at least one topic.")
    if details.person not in Contact.Person.values:
        raise CaseworkError(
            "Say who the contact was with: a parent or carer, a young person or a professional."
        )


def _save_contacts(*, by, logged: list[tuple]) -> list[Contact]:
    """Write checked contacts, each ``(case or None, details, extra fields)``, together: the
    contacts, their topics and the codes about their children in one statement each, their
    audit entries (a CREATE and the topics added, as single saves write) in one, and the
    statistics' counts once (``cases.figures``). One contact or five hundred, the same code."""
    contacts = [
        Contact(
            service_id=by.service_id if case is None else case.service_id,
            case=case,
            occurred_at=details.occurred_at,
            channel=details.channel,
            direction=details.direction,
            person=details.person,
            duration_minutes=details.duration_minutes,
            outcome=details.outcome,
            logged_by=by,
            **extra,
        )
        for case, details, extra in logged
    ]
    # As ``topics.set`` does: each topic once, the audit entry naming them in the list's order
    # (the database's, whose collation orders the names).
    chosen = {topic.pk: topic for _, details, _ in logged for topic in details.topics}
    positions = [topic.position for topic in chosen.values()]
    if len(set(positions)) == len(positions):  # no two at one place: the names' order never counts
        in_order = sorted(chosen, key=lambda pk: chosen[pk].position)
    else:
        in_order = Topic.objects.filter(pk__in=chosen).values_list("pk", flat=True)
    place = {pk: n for n, pk in enumerate(in_order)}
    topics = [
        sorted({topic.pk: topic for topic in details.topics}.values(), key=lambda topic: place[topic.pk])
        for _, details, _ in logged
    ]
    with audit.entries_written_together():
        Contact.objects.bulk_create(contacts)
        through = Contact.topics.through
        through.objects.bulk_create(
            through(contact_id=contact.pk, topic_id=topic.pk)
            for contact, chosen in zip(contacts, topics, strict=True)
            for topic in chosen
        )
        codes = _save_child_codes(contacts)
        for contact, chosen in zip(contacts, topics, strict=True):  # in a single save's order
            audit.created_together(Contact, [contact])
            audit.related_added_together(contact, "topics", chosen)
    figures.contacts_logged(
        (contact, [topic.pk for topic in details.topics], codes.get(contact.pk, []))
        for contact, (_, details, _) in zip(contacts, logged, strict=True)
    )
    return contacts


def _save_child_codes(contacts: list[Contact]) -> dict:
    """Store, in clear, the codes statistics count about the children each contact on a case was
    about (R15): school phase computed here from the date of birth (which stays encrypted), need
    and provision as they are today. Statistics then never decrypt anything. Returns the
    ``ContactChild`` rows of each contact, by its id."""
    on_cases = [contact for contact in contacts if contact.case_id is not None]
    if not on_cases:
        return {}
    children = defaultdict(list)
    parent_ids = {contact.case.parent_id for contact in on_cases}
    for child in Child.objects.filter(parent_id__in=parent_ids).order_by("created_at"):
        children[child.parent_id].append(child)
    keyed = set()
    codes = defaultdict(list)
    for contact in on_cases:
        case = contact.case
        if case.parent_id not in keyed:
            key = case.household_key()
            for child in children[case.parent_id]:
                child.use_household_key(key)
            keyed.add(case.parent_id)
        on = timezone.localdate(contact.occurred_at)
        for child in children[case.parent_id]:
            codes[contact.pk].append(
                ContactChild(
                    contact=contact,
                    child=child,
                    service_id=contact.service_id,
                    occurred_at=contact.occurred_at,
                    phase=ContactChild.phase_for(child.date_of_birth, on),
                    need=child.need,
                    provision=child.provision,
                )
            )
    ContactChild.objects.bulk_create([code for rows in codes.values() for code in rows])
    return codes


@transaction.atomic
def log_nng_contact(*, by, details: ContactDetails) -> Contact:
    """Log a contact from a parent who gave no name (R1): no personal record is made."""
    access.require_casework(by)
    if not by.service.nng_allowed:
        raise CaseworkError("Your service does not log contacts with no name given.")
    _check_contact(by, details)
    return _save_contacts(by=by, logged=[(None, details, {})])[0]


def _require_importer(by) -> None:
    """An import (``imported=True``) is run by staff its own app allowed (``imports.access``),
    a maintainer included: here only that they are active staff of a service."""
    if not (by is not None and by.is_authenticated and by.is_active and by.service_id):
        raise Http404


@dataclass
class CaseContact:
    """One contact to log on a case (``log_case_contacts``)."""

    case: Case
    details: ContactDetails
    notes: str = ""
    follow_up_on: date | None = None


def check_case_contact(
    *, by, case: Case, details: ContactDetails, follow_up_on: date | None = None, imported: bool = False
) -> None:
    """Raise ``CaseworkError`` unless ``by`` may log this contact on ``case`` now: the rules of
    ``log_case_contact``, which calls this (so does ``log_case_contacts``, for each contact).
    A caller gathering contacts to log together checks each as it comes with this, to refuse
    one without losing the others."""
    _require_may_work_on(by, case, imported)
    _check_case_contact(by, case, details, follow_up_on, imported)


def _require_may_work_on(by, case: Case, imported: bool) -> None:
    """``by`` may log on or close ``case``: they reach it, or (``imported``) they import their
    service's records. The page that calls this fetched the case (and recorded the read) already."""
    if imported:
        _require_importer(by)
        if case.service_id != by.service_id:
            raise CaseworkError("That case is not one of your service's.")
    else:
        cases_access.require_case(by, case)


def _check_case_contact(by, case: Case, details: ContactDetails, follow_up_on, imported: bool) -> None:
    if not case.is_open and not imported:
        raise CaseworkError(
            f"Case {case.reference} is closed: reopen it, with the reason, before logging a contact on it."
        )
    _check_contact(by, details)
    if follow_up_on and follow_up_on < details.occurred_at.date():
        raise CaseworkError("The follow-up date cannot be before the contact.")


@transaction.atomic
def log_case_contact(
    *,
    by,
    case: Case,
    details: ContactDetails,
    notes: str = "",
    follow_up_on: date | None = None,
    imported: bool = False,
    carrying: Contact | None = None,
) -> Contact:
    """Log a call, email, letter or meeting on an open case ``by`` works on. A closed case takes
    no new contact until it is reopened, with its reason (``reopen_case``). An ``imported``
    contact (a past one, from an old system) may also go on a case closed since.

    ``carrying``: a call ``by`` logged with no name given (NNG) before the parent agreed to
    their details being kept (``cases.access.calls_to_carry``). That same contact moves onto
    the case with ``details``, ``notes`` and ``follow_up_on``, rather than a copy being made:
    one call is counted once in statistics (as a case contact, no longer NNG), and the audit
    log shows the contact's change (onto this case, by whom, when) against the original entry.
    """
    check_case_contact(by=by, case=case, details=details, follow_up_on=follow_up_on, imported=imported)
    if carrying is None:
        extra = {"notes": notes, "follow_up_on": follow_up_on}
        return _save_contacts(by=by, logged=[(case, details, extra)])[0]
    return _carry_onto_case(
        by=by, case=case, call=carrying, details=details, notes=notes, follow_up_on=follow_up_on
    )


@transaction.atomic
def log_case_contacts(*, by, contacts: list[CaseContact], imported: bool = False) -> list[Contact]:
    """Log many contacts at once, on one case or several (an import's batch): each is checked
    as ``log_case_contact`` checks it (``check_case_contact``) and all are saved, or none if
    one is refused. They are written together: the same records, audit entries and statistics
    as logging them one by one in order, in a few statements rather than some for each."""
    for case in {item.case.pk: item.case for item in contacts}.values():
        _require_may_work_on(by, case, imported)  # once a case: it is the case that ``by`` may reach
    for item in contacts:
        _check_case_contact(by, item.case, item.details, item.follow_up_on, imported)
    logged = [
        (item.case, item.details, {"notes": item.notes, "follow_up_on": item.follow_up_on})
        for item in contacts
    ]
    return _save_contacts(by=by, logged=logged) if logged else []


def _carry_onto_case(*, by, case: Case, call: Contact, details: ContactDetails, notes: str, follow_up_on):
    call = Contact.objects.select_for_update().get(pk=call.pk)  # two tabs cannot both move it
    if call.case_id is not None or call.logged_by_id != by.pk or call.service_id != case.service_id:
        raise CaseworkError("That call is already on a case, or is not one you logged with no name given.")
    call.case = case
    call.occurred_at = details.occurred_at
    call.channel = details.channel
    call.direction = details.direction
    call.person = details.person
    call.duration_minutes = details.duration_minutes
    call.outcome = details.outcome
    call.notes = notes
    call.follow_up_on = follow_up_on
    call.save()
    call.topics.set(details.topics)
    _save_child_codes([call])
    return call


def simple_message(by) -> str:
    """The message to leave for a parent who may be left only a simple one (R16, policy 002):
    who called, from where, and the number to call back. The number is always the service's
    office number, never a member of staff's own (volunteers' details are never given to parents)."""
    service = by.service
    name = by.first_name or by.display_name
    call_back = f" Please call us back on {service.phone}." if service.phone else " Please call us back."
    return f"Hello, this is {name} from {service.name}.{call_back}"


@transaction.atomic
def mark_follow_up_done(*, by, contact: Contact) -> None:
    if contact.case_id is None:
        raise CaseworkError("Only contacts on a case have follow-ups.")
    access.require_reach(Contact.objects.visible_to(by), contact)
    contact.follow_up_done = True
    contact.save(update_fields=["follow_up_done"])


@transaction.atomic
def undo_follow_up_done(*, by, contact: Contact) -> None:
    """A follow-up marked done by mistake is due again."""
    if contact.case_id is None:
        raise CaseworkError("Only contacts on a case have follow-ups.")
    access.require_reach(Contact.objects.visible_to(by), contact)
    contact.follow_up_done = False
    contact.save(update_fields=["follow_up_done"])


def _refresh_search_tokens(parent: Parent) -> None:
    ParentSearchToken.objects.filter(parent=parent).delete()
    ParentSearchToken.objects.bulk_create(
        ParentSearchToken(parent=parent, service_id=parent.service_id, kind=kind, value=value)
        for kind, value in sorted(stored_tokens(parent))
    )


def _check_parent(parent: Parent) -> None:
    if parent.parental_responsibility != Parent.ParentalResponsibility.YES:
        raise CaseworkError(
            "In-depth support is only for parents with parental responsibility. Give general "
            "information and log the contact with no name given."
        )
    if parent.preferred_contact == Parent.PreferredContact.PHONE and not parent.phone:
        raise CaseworkError("Give a phone number, as phone is the preferred way of contact.")
    if parent.preferred_contact == Parent.PreferredContact.TEXT and not parent.phone:
        raise CaseworkError("Give a phone number, as text message is the preferred way of contact.")
    if parent.preferred_contact == Parent.PreferredContact.EMAIL and not parent.email:
        raise CaseworkError("Give an email address, as email is the preferred way of contact.")
    if parent.preferred_contact == Parent.PreferredContact.LETTER and not parent.address:
        raise CaseworkError("Give an address, as letter is the preferred way of contact.")


def _check_child(child: Child) -> None:
    if child.date_of_birth and child.date_of_birth > timezone.localdate():
        raise CaseworkError("A child's date of birth cannot be in the future.")
    if child.date_of_birth and child.date_of_birth.year < timezone.localdate().year - 30:
        raise CaseworkError(
            "Check the child's date of birth: support is for children and young people up to 25."
        )


@transaction.atomic
def register_parent(
    *,
    by,
    consent_confirmed: bool,
    consent_method: str,
    parent: Parent,
    children: list[Child],
    case_summary: str,
    imported: bool = False,
    opened_at=None,
) -> Case:
    """Save a parent who wants in-depth help, their children, and open their first case.

    R2: the parent must have been told why details are kept and have agreed; the consent (how,
    when, by whom, what they were told) is recorded before anything else is saved. Without it,
    nothing is saved and the contact stays NNG.

    An ``imported`` parent comes from an old system's records: when that system recorded no
    consent to keep details, the parent is saved all the same (the records exist already) and the
    case is flagged ``consent_not_recorded``, so the caseworker records it at the next contact.

    One parent is a batch of one: ``register_parents`` holds the rules and the writes.
    """
    registration = Registration(
        parent=parent,
        children=list(children),
        case_summary=case_summary,
        consent_method=consent_method if consent_confirmed else "",
        opened_at=opened_at,
    )
    return register_parents(by=by, registrations=[registration], imported=imported)[0]


@dataclass
class Registration:
    """One parent to register with ``register_parents``, as ``register_parent`` takes them: the
    unsaved parent and children, the consent to keep details (its method; "" when an imported
    parent's old system recorded none) and the first case's summary. An ``imported`` case keeps
    the old system's dates: ``opened_at`` and, if that system closed it, ``closed_at`` with the
    ``closed_reason``. ``check_registration`` builds the unsaved ``case``."""

    parent: Parent
    children: list
    case_summary: str
    consent_method: str = ""
    opened_at: "timezone.datetime | None" = None
    closed_at: "timezone.datetime | None" = None
    closed_reason: str = ""
    case: Case | None = None


def check_registration(*, by, registration: Registration, imported: bool = False) -> Case:
    """Raise ``CaseworkError`` unless ``register_parents`` would save ``registration``: the rules
    of ``register_parent`` and ``open_case`` (and ``close_case`` for an imported closed case).
    Builds its unsaved case (with its id), so contacts can be checked and gathered for it before
    it is saved. A caller gathering registrations checks each as it comes, to refuse one
    without losing the others."""
    if imported:
        _require_importer(by)
    else:
        access.require_casework(by)
        registration.opened_at = registration.closed_at = None
        registration.closed_reason = ""
    if not registration.consent_method and not imported:
        raise CaseworkError(
            "Record that the parent was told why we keep information and agreed, or log the "
            "contact with no name given."
        )
    parent = registration.parent
    parent.service = by.service
    parent.created_by = by
    _check_parent(parent)
    for child in registration.children:
        _check_child(child)
    if not registration.case_summary.strip():
        raise CaseworkError("Say what the parent needs help with.")
    if registration.closed_at is not None and not registration.closed_reason.strip():
        raise CaseworkError("Give a reason for closing the case.")
    if registration.case is None:  # built once: contacts may be gathered for it already
        registration.case = Case(
            service=parent.service,
            parent=parent,
            summary=registration.case_summary,
            opened_by=by,
            reference="",  # chosen when saved (``_free_case_references``)
            opened_at=registration.opened_at or timezone.now(),
            consent_not_recorded=imported and not registration.consent_method,
        )
    if registration.closed_at is not None:
        registration.case.status = Case.Status.CLOSED
        registration.case.closed_at = registration.closed_at
    return registration.case


def _free_case_references(count: int) -> list[str]:
    """``count`` different random case references not yet used, in a query or two."""
    chosen: set = set()
    while len(chosen) < count:
        wanted = {new_case_reference() for _ in range(count - len(chosen))} - chosen
        taken = set(Case.objects.filter(reference__in=wanted).values_list("reference", flat=True))
        chosen |= wanted - taken
    return list(chosen)


@transaction.atomic
def register_parents(*, by, registrations: list[Registration], imported: bool = False) -> list[Case]:
    """Register many parents at once (an import's batch): each checked as ``register_parent``
    checks it (``check_registration``), and all saved, or none if one is refused. They are
    written together: the same records and audit entries (one per record) as registering them
    one by one, in a few statements for the lot: parents, consents, children, search index,
    cases and their "opened" (and "closed") events. An imported case the old system closed is
    saved closed, with its closing event. Returns each registration's case, saved."""
    for registration in registrations:
        check_registration(by=by, registration=registration, imported=imported)
    if not registrations:
        return []
    parents = [registration.parent for registration in registrations]
    cases = [registration.case for registration in registrations]
    for case, reference in zip(cases, _free_case_references(len(cases)), strict=True):
        case.reference = reference
    children = []
    for registration in registrations:
        for child in registration.children:
            child.parent = registration.parent
            children.append(child)
    events = [
        CaseEvent(case=case, kind=CaseEvent.Kind.OPENED, by=by, at=case.opened_at) for case in cases
    ] + [
        CaseEvent(
            case=registration.case,
            kind=CaseEvent.Kind.CLOSED,
            reason=registration.closed_reason,
            by=by,
            at=registration.case.closed_at,
        )
        for registration in registrations
        if registration.case.closed_at is not None
    ]
    with audit.entries_written_together():
        Parent.objects.bulk_create(parents)
        audit.created_together(Parent, parents)
        consenting = [r for r in registrations if r.consent_method]
        if consenting:
            keep_details.record_many(
                by=by,
                parents_and_methods=[(r.parent, r.consent_method) for r in consenting],
                parent_was_told=by.service.why_we_keep_statement,
            )
        Child.objects.bulk_create(children)
        audit.created_together(Child, children)
        ParentSearchToken.objects.bulk_create(
            ParentSearchToken(parent=parent, service_id=parent.service_id, kind=kind, value=value)
            for parent in parents
            for kind, value in sorted(stored_tokens(parent))
        )
        with figures.cases_added(cases):
            Case.objects.bulk_create(cases)
        audit.created_together(Case, cases)
        if by.role in CASE_ROLES:
            cases_access.assign_to_cases(by, cases)
        CaseEvent.objects.bulk_create(events)
        audit.created_together(CaseEvent, events)
    return cases


class EditConflict(CaseworkError):
    """Someone else saved a change to the record since the version an edit was based on."""

    def __init__(self, current):
        self.current = current
        super().__init__(
            "Someone else changed these details while you were editing. What they saved is listed "
            "under “What is saved now”; your answers are kept. Check them, then save again"
        )


def _next_version(record, based_on: int | None) -> None:
    """Locks the record's row and checks it is still at ``based_on`` (None: no check, e.g. a
    command); the record then saves as the next version."""
    current = type(record).objects.select_for_update().get(pk=record.pk)
    if based_on is not None and current.version != based_on:
        raise EditConflict(current)
    record.version = current.version + 1


@transaction.atomic
def update_parent(*, by, parent: Parent, based_on: int | None = None) -> Parent:
    """Save changes to a parent's details.

    ``based_on`` is the version the person started editing from: if someone else saved a change
    since, nothing is saved and ``EditConflict`` holds the record as it is now (checked under a
    row lock, so two saves from the same version cannot both pass)."""
    access.require_reach(Parent.objects.visible_to(by), parent)
    _check_parent(parent)
    _next_version(parent, based_on)
    parent.save()
    _refresh_search_tokens(parent)
    return parent


@transaction.atomic
def add_child(*, by, parent: Parent, child: Child, imported: bool = False) -> Child:
    if imported:
        _require_importer(by)
        if parent.service_id != by.service_id:
            raise CaseworkError("That parent is not one of your service's.")
    else:
        access.require_reach(Parent.objects.visible_to(by), parent)
    _check_child(child)
    child.parent = parent
    child.save()
    return child


@transaction.atomic
def update_child(*, by, child: Child, based_on: int | None = None) -> Child:
    """Save changes to a child's details; ``based_on`` as for ``update_parent``."""
    access.require_reach(Parent.objects.visible_to(by), child.parent)
    _check_child(child)
    _next_version(child, based_on)
    child.save()
    return child


def _free_case_reference() -> str:
    """A random case reference not yet used (clashes become likely at tens of thousands)."""
    while True:
        reference = new_case_reference()
        if not Case.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def open_case(
    *, by, parent: Parent, summary: str, imported: bool = False, opened_at=None, consent_not_recorded=False
) -> Case:
    """Open a case for ``parent``; a caseworker or volunteer who opens it is assigned to it.

    An ``imported`` case keeps the date the old system opened it (``opened_at``)."""
    if imported:
        _require_importer(by)
    else:
        access.require_casework(by)
        opened_at = consent_not_recorded = None
    if parent.service_id != by.service_id:
        raise CaseworkError("That parent is not one of your service's.")
    if not summary.strip():
        raise CaseworkError("Say what the parent needs help with.")
    case = Case(
        service=parent.service,
        parent=parent,
        summary=summary,
        opened_by=by,
        reference=_free_case_reference(),
        opened_at=opened_at or timezone.now(),
        consent_not_recorded=bool(consent_not_recorded),
    )
    with figures.case_changes(case, new=True):
        case.save(force_insert=True)
    if by.role in CASE_ROLES:
        cases_access.assign_to_case(by, case)
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OPENED, by=by, at=case.opened_at)
    return case


@transaction.atomic
def close_case(*, by, case: Case, reason: str, imported: bool = False, closed_at=None) -> Case:
    """Close a case; an ``imported`` one keeps the date the old system closed it (``closed_at``)."""
    _require_may_work_on(by, case, imported)
    if not imported:
        closed_at = None
    if not case.is_open:
        raise CaseworkError("This case is already closed.")
    if not reason.strip():
        raise CaseworkError("Give a reason for closing the case.")
    with figures.case_changes(case):
        case.status = Case.Status.CLOSED
        case.closed_at = closed_at or timezone.now()
        case.save(update_fields=["status", "closed_at"])
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CLOSED, reason=reason, by=by, at=case.closed_at)
    return case


@transaction.atomic
def update_imported_case(
    *, by, case: Case, summary: str, opened_at=None, closed_at=None, closed_reason: str = ""
) -> Case:
    """Give an open imported case what the old system recorded of it: its summary, the date it
    was opened (``None``: unchanged) and, if that system closed it, ``closed_at`` with the
    ``closed_reason`` (closed as ``close_case`` closes it). An import that opened a parent's
    first case from a file of parents calls this when a later file of cases brings that case.
    The "opened" event on the case's timeline moves with the date; statistics follow."""
    _require_may_work_on(by, case, imported=True)
    if not case.is_open:
        raise CaseworkError("This case is closed: it can no longer be updated from the old system.")
    if not summary.strip():
        raise CaseworkError("Say what the parent needs help with.")
    opened_at = opened_at or case.opened_at
    if closed_at is not None:
        if not closed_reason.strip():
            raise CaseworkError("Give a reason for closing the case.")
        if closed_at < opened_at:
            raise CaseworkError("The case cannot be closed before it was opened.")
    moved = opened_at != case.opened_at
    with figures.case_changes(case):
        case.summary = summary
        case.opened_at = opened_at
        fields = ["summary", "opened_at"]
        if closed_at is not None:
            case.status = Case.Status.CLOSED
            case.closed_at = closed_at
            fields += ["status", "closed_at"]
        case.save(update_fields=fields)
    if moved:
        for event in CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.OPENED):
            event.case = case
            event.at = opened_at
            event.save(update_fields=["at"])
    if closed_at is not None:
        CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.CLOSED, reason=closed_reason, by=by, at=closed_at
        )
    return case


@transaction.atomic
def reopen_case(*, by, case: Case, reason: str) -> Case:
    cases_access.require_case(by, case)
    if case.is_open:
        raise CaseworkError("This case is already open.")
    if not reason.strip():
        raise CaseworkError("Give a reason for reopening the case.")
    with figures.case_changes(case):
        case.status = Case.Status.OPEN
        case.closed_at = None
        case.save(update_fields=["status", "closed_at"])
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.REOPENED, reason=reason, by=by)
    return case


#: Stands in for "no parent" in a lookup, so that the lookup's query still runs: a search that
#: finds nothing does the same work as one that finds something.
NO_PARENT = uuid.UUID(int=0)


def _attach_prefetched(parents, name: str, rows, parent_id) -> None:
    """Gives each parent ``rows`` as its prefetched ``name`` (as ``prefetch_related`` does)."""
    by_parent = defaultdict(list)
    for row in rows:
        by_parent[parent_id(row)].append(row)
    for parent in parents:
        for row in by_parent[parent.pk]:
            row.parent = parent  # as prefetch_related does: no query for the household key
        related = getattr(parent, name).all()
        related._result_cache = by_parent[parent.pk]
        related._prefetch_done = True
        parent._prefetched_objects_cache = {**getattr(parent, "_prefetched_objects_cache", {}), name: related}


@transaction.atomic
def set_case_codes(*, by, case: Case, intervention_level: str, referral_source: str) -> Case:
    """Set the case's intervention level and referral source, the codes statistics count (R15).

    Anyone working on the case may; ``case`` is the record the view fetched. Each change is a
    case event on the timeline, holding the new code.
    """
    if not Case.objects.visible_to(by).filter(pk=case.pk).exists():
        raise CaseworkError("You do not work on this case.")
    if intervention_level not in Case.InterventionLevel.values:
        raise CaseworkError("Choose an intervention level from the list.")
    if referral_source not in Case.ReferralSource.values:
        raise CaseworkError("Choose who referred the parent from the list.")
    changed = []
    if intervention_level != case.intervention_level:
        case.intervention_level = intervention_level
        changed.append("intervention_level")
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.LEVEL, code=intervention_level, by=by)
    if referral_source != case.referral_source:
        case.referral_source = referral_source
        changed.append("referral_source")
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.SOURCE, code=referral_source, by=by)
    if changed:
        with figures.case_changes(case):
            case.save(update_fields=changed)
    return case


def find_parents(user, query: str, *, limit: int = search.MAX_RESULTS, record: bool = True) -> list[Parent]:
    """Parents ``user`` may reach that match ``query`` (name, phone, email or postcode).

    Only reachable parents are ever matched, so a search reveals nothing about others: the
    token index is read only for parents ``user`` may reach (one query, the tokens and the
    reach together), and the same queries run whether anything matched or not, so that neither
    the answer nor the time it takes depends on records ``user`` cannot reach. Every parent
    shown is recorded in the audit log. At most ``limit`` are shown, and only that many (plus
    one) are fetched and decrypted; the answer says whether more matched (``search.Matches``).
    """
    tokens = query_digests(query)
    if not tokens:  # depends on what was typed only
        return search.Matches([], limit=limit)
    reachable = Parent.objects.visible_to(user)
    wanted = Q()
    for kind, value in tokens:
        wanted |= Q(kind=kind, value=value)
    if user.role in SENIOR_ROLES:
        # Everyone of the service is reachable: the index leading with the service finds them.
        scope = Q(service_id=user.service_id, parent_id__in=reachable.values("pk"))
    else:
        # Only the parents of one's own cases: probe each of them (the index on parent, kind and
        # value), so that colleagues' parents holding the token cost nothing either.
        scope = Q(parent_id__in=list(reachable.values_list("pk", flat=True)) or [NO_PARENT])
    holding_every_token = (
        ParentSearchToken.objects.filter(wanted, scope)
        .values("parent_id")
        .annotate(held=Count("value", distinct=True))
        .filter(held=len(tokens))
        .values("parent_id")
    )
    first = search.first_matches(holding_every_token, limit)  # before any parent is fetched
    found = search.Matches(list(reachable.filter(pk__in=first).order_by()), limit=limit)
    ids = [parent.pk for parent in found] or [NO_PARENT]
    children = Child.objects.filter(parent_id__in=ids)
    open_cases = Case.objects.visible_to(user).open().filter(parent_id__in=ids)
    _attach_prefetched(found, "children", children, lambda child: child.parent_id)
    cases_of = defaultdict(list)
    for case in open_cases:
        cases_of[case.parent_id].append(case)
    for parent in found:
        for case in cases_of[parent.pk]:
            case.parent = parent
        parent.open_cases = cases_of[parent.pk]
    found.sort(key=lambda parent: (fold(parent.last_name), fold(parent.first_name)))
    if record:
        record_access(user, found, how="search")
    return found


def possible_duplicates(user, parent: Parent) -> list[Parent]:
    """Reachable parents who may be the person about to be saved: same name, phone or email."""
    candidates: dict = {}
    for probe in (f"{parent.first_name} {parent.last_name}", parent.phone, parent.email):
        if probe and probe.strip():
            for found in find_parents(user, probe, limit=10, record=False):
                candidates[found.pk] = found
    shown = list(candidates.values())
    record_access(user, shown, how="possible duplicates")
    return shown


@transaction.atomic
def add_reference_item(*, by, model, name: str):
    """Add a topic or outcome to ``by``'s service's list."""
    access.require_senior(by)
    name = " ".join(name.split())
    if model.objects.filter(service=by.service, name__iexact=name).exists():
        raise CaseworkError("That is already on the list.")
    return model.objects.create(service=by.service, name=name)


@transaction.atomic
def set_reference_item_active(*, by, item, active: bool) -> None:
    """Retire a topic or outcome (past contacts keep it) or bring it back."""
    access.require_senior(by)
    if item.service_id != by.service_id:
        raise CaseworkError("That is not on your service's list.")
    item.is_active = active
    item.save(update_fields=["is_active"])


@transaction.atomic
def assign_staff(*, by, case: Case, staff) -> None:
    """Put a caseworker or volunteer on a case (senior staff only); effective at once.

    R5: nobody works on both separated parents' cases.
    """
    access.require_senior(by)
    cases_access.require_case(by, case)
    if staff.service_id != case.service_id or staff.role not in CASE_ROLES or not staff.is_active:
        raise CaseworkError("Only caseworkers and volunteers of this service can be put on a case.")
    if cases_access.staff_on_case(case).filter(pk=staff.pk).exists():
        raise CaseworkError(f"{staff.display_name} is already on this case.")
    if (
        cases_access.staff_on_case_queryset(cases_access.separated_parent_cases(case))
        .filter(pk=staff.pk)
        .exists()
    ):
        raise CaseworkError(
            f"{staff.display_name} works with the other parent of the same child. Separated parents "
            "have separate caseworkers, so that nothing from one reaches the other."
        )
    cases_access.assign_to_case(staff, case)
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.ASSIGNED, staff=staff, by=by)


@transaction.atomic
def unassign_staff(*, by, case: Case, staff) -> None:
    """Take someone off a case (senior staff only); they lose access at once."""
    access.require_senior(by)
    cases_access.require_case(by, case)
    if not cases_access.staff_on_case(case).filter(pk=staff.pk).exists():
        raise CaseworkError(f"{staff.display_name} is not on this case.")
    cases_access.unassign_from_case(staff, case)
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.UNASSIGNED, staff=staff, by=by)


@transaction.atomic
def link_separated_parents(*, by, case: Case, other: Case) -> SeparatedParentsLink:
    """Record that two cases are the two separated parents of the same child (R5).

    Senior staff only; refused while anyone works on both, and within one service only.
    """
    access.require_senior(by)
    cases_access.require_case(by, case)
    cases_access.require_case(by, other)
    if case.pk == other.pk:
        raise CaseworkError("Choose the other parent's case, not this one.")
    if case.parent_id == other.parent_id:
        raise CaseworkError("Both cases belong to the same parent.")
    if other in cases_access.separated_parent_cases(case):
        raise CaseworkError("These cases are already linked.")
    shared = cases_access.staff_on_case(case).filter(pk__in=cases_access.staff_on_case(other).values("pk"))
    if shared.exists():
        names = ", ".join(member.display_name for member in shared)
        raise CaseworkError(
            f"{names} works on both cases. Separated parents have separate caseworkers: take them "
            "off one of the cases first."
        )
    first, second = sorted([case, other], key=lambda c: str(c.pk))
    return SeparatedParentsLink.objects.create(first=first, second=second, linked_by=by)


@transaction.atomic
def destroy_household(*, by, parent: Parent) -> None:
    """Destroy a parent's data key and search entries: everything encrypted about the parent and
    their children, cases, contacts and consents becomes unreadable for good (R13).

    Head of service or senior manager only. The rows stay (ids, dates, counts for statistics);
    their content cannot be recovered by anyone, from this database or a copy of it once the
    master keys of the time are retired (see README, "Encryption at rest").
    """
    access.require_senior(by)
    parent = cases_access.get_parent_for_user(by, parent.pk, how="destroy household")
    ParentSearchToken.objects.filter(parent=parent).delete()
    for case in Case.objects.filter(parent=parent).exclude(status=Case.Status.DESTROYED):
        with figures.case_changes(case):
            case.status = Case.Status.DESTROYED
            case.save(update_fields=["status"])
    parent.data_key = ""
    parent.save(update_fields=["data_key"])
    destruction.destroyed(parent)
