"""Recording consent; the one door through which information leaves the service (R2, R3).

Each function checks access through ``pps.access`` and runs in one transaction; django-auditlog
records every change it makes.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from consent.models import Consent, Disclosure, Recipient
from pps import access


class ConsentError(Exception):
    """A consent or disclosure refused, with the reason in the users' words."""


def _day(moment: datetime) -> str:
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return f"{day.day} {day:%B %Y}"


@transaction.atomic
def record_consent_to_keep_details(*, by, parent, method: str, parent_was_told: str) -> Consent:
    """Record that ``parent`` was told why details are kept and agreed (R2)."""
    if method not in Consent.Method.values:
        raise ValueError(f"Unknown consent method {method!r}")
    return Consent.objects.create(
        parent=parent,
        method=method,
        recorded_by=by,
        parent_was_told=parent_was_told,
        keeps_details=True,
    )


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
) -> Consent:
    """Record a parent's consent to share on ``case`` (R3), valid for the service's renewal period.

    ``recipients`` are ``Recipient`` codes; ``Recipient.OTHER`` needs ``named_organisation``.
    """
    case = access.get_case_for_user(by, case.pk, how="record consent")
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
    )


@transaction.atomic
def withdraw_consent(*, by, consent: Consent, note: str) -> Consent:
    """Record that the parent withdrew ``consent``: it covers nothing from now on."""
    from pps.access import get_consent_for_user

    consent = get_consent_for_user(by, consent.pk, how="withdraw consent")
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
        raise ConsentError(
            "The parent has not given consent to share: record their consent first, or choose another basis."
        )
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
) -> Disclosure:
    """Record that information about the parent went outside the service (R3).

    Refused, saying which problem, when it has no valid basis:
    - on consent: no consent, one from another case, withdrawn, not yet given or expired on the
      day of the disclosure (valid up to and including ``expires_on``), or not covering the
      recipient (for another organisation: not the one named);
    - on a legal obligation: no legal reference;
    - on child protection: always, for now: such a referral is recorded from the child-protection
      file, where the concern and its senior discussion are.
    """
    case = access.get_case_for_user(by, case.pk, how="record disclosure")
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
        raise ConsentError("Record a child-protection referral from the child-protection file.")
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
