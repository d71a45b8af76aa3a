"""Correcting mistakes: a contact, a parent's details or a child's, and a contact logged on the
wrong case. A parent's right to have inaccurate data corrected (UK GDPR article 16) needs this.

Who may correct what:

- A contact on a case: the member of staff who logged it, while they still work on the case and
  for ``Service.contact_correction_days`` days after logging it (14 by default, set on the
  service's settings page); senior managers and the head of service of the service, at any time.
- A parent's details or a child's: anyone who works on one of the parent's cases, and senior
  staff (details change as families' lives do, and whoever takes the call keeps them current).
- Moving a contact to another case of the service: senior managers and the head of service
  only, who must reach both cases; the case it goes to must be open. Both cases' timelines say
  so, with the reason.
- Contacts with no name given (NNG) hold nothing personal and have no history to keep: they are
  not corrected here.

Every correction asks why, and keeps the earlier version (who, when, why, the earlier values) as
a ``cases.Correction``, encrypted with the household's key like the record itself. The record
then shows "Corrected" with its history. The audit log has the change itself (the record's
UPDATE entry, personal fields masked) and one ACCESS entry for the record, written by the page.
"""

import json

from django.db import transaction
from django.utils import timezone

from cases import access as cases_access
from cases.case_page import has_records
from cases.models import Case, CaseEvent, Child, Contact, ContactChild, Correction, Parent
from cases.services import (
    CaseworkError,
    ContactDetails,
    _check_contact,
    _save_child_codes,
    update_child,
    update_parent,
)
from pps import access


def may_correct_contact(user, contact: Contact) -> bool:
    """May ``user`` correct ``contact``? (Rules in the module's docstring.)"""
    if contact.case_id is None:
        return False
    if not Contact.objects.visible_to(user).filter(pk=contact.pk).exists():
        return False
    if user.is_senior:
        return True
    if contact.logged_by_id != user.pk:
        return False
    days = contact.service.contact_correction_days
    return timezone.now() - contact.logged_at <= timezone.timedelta(days=days)


def with_history(user, case, contacts) -> None:
    """For a case page: gives each contact (of ``case``, which ``user`` reaches) its corrections
    (``history``, newest first) and whether ``user`` may correct or move it, in one query."""
    history: dict = {}
    if contacts and has_records(user, case, "corrections"):  # most cases have none
        key = case.household_key()
        corrections = Correction.objects.filter(contact__in=[c.pk for c in contacts]).select_related("by")
        for correction in corrections:
            correction.use_household_key(key)
            history.setdefault(correction.contact_id, []).append(correction)
    window = timezone.timedelta(days=case.service.contact_correction_days)
    now = timezone.now()
    for contact in contacts:
        contact.history = history.get(contact.pk, [])
        contact.may_correct = user.is_senior or (
            contact.logged_by_id == user.pk and now - contact.logged_at <= window
        )
        contact.may_move = user.is_senior


def history_of(parent) -> dict:
    """For a parent's page: the corrections of the parent's details (key ``None``) and of each
    child's (key: the child's id), newest first, in one query."""
    key = parent.household_key()
    history: dict = {}
    for correction in parent.corrections.exclude(kind=Correction.Kind.CONTACT).select_related("by"):
        correction.use_household_key(key)
        history.setdefault(correction.child_id, []).append(correction)
    return history


def may_move_contact(user, contact: Contact) -> bool:
    """May ``user`` move ``contact`` to another case? Senior staff who reach it, for contacts on
    a case."""
    return (
        contact.case_id is not None
        and user.is_senior
        and Contact.objects.visible_to(user).filter(pk=contact.pk).exists()
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CaseworkError("Say why the details are being corrected.")
    return reason


def _shown(value) -> str:
    if value in (None, ""):
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime"):
        return value.strftime("%-d %B %Y") if not hasattr(value, "hour") else f"{value:%-d %B %Y, %H:%M}"
    return str(value)


def _field_value(record, name):
    display = getattr(record, f"get_{name}_display", None)
    return display() if display else getattr(record, name)


def _keep_earlier(*, by, kind, household: Parent, earlier, reason, child=None, contact=None) -> Correction:
    """Store the earlier version: ``earlier`` is ``[(field name, label, value as shown)]``."""
    correction = Correction(
        kind=kind,
        parent=household,
        child=child,
        contact=contact,
        fields=[name for name, _, _ in earlier],
        earlier=json.dumps([[label, shown] for _, label, shown in earlier]),
        reason=reason,
        by=by,
    )
    correction.use_household_key(household.household_key())
    correction.save()
    return correction


def _differences(before, after, labels: dict[str, str]) -> list[tuple[str, str, str]]:
    changed = []
    for name, label in labels.items():
        old, new = _field_value(before, name), _field_value(after, name)
        if isinstance(old, str) and isinstance(new, str):
            same = " ".join(old.split()) == " ".join(new.split())
        else:
            same = old == new
        if not same:
            changed.append((name, label, _shown(old)))
    return changed


def _labels(model, names) -> dict[str, str]:
    labels = {}
    for name in names:
        label = str(model._meta.get_field(name).verbose_name)
        labels[name] = label[:1].upper() + label[1:]
    return labels


PARENT_FIELDS = [
    "first_name",
    "last_name",
    "phone",
    "email",
    "address",
    "postcode",
    "preferred_contact",
    "detailed_message_ok",
    "parental_responsibility",
]
CHILD_FIELDS = ["first_name", "last_name", "date_of_birth", "school", "need", "provision"]


@transaction.atomic
def correct_parent(*, by, parent: Parent, reason: str, based_on: int | None = None) -> Correction | None:
    """Save ``parent`` (changed in memory by the caller) as a correction: the earlier version is
    kept with who, when and why. ``based_on`` as for ``cases.services.update_parent`` (a change
    saved meanwhile by someone else is never overwritten unseen). None if nothing changed."""
    reason = _reason(reason)
    access.require_reach(Parent.objects.visible_to(by), parent)
    saved = Parent.objects.get(pk=parent.pk)
    saved.use_household_key(parent.household_key())
    update_parent(by=by, parent=parent, based_on=based_on)
    earlier = _differences(saved, parent, _labels(Parent, PARENT_FIELDS))
    if not earlier:
        return None
    return _keep_earlier(by=by, kind=Correction.Kind.PARENT, household=parent, earlier=earlier, reason=reason)


@transaction.atomic
def correct_child(*, by, child: Child, reason: str, based_on: int | None = None) -> Correction | None:
    """As ``correct_parent``, for a child's details."""
    reason = _reason(reason)
    access.require_reach(Parent.objects.visible_to(by), child.parent)
    saved = Child.objects.get(pk=child.pk)
    saved.use_household_key(child.household_key())
    update_child(by=by, child=child, based_on=based_on)
    earlier = _differences(saved, child, _labels(Child, CHILD_FIELDS))
    if not earlier:
        return None
    household = child.parent
    return _keep_earlier(
        by=by, kind=Correction.Kind.CHILD, household=household, earlier=earlier, reason=reason, child=child
    )


def _contact_values(contact: Contact, topics) -> dict[str, tuple[str, str]]:
    """The contact's answers as shown, by field: (label, value)."""
    return {
        "occurred_at": ("Date and time", _shown(timezone.localtime(contact.occurred_at))),
        "channel": ("How the contact happened", contact.get_channel_display()),
        "direction": ("Who made the contact", contact.get_direction_display()),
        "person": ("Who the contact was with", contact.get_person_display()),
        "duration_minutes": ("Time spent (minutes)", str(contact.duration_minutes)),
        "topics": ("Topics", ", ".join(sorted(topic.name for topic in topics)) or "(none)"),
        "notes": ("Notes", _shown(contact.notes)),
        "outcome": ("Outcome", contact.outcome.name),
        "follow_up_on": ("Follow-up date", _shown(contact.follow_up_on)),
    }


def correction_refusal(user, contact: Contact) -> str:
    """Why ``user`` may not correct ``contact``, in the users' words ("" if they may)."""
    if may_correct_contact(user, contact):
        return ""
    if contact.logged_by_id == user.pk and contact.case_id is not None:
        return (
            f"Contacts can be corrected by the person who logged them for "
            f"{contact.service.contact_correction_days} days. Ask a senior manager to correct this one."
        )
    return "Only the person who logged this contact, or a senior manager, may correct it."


@transaction.atomic
def correct_contact(
    *, by, contact: Contact, details: ContactDetails, notes: str, follow_up_on, reason: str
) -> Correction | None:
    """Correct a contact on a case (rules in the module's docstring): the earlier version is kept
    with who, when and why. ``contact`` is the record the page fetched (and whose read it
    recorded). None if nothing changed (nothing is saved)."""
    reason = _reason(reason)
    contact = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("case__parent", "service", "outcome")
        .get(pk=contact.pk)
    )
    if refusal := correction_refusal(by, contact):
        raise CaseworkError(refusal)
    _check_contact(by, details)
    if follow_up_on and follow_up_on < timezone.localdate(details.occurred_at):
        raise CaseworkError("The follow-up date cannot be before the contact.")
    before = _contact_values(contact, contact.topics.all())
    contact.occurred_at = details.occurred_at
    contact.channel = details.channel
    contact.direction = details.direction
    contact.person = details.person
    contact.duration_minutes = details.duration_minutes
    contact.outcome = details.outcome
    contact.notes = notes
    if contact.follow_up_on != follow_up_on:
        contact.follow_up_done = False
    contact.follow_up_on = follow_up_on
    after = _contact_values(contact, details.topics)
    earlier = [(name, label, shown) for name, (label, shown) in before.items() if after[name][1] != shown]
    if not earlier:
        return None
    contact.save()
    contact.topics.set(details.topics)
    ContactChild.objects.filter(contact=contact).update(occurred_at=contact.occurred_at)
    return _keep_earlier(
        by=by,
        kind=Correction.Kind.CONTACT,
        household=contact.case.parent,
        earlier=earlier,
        reason=reason,
        contact=contact,
    )


def move_targets(user, contact: Contact):
    """The cases ``contact`` may be moved to by ``user``: the other open cases ``user`` reaches."""
    return (
        Case.objects.visible_to(user).open().exclude(pk=contact.case_id).filter(service_id=contact.service_id)
    )


@transaction.atomic
def move_contact(*, by, contact: Contact, to_case: Case, reason: str) -> Contact:
    """Move a contact logged on the wrong case to ``to_case`` (senior staff who reach both; see
    the module's docstring). Its notes and its history are encrypted again with the new
    household's key, its statistics codes follow the new case's children, and both timelines
    say so with the reason."""
    reason = _reason(reason)
    if not may_move_contact(by, contact):
        raise CaseworkError("Only senior staff may move a contact to another case.")
    cases_access.require_case(by, to_case)
    contact = (
        Contact.objects.select_for_update(of=("self",)).select_related("case__parent").get(pk=contact.pk)
    )
    from_case = contact.case
    if to_case.pk == from_case.pk:
        raise CaseworkError("Choose another case: the contact is on this one.")
    if to_case.service_id != contact.service_id:
        raise CaseworkError("Choose a case of your service.")
    if not to_case.is_open:
        raise CaseworkError(f"Case {to_case.reference} is closed: reopen it before moving a contact to it.")
    if contact.consents.exists():
        raise CaseworkError(
            "A consent was recorded during this contact: it belongs to this case. Record the consent "
            "on the right case, then move the contact."
        )
    notes = contact.notes
    history = list(contact.corrections.all())
    for correction in history:
        # Read (decrypt) with the old household's key before the contact changes household.
        correction.earlier, correction.reason = correction.earlier, correction.reason
    contact.case = to_case
    contact.__dict__.pop("_household_key", None)
    contact.use_household_key(to_case.household_key())
    contact.notes = notes
    contact.save(update_fields=["case", "notes"])
    for correction in history:
        correction.parent = to_case.parent
        correction.__dict__.pop("_household_key", None)
        correction.use_household_key(to_case.household_key())
        correction.save(update_fields=["parent", "earlier", "reason"])
    ContactChild.objects.filter(contact=contact).delete()
    _save_child_codes([contact])
    CaseEvent.objects.create(
        case=from_case, kind=CaseEvent.Kind.CONTACT_OUT, code=to_case.reference, reason=reason, by=by
    )
    CaseEvent.objects.create(
        case=to_case, kind=CaseEvent.Kind.CONTACT_IN, code=from_case.reference, reason=reason, by=by
    )
    return contact
