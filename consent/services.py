"""Recording consent; the one door through which information leaves the service (R2, R3).

Each function checks access through ``consent.access`` and runs in one transaction; django-auditlog
records every change it makes.
"""

from datetime import datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from cases import access as cases_access
from cases.models import Case
from consent import access as consent_access
from consent.models import Consent, Disclosure, Recipient, Referral, StatementSent, SubjectAccessRequest
from pps import access, audit


class ConsentError(Exception):
    """A consent or disclosure refused, with the reason in the users' words."""


def _day(moment: datetime) -> str:
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return f"{day.day} {day:%B %Y}"


@transaction.atomic
def record_consent_to_keep_details(*, by, parent, method: str, parent_was_told: str) -> Consent:
    """Record that ``parent`` was told why details are kept and agreed (R2). Cases imported with
    no such consent in the old system lose their "not recorded" flag."""
    if method not in Consent.Method.values:
        raise ValueError(f"Unknown consent method {method!r}")
    consent = Consent.objects.create(
        parent=parent,
        method=method,
        recorded_by=by,
        parent_was_told=parent_was_told,
        keeps_details=True,
    )
    for case in parent.cases.filter(consent_not_recorded=True):
        case.consent_not_recorded = False
        case.save(update_fields=["consent_not_recorded"])
    return consent


@transaction.atomic
def record_consents_to_keep_details(*, by, parents_and_methods: list, parent_was_told: str) -> list[Consent]:
    """``record_consent_to_keep_details`` for many parents at once (parents registered
    together): the consents and their audit entries written together."""
    if any(method not in Consent.Method.values for _, method in parents_and_methods):
        raise ValueError("Unknown consent method")
    consents = [
        Consent(
            parent=parent, method=method, recorded_by=by, parent_was_told=parent_was_told, keeps_details=True
        )
        for parent, method in parents_and_methods
    ]
    with audit.entries_written_together():
        Consent.objects.bulk_create(consents)
        audit.created_together(Consent, consents)
        flagged = Case.objects.filter(
            parent__in=[parent for parent, _ in parents_and_methods], consent_not_recorded=True
        )
        for case in flagged:
            case.consent_not_recorded = False
            case.save(update_fields=["consent_not_recorded"])
    return consents


@transaction.atomic
def record_consent(
    *,
    by,
    case,
    method: str,
    parent_was_told: str,
    recipients: list[str],
    named_organisation: str = "",
    given_at: datetime | None = None,
    contact=None,
) -> Consent:
    """Record a parent's consent to share on ``case`` (R3), valid for the service's renewal period.

    ``recipients`` are ``Recipient`` codes; ``Recipient.OTHER`` needs ``named_organisation``.
    ``contact``, a contact of this case, is the call (or meeting) it was given during: it then
    shows on that contact in the timeline.
    """
    # The page that calls this fetched the case (and recorded the read) already.
    cases_access.require_case(by, case)
    if contact is not None and contact.case_id != case.pk:
        raise ConsentError("That contact is not on this case.")
    given_at = given_at or timezone.now()
    named_organisation = " ".join(named_organisation.split())
    recipients = list(dict.fromkeys(recipients))
    if method not in Consent.Method.values:
        raise ConsentError("Select how the parent gave consent.")
    if given_at > timezone.now() + timezone.timedelta(minutes=5):
        raise ConsentError("Consent cannot be recorded as given in the future.")
    if not parent_was_told.strip():
        raise ConsentError("Say what the parent was told about sharing their information.")
    if not recipients:
        raise ConsentError("Select who the parent agreed their information may be shared with.")
    if any(code not in Recipient.values for code in recipients):
        raise ConsentError("Select who the parent agreed to share with from the list.")
    if Recipient.OTHER in recipients and not named_organisation:
        raise ConsentError("Name the other organisation the parent agreed to share with.")
    if Recipient.OTHER not in recipients:
        named_organisation = ""
    return Consent.objects.create(
        parent=case.parent,
        case=case,
        method=method,
        given_at=given_at,
        recorded_by=by,
        parent_was_told=parent_was_told,
        recipients=recipients,
        named_organisation=named_organisation,
        expires_on=Consent.expiry_for(timezone.localdate(given_at), case.service.consent_renewal_months),
        contact=contact,
    )


@transaction.atomic
def withdraw_consent(*, by, consent: Consent, note: str) -> Consent:
    """Record that the parent withdrew ``consent``: it covers nothing from now on."""
    access.require_reach(Consent.objects.visible_to(by), consent)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.is_withdrawn:
        raise ConsentError(f"This consent was already withdrawn on {_day(consent.withdrawn_at)}.")
    if not note.strip():
        raise ConsentError("Say how the parent withdrew their consent.")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = by
    consent.withdrawal_note = note
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    return consent


def _check_consent_basis(case, consent: Consent | None, recipient: str, organisation: str, day) -> None:
    if consent is None:
        _refuse_without_a_chosen_consent(case, recipient, organisation, day)
    if consent.case_id != case.pk:
        raise ConsentError("That consent was not given on this case.")
    if consent.is_withdrawn:
        raise ConsentError(
            f"The parent withdrew this consent on {_day(consent.withdrawn_at)}: nothing may be shared on it."
        )
    if timezone.localdate(consent.given_at) > day:
        raise ConsentError(
            f"The parent had not given this consent on {_day(day)}: it was given on {_day(consent.given_at)}."
        )
    if not consent.is_valid_on(day):
        raise ConsentError(
            f"The parent's consent expired on {_day(consent.expires_on)}: ask them to renew it "
            "before sharing."
        )
    if not consent.covers(recipient):
        raise ConsentError(
            f"The parent's consent does not cover sharing with {Recipient(recipient).label[0].lower()}"
            f"{Recipient(recipient).label[1:]}."
        )
    if recipient == Recipient.OTHER and not consent.covers(recipient, organisation):
        raise ConsentError(
            f"The parent's consent covers {consent.named_organisation} only, not {organisation}."
        )


def _refuse_without_a_chosen_consent(case, recipient: str, organisation: str, day) -> None:
    """No consent was chosen: refuse with the real reason. The case's consents that cover the
    recipient come first, newest first; the first one's own problem (withdrawn, expired, not yet
    given) is the reason. With none at all, the parent has not given consent."""
    consents = list(Consent.objects.filter(case=case, case__isnull=False).order_by("-given_at"))
    if not consents:
        raise ConsentError(
            "The parent has not given consent to share: record their consent first, or choose another basis."
        )
    covering = [c for c in consents if c.covers(recipient, organisation)] or consents
    latest = covering[0]
    _check_consent_basis(case, latest, recipient, organisation, day)
    raise ConsentError(
        f"Select the consent this disclosure relies on: the one given on {_day(latest.given_at)} covers it."
    )


@transaction.atomic
def record_disclosure(
    *,
    by,
    case,
    what: str,
    recipient: str,
    organisation: str,
    when: datetime,
    how: str,
    basis: str,
    consent: Consent | None = None,
    legal_reference: str = "",
    concern=None,
) -> Disclosure:
    """Record that information about the parent went outside the service (R3).

    Refused, saying which problem, when it has no valid basis:
    - on consent: no consent, one from another case, withdrawn, not yet given or expired on the
      day of the disclosure (valid up to and including ``expires_on``), or not covering the
      recipient (for another organisation: not the one named);
    - on a legal obligation: no legal reference;
    - on child protection: without the ``concern`` (a ``safeguarding.models.Concern`` of this case)
      it answers, or by someone who may not reach that concern. Such a disclosure is recorded from
      the child-protection file (``safeguarding.services.record_external_referral``), which also
      checks that the concern was discussed with a senior manager first.
    """
    # The page that calls this fetched the case (and recorded the read) already.
    cases_access.require_case(by, case)
    organisation = " ".join(organisation.split())
    legal_reference = legal_reference.strip()
    if not what.strip():
        raise ConsentError("Say what was shared.")
    if recipient not in Recipient.values:
        raise ConsentError("Select who the information was shared with.")
    if recipient == Recipient.OTHER and not organisation:
        raise ConsentError("Name the organisation or person the information was shared with.")
    if how not in Disclosure.How.values:
        raise ConsentError("Select how the information was shared.")
    if when > timezone.now() + timezone.timedelta(minutes=5):
        raise ConsentError("A disclosure cannot be recorded in the future.")
    if basis == Disclosure.Basis.CONSENT:
        if consent is not None:
            # The stored state, locked: a withdrawal recorded a moment ago counts.
            consent = Consent.objects.select_for_update().filter(pk=consent.pk).first()
        _check_consent_basis(case, consent, recipient, organisation, timezone.localdate(when))
        legal_reference = ""
    elif basis == Disclosure.Basis.LEGAL_OBLIGATION:
        if not legal_reference:
            raise ConsentError(
                "Give the legal reference (the law or court order) that obliges this disclosure."
            )
        consent = None
    elif basis == Disclosure.Basis.CHILD_PROTECTION:
        if concern is None:
            raise ConsentError("Record a child-protection referral from the child-protection file.")
        # The concern's own rule (``safeguarding.access``), asked through its queryset.
        access.require_reach(type(concern).objects.visible_to(by), concern)
        if concern.case_id != case.pk:
            raise ConsentError("That child-protection concern is about another case.")
        consent, legal_reference = None, ""
    else:
        raise ConsentError("Select the basis for sharing.")
    return Disclosure.objects.create(
        case=case,
        what=what,
        recipient=recipient,
        organisation=organisation,
        disclosed_at=when,
        how=how,
        basis=basis,
        consent=consent,
        legal_reference=legal_reference,
        disclosed_by=by,
    )


def _not_future(moment: datetime, what: str) -> None:
    if moment > timezone.now() + timezone.timedelta(minutes=5):
        raise ConsentError(f"{what} cannot be in the future.")


@transaction.atomic
def record_statement_sent(*, by, case, how: str, when: datetime | None = None) -> StatementSent:
    """Record that the permission form and the "why we keep information about you" statement
    were handed over, posted or emailed to the parent of ``case`` (R2)."""
    cases_access.require_case(by, case)
    when = when or timezone.now()
    if how not in StatementSent.How.values:
        raise ConsentError("Select how the form and statement were given or sent.")
    _not_future(when, "The date they were given or sent")
    return StatementSent.objects.create(case=case, how=how, sent_at=when, sent_by=by)


@transaction.atomic
def receive_referral(
    *,
    by,
    referrer_organisation: str,
    referrer_name: str,
    how: str,
    referred_at: datetime,
    parent_first_name: str,
    parent_last_name: str,
    contact_by: str,
    contact_detail: str,
    consent_method: str = "",
    consent_at: datetime | None = None,
) -> Referral:
    """Record a referral from a third party (R4).

    It holds only what is needed to contact the parent (their name, one way to reach them) and
    who referred; nothing about the child or the situation. With the parent's consent (how and
    when) it may be taken on at once; without, it waits as a request to contact the parent.
    """
    if not consent_access.can_take_referrals(by):
        raise Http404
    values = {
        "referrer_organisation": " ".join(referrer_organisation.split()),
        "referrer_name": " ".join(referrer_name.split()),
        "parent_first_name": " ".join(parent_first_name.split()),
        "parent_last_name": " ".join(parent_last_name.split()),
        "contact_detail": contact_detail.strip(),
    }
    if not values["referrer_organisation"]:
        raise ConsentError("Give the organisation that made the referral.")
    if how not in Referral.How.values:
        raise ConsentError("Select how the referral came.")
    _not_future(referred_at, "The date of the referral")
    if not values["parent_first_name"] and not values["parent_last_name"]:
        raise ConsentError("Give the parent's name.")
    if contact_by not in Referral.ContactBy.values or not values["contact_detail"]:
        raise ConsentError("Give one way to contact the parent.")
    referral = Referral(
        service=by.service, how=how, referred_at=referred_at, contact_by=contact_by, received_by=by, **values
    )
    if consent_method:
        _check_referral_consent(consent_method, consent_at)
        referral.consent_method, referral.consent_at, referral.consent_by = consent_method, consent_at, by
        referral.status = Referral.Status.AGREED
    referral.save()
    return referral


def _check_referral_consent(method: str, at: datetime | None) -> None:
    if method not in Consent.Method.values:
        raise ConsentError("Select how the parent agreed to the referral.")
    if at is None:
        raise ConsentError("Give the date the parent agreed to the referral.")
    _not_future(at, "The date the parent agreed")


@transaction.atomic
def record_referral_consent(*, by, referral: Referral, method: str, at: datetime) -> Referral:
    """The parent was contacted and agreed to the referral: record how, when and by whom (R4)."""
    access.require_reach(Referral.objects.visible_to(by), referral)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != Referral.Status.PENDING:
        raise ConsentError("The parent's agreement to this referral is already recorded.")
    _check_referral_consent(method, at)
    referral.consent_method, referral.consent_at, referral.consent_by = method, at, by
    referral.status = Referral.Status.AGREED
    referral.save(update_fields=["consent_method", "consent_at", "consent_by", "status"])
    return referral


@transaction.atomic
def convert_referral(*, by, referral: Referral) -> Referral:
    """Take on a referral the parent agreed to: the caseworker goes on to add the parent, or open
    a case for a parent already known. Refused while the parent's consent is not recorded."""
    access.require_reach(Referral.objects.visible_to(by), referral)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.has_consent:
        raise ConsentError(
            "The parent has not agreed to this referral: contact them and record their agreement first."
        )
    referral.status = Referral.Status.CONVERTED
    referral.save(update_fields=["status"])
    return referral


@transaction.atomic
def close_referral(*, by, referral: Referral, because: str) -> Referral:
    """The parent declined or could not be reached: close the request and destroy its personal
    data (the fields are emptied and the referral's data key deleted; the row keeps only dates,
    how it came, the outcome and who handled it)."""
    access.require_reach(Referral.objects.visible_to(by), referral)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if because not in Referral.ClosedBecause.values:
        raise ConsentError("Select why the request is closed.")
    if referral.status == Referral.Status.CONVERTED:
        raise ConsentError("This referral was taken on; it cannot be closed here.")
    referral.status = Referral.Status.CLOSED
    referral.closed_because, referral.closed_at, referral.closed_by = because, timezone.now(), by
    referral.save(update_fields=["status", "closed_because", "closed_at", "closed_by"])  # audited
    # The personal fields' tokens and the key that could read them: gone, not re-encrypted.
    Referral.objects.filter(pk=referral.pk).update(
        referrer_organisation="",
        referrer_name="",
        parent_first_name="",
        parent_last_name="",
        contact_detail="",
        data_key="",
    )
    return Referral.objects.get(pk=referral.pk)


@transaction.atomic
def record_other_parent_request(
    *, by, case, requester: str, how: str, received_at: datetime, asked_for: str
) -> SubjectAccessRequest:
    """Another person with parental responsibility asked for information about ``case`` (R5).

    Nothing is shared: the request is recorded (who asked, when, how, what for) and routed to
    the head of service as a subject access request, due one calendar month from receipt.
    """
    cases_access.require_case(by, case)
    requester = " ".join(requester.split())
    if not requester:
        raise ConsentError("Say who asked.")
    if how not in SubjectAccessRequest.How.values:
        raise ConsentError("Select how they asked.")
    _not_future(received_at, "The date of the request")
    if not asked_for.strip():
        raise ConsentError("Say what they asked for.")
    return SubjectAccessRequest.objects.create(
        service=case.service,
        case=case,
        requester=requester,
        how=how,
        received_at=received_at,
        asked_for=asked_for,
        recorded_by=by,
        due_on=SubjectAccessRequest.due_date_for(timezone.localdate(received_at)),
    )
