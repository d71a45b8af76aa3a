"""Making, checking and approving training case studies (R14).

Every write is a function here, ``@transaction.atomic``, called by views and tests alike. The case
a study is made from is only read, never changed, and the study keeps nothing that leads back
to it.
"""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases import access as cases_access
from cases.models import Child
from consent.models import Consent, Disclosure, SubjectAccessRequest
from pps.models import Role
from training.access import may_make_case_studies
from training.anonymise import (
    PHONE_REMOVED,
    POSTCODE_REMOVED,
    REFERENCE_REMOVED,
    Anonymiser,
    age_band,
    age_on,
    checks_in,
)
from training.models import CaseStudy, CaseStudyEvent

ORGANISATION_REMOVED = "[organisation removed]"

#: Longest text of each part a person may edit.
MAX_LENGTHS = {"title": 200, "family": 5000, "summary": 5000, "discussion": 5000, "entry": 10000}


class CaseStudyError(ValidationError):
    """A rule refused the action; the message says which and why, in the users' words."""


STAFF_KINDS = {
    Role.CASEWORKER: "Caseworker",
    Role.VOLUNTEER: "Volunteer",
    Role.SENIOR_MANAGER: "Manager",
    Role.HEAD_OF_SERVICE: "Manager",
}


@dataclass
class _Maker:
    """Everything the system knows about a case, as an anonymiser, with the labels it gave."""

    anonymiser: Anonymiser

    def staff(self, user) -> str:
        if user is None:
            return "a member of staff"
        return self.anonymiser.pseudonyms.label(STAFF_KINDS.get(user.role, "Staff member"), user.pk)


def case_start(case):
    """The day the case's story starts (week 1): it opened, or its first contact if earlier."""
    first_contact = case.contacts.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    moments = [case.opened_at] + ([first_contact] if first_contact else [])
    return timezone.localtime(min(moments)).date()


def anonymiser_for(case) -> _Maker:
    """An anonymiser that knows every value of ``case``'s household, the other parent of a
    separated family, the service's staff and the school names the service holds."""
    anonymiser = Anonymiser(start=case_start(case))
    maker = _Maker(anonymiser)
    labels = anonymiser.pseudonyms
    parent = case.parent
    household = labels.label("Parent", parent.pk)
    anonymiser.add_person(household, parent.first_name, parent.last_name, parent.full_name)
    children = list(parent.children.all())
    for child in children:
        child_label = labels.label("Child", child.pk)
        anonymiser.add_person(child_label, child.full_name, child.first_name)
        if child.last_name and child.last_name != parent.last_name:
            anonymiser.add_person(child_label, child.last_name)
    for child in children:
        anonymiser.add_school(child.school)
    anonymiser.add_value(parent.email, "[email removed]")
    anonymiser.add_value(parent.phone, PHONE_REMOVED)
    anonymiser.add_address(parent.address)
    anonymiser.add_value(parent.postcode, POSTCODE_REMOVED)
    outward = (parent.postcode or "").strip().split(" ")[0]
    if len(outward) >= 2 and any(c.isdigit() for c in outward):
        anonymiser.add_value(outward, POSTCODE_REMOVED)
    anonymiser.add_reference(case.reference, REFERENCE_REMOVED)
    for other in cases_access.separated_parent_cases(case).select_related("parent"):
        other_parent = other.parent
        if other_parent.data_key:
            other_label = labels.label("Parent", other_parent.pk)
            anonymiser.add_person(other_label, other_parent.full_name, other_parent.first_name)
            anonymiser.add_reference(other.reference, REFERENCE_REMOVED)
    # Other people and organisations recorded about the household: whoever else asked about the
    # case (another parent), and the organisations named in consents and disclosures.
    for request in SubjectAccessRequest.objects.filter(case=case):
        anonymiser.add_person(labels.label("Parent", ("requester", request.pk)), request.requester)
    for consent in Consent.objects.filter(parent=parent):
        anonymiser.add_value(consent.named_organisation, ORGANISATION_REMOVED)
    for disclosure in Disclosure.objects.filter(case=case):
        anonymiser.add_value(disclosure.organisation, ORGANISATION_REMOVED)
    # Every school name the service holds, so that a school mentioned in passing is caught too.
    schools = Child.objects.filter(parent__service_id=case.service_id).exclude(parent__data_key="")
    for child in schools.select_related("parent").only("school", "parent__data_key", "parent__id"):
        anonymiser.add_school(child.school)
    for member in case.service.staff.all():
        label = _lazy_staff_label(maker, member)
        anonymiser.add_person(label, member.get_full_name(), member.first_name, member.last_name)
        anonymiser.add_value(member.username, label)
        anonymiser.add_value(member.email, "[email removed]")
        anonymiser.add_value(member.work_phone, PHONE_REMOVED)
    anonymiser.add_value(case.service.name, "the service")
    anonymiser.add_value(case.service.short_name, "the service")
    anonymiser.add_value(case.service.phone, PHONE_REMOVED)
    return maker


def _lazy_staff_label(maker, member):
    return lambda: maker.staff(member)


def _family(maker: _Maker, case) -> str:
    parent, start = case.parent, maker.anonymiser.start
    labels = maker.anonymiser.pseudonyms
    lines = [
        f"{labels.label('Parent', parent.pk)}: "
        + (
            "has parental responsibility"
            if parent.parental_responsibility == parent.ParentalResponsibility.YES
            else "does not have parental responsibility"
        )
        + f"; prefers contact by {parent.get_preferred_contact_display().lower()}."
    ]
    for child in parent.children.all():
        facts = []
        if child.date_of_birth:
            facts.append(f"aged {age_band(age_on(child.date_of_birth, start))} when the case opened")
        if child.need:
            facts.append(f"primary need: {child.get_need_display()}")
        facts.append(child.get_provision_display())
        if child.school:
            facts.append(f"at {maker.anonymiser.scrub(child.school)}")
        lines.append(f"{labels.label('Child', child.pk)}: " + "; ".join(facts) + ".")
    return "\n".join(lines)


def _timeline(maker: _Maker, case) -> list[dict]:
    scrub, anonymiser = maker.anonymiser.scrub, maker.anonymiser
    items = []
    contacts = case.contacts.select_related("outcome", "logged_by").prefetch_related("topics")
    for contact in contacts:
        direction = "from the parent" if contact.direction == contact.Direction.INCOMING else "to the parent"
        heading = f"{contact.get_channel_display()} {direction}, {contact.duration_minutes} minutes"
        topics = ", ".join(scrub(topic.name) for topic in contact.topics.all())
        details = [f"Topics: {topics}" if topics else "", f"Outcome: {scrub(contact.outcome.name)}"]
        items.append(
            (
                contact.occurred_at,
                {
                    "week": anonymiser.week(timezone.localtime(contact.occurred_at)),
                    "heading": heading,
                    "contact": True,
                    "by": maker.staff(contact.logged_by),
                    "details": ". ".join(part for part in details if part),
                    "text": scrub(contact.notes),
                },
            )
        )
    for event in case.events.select_related("by", "staff"):
        heading = event.get_kind_display()
        if event.staff_id:
            heading = f"{heading}: {maker.staff(event.staff)}"
        items.append(
            (
                event.at,
                {
                    "week": anonymiser.week(timezone.localtime(event.at)),
                    "heading": heading,
                    "by": maker.staff(event.by),
                    "details": "",
                    "text": scrub(event.reason),
                },
            )
        )
    items.sort(key=lambda item: item[0])
    return [entry for _, entry in items]


def _topics(case) -> list[str]:
    """The case's topics, most frequent first (at most three)."""
    topics = Counter(
        topic.name for contact in case.contacts.prefetch_related("topics") for topic in contact.topics.all()
    )
    return [name for name, _ in topics.most_common(3)]


def draft_from_case(case) -> dict:
    """The anonymised case study of ``case``, as stored in ``CaseStudy.content``."""
    maker = anonymiser_for(case)
    family = _family(maker, case)
    summary = maker.anonymiser.scrub(case.summary)
    entries = _timeline(maker, case)
    last_week = max([entry["week"] for entry in entries] + [1])
    if case.status == case.Status.CLOSED and case.closed_at:
        ending = f"The case closed in week {maker.anonymiser.week(timezone.localtime(case.closed_at))}."
    else:
        ending = f"The case was still open in week {last_week}."
    topics = [maker.anonymiser.scrub(name) for name in _topics(case)]
    contacts = sum(1 for entry in entries if entry.get("contact"))
    needs = sorted({child.get_need_display() for child in case.parent.children.all() if child.need})
    return {
        "title": f"{topics[0] if topics else 'Support for a family'}: a case study",
        "about": {
            "topics": topics,
            "needs": needs,
            "contacts": contacts,
            "weeks": last_week,
        },
        "family": family,
        "summary": summary,
        "entries": entries,
        "ending": ending,
        "discussion": "",
    }


@transaction.atomic
def make_case_study(*, by, case) -> CaseStudy:
    """A draft case study of ``case``, made by a senior manager or head of service. The case is
    only read: nothing of it changes, and the study keeps no link to it."""
    if not may_make_case_studies(by) or case.service_id != by.service_id:
        raise CaseStudyError("Only senior managers and the head of service make case studies.")
    study = CaseStudy(service_id=case.service_id, made_by=by)
    study.study = draft_from_case(case)
    study.save()
    CaseStudyEvent.objects.create(case_study=study, kind=CaseStudyEvent.Kind.MADE, by=by)
    return study


def editable_parts(study: CaseStudy) -> dict:
    """The parts a person edits, by name: title, family, summary, entry_<n>, discussion."""
    content = study.study
    parts = {
        "title": content.get("title", ""),
        "family": content.get("family", ""),
        "summary": content.get("summary", ""),
    }
    for number, entry in enumerate(content.get("entries", [])):
        if entry.get("text"):
            parts[f"entry_{number}"] = entry["text"]
    parts["discussion"] = content.get("discussion", "")
    return parts


def checks_left(study: CaseStudy) -> int:
    """How many highlighted words the parts a person can edit still hold."""
    return sum(checks_in(text) for text in editable_parts(study).values())


@transaction.atomic
def edit_case_study(*, by, study: CaseStudy, parts: dict) -> bool:
    """Save the maker's edits of a draft; True when anything changed (then recorded)."""
    _require_draft_of(by, study)
    content = study.study
    changed = False
    for name, value in parts.items():
        value = (value or "").replace("\r\n", "\n").strip()
        limit = MAX_LENGTHS["entry" if name.startswith("entry_") else name]
        if len(value) > limit:
            raise CaseStudyError(f"Keep each part under {limit} characters.")
        if name == "title" and not value:
            raise CaseStudyError("Give the case study a title.")
        if name.startswith("entry_"):
            entry = content["entries"][int(name.removeprefix("entry_"))]
            changed |= entry.get("text", "") != value
            entry["text"] = value
        else:
            changed |= content.get(name, "") != value
            content[name] = value
    if changed:
        study.study = content
        study.save(update_fields=["content"])
        CaseStudyEvent.objects.create(case_study=study, kind=CaseStudyEvent.Kind.EDITED, by=by)
    return changed


@transaction.atomic
def submit_case_study(*, by, study: CaseStudy, checked: bool) -> CaseStudy:
    """The maker has checked the draft: it waits for a second senior person's approval."""
    _require_draft_of(by, study)
    if not checked:
        raise CaseStudyError(
            "Confirm that you have checked every highlighted word and that nothing identifies anyone."
        )
    study.status = CaseStudy.Status.SUBMITTED
    study.submitted_at = timezone.now()
    study.returned_note = ""
    study.save(update_fields=["status", "submitted_at", "returned_note"])
    CaseStudyEvent.objects.create(case_study=study, kind=CaseStudyEvent.Kind.SUBMITTED, by=by)
    return study


@transaction.atomic
def approve_case_study(*, by, study: CaseStudy, checked: bool) -> CaseStudy:
    """A second senior person approves: from now on the service's staff can read it."""
    _require_second_senior(by, study)
    if not checked:
        raise CaseStudyError("Confirm that you have read it all and that nothing in it identifies anyone.")
    study.status = CaseStudy.Status.APPROVED
    study.approved_by = by
    study.approved_at = timezone.now()
    study.save(update_fields=["status", "approved_by", "approved_at"])
    CaseStudyEvent.objects.create(case_study=study, kind=CaseStudyEvent.Kind.APPROVED, by=by)
    return study


@transaction.atomic
def send_back_case_study(*, by, study: CaseStudy, note: str) -> CaseStudy:
    """A second senior person sends it back to the maker, saying what needs changing."""
    _require_second_senior(by, study)
    note = (note or "").strip()
    if not note:
        raise CaseStudyError("Say what needs changing.")
    if len(note) > 2000:
        raise CaseStudyError("Keep the note under 2000 characters.")
    study.status = CaseStudy.Status.DRAFT
    study.returned_note = note
    study.submitted_at = None
    study.save(update_fields=["status", "returned_note", "submitted_at"])
    CaseStudyEvent.objects.create(case_study=study, kind=CaseStudyEvent.Kind.RETURNED, by=by, note=note)
    return study


@transaction.atomic
def withdraw_case_study(*, by, study: CaseStudy) -> CaseStudy:
    """Withdraw a case study (senior staff; a draft only by its maker): nobody can read it
    again. Its text and its data key are destroyed, so no copy of the database holds it."""
    if not may_make_case_studies(by) or by.service_id != study.service_id:
        raise CaseStudyError("Only a senior manager or the head of service can withdraw a case study.")
    if study.status == CaseStudy.Status.DRAFT and study.made_by_id != by.pk:
        raise CaseStudyError("Only the person who made this draft can discard it.")
    if study.status == CaseStudy.Status.WITHDRAWN:
        raise CaseStudyError("This case study has already been withdrawn.")
    for event in study.events.exclude(note=""):
        event.note = ""
        event.save(update_fields=["note"])
    study.__dict__.pop("_household_key", None)  # forget the key held in memory too
    study.status = CaseStudy.Status.WITHDRAWN
    study.content = ""
    study.returned_note = ""
    study.data_key = ""
    study.save(update_fields=["status", "content", "returned_note", "data_key"])
    # The row's key is gone: this event holds no text, so it needs none.
    CaseStudyEvent.objects.create(case_study=study, kind=CaseStudyEvent.Kind.WITHDRAWN, by=by)
    return study


def _require_draft_of(by, study) -> None:
    if study.status != CaseStudy.Status.DRAFT:
        raise CaseStudyError("This case study has been submitted: it can no longer be changed.")
    if study.made_by_id != by.pk:
        raise CaseStudyError("Only the person who made this case study can change it.")


def _require_second_senior(by, study) -> None:
    if not may_make_case_studies(by) or by.service_id != study.service_id:
        raise CaseStudyError("Only a senior manager or the head of service can approve a case study.")
    if study.made_by_id == by.pk:
        raise CaseStudyError("A second senior person must approve it: not the person who made it.")
    if study.status != CaseStudy.Status.SUBMITTED:
        raise CaseStudyError("Only a case study waiting for approval can be approved or sent back.")
