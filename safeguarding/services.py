"""Writing to child-protection files (R6). Each function checks who may act, writes, and returns.

The concern's text is never written into the case file (contacts, case notes or events).
"""

from django.db import transaction
from django.utils import timezone

from consent.models import Disclosure, Recipient
from pps import access
from pps.models import SENIOR_ROLES
from safeguarding.models import Concern, Discussion, ExternalReferral

FUTURE_TOLERANCE = timezone.timedelta(minutes=5)


class SafeguardingError(Exception):
    """A refused child-protection action, with a message for the user."""


def _not_in_future(when, what: str) -> None:
    if when > timezone.now() + FUTURE_TOLERANCE:
        raise SafeguardingError(f"{what} cannot be in the future.")


def can_hold_discussion(user, service_id) -> bool:
    """May ``user`` be the senior party to a discussion: an active senior manager, head of
    service or designated lead of the service."""
    return (
        user.is_active
        and user.service_id == service_id
        and (user.role in SENIOR_ROLES or user.is_safeguarding_lead)
    )


@transaction.atomic
def raise_concern(by, case, child, what: str, happened_at, immediate_danger: bool = False) -> Concern:
    """Raise a concern about a child of ``case``; anyone who may work on the case may."""
    case = access.get_case_for_user(by, case.pk, how="raise concern")
    if not what.strip():
        raise SafeguardingError("Say what was said or seen.")
    _not_in_future(happened_at, "When it happened")
    if child is not None and child.parent_id != case.parent_id:
        raise SafeguardingError("Select a child of this case.")
    concern = Concern(
        case=case,
        child=child,
        what=what.strip(),
        happened_at=happened_at,
        immediate_danger=immediate_danger,
        raised_by=by,
        case_reference=case.reference,
        child_name=child.full_name if child is not None else "",
        parent_name=case.parent.full_name,
    )
    concern.save()
    return concern


_STATUS_AFTER = {
    Discussion.Decision.NO_FURTHER_ACTION: Concern.Status.CLOSED,
    Discussion.Decision.MONITOR: Concern.Status.MONITORING,
    Discussion.Decision.SOCIAL_CARE: Concern.Status.DISCUSSED,
    Discussion.Decision.POLICE: Concern.Status.DISCUSSED,
}


@transaction.atomic
def record_discussion(
    by, concern, *, participants: str, senior_manager, held_at, decision: str, notes: str = ""
) -> Discussion:
    """Record the internal discussion of ``concern`` (designated leads only).

    A senior manager, head of service or designated lead of the service must have taken part.
    Recording it clears the "discussion still to be recorded" flag.
    """
    concern = access.get_concern_for_user(by, concern.pk, how="record discussion")
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if not participants.strip():
        raise SafeguardingError("Say who took part.")
    if senior_manager is None or not can_hold_discussion(senior_manager, concern.case.service_id):
        raise SafeguardingError("A senior manager or designated lead of the service must take part.")
    if decision not in Discussion.Decision.values:
        raise SafeguardingError("Select what was decided.")
    _not_in_future(held_at, "The discussion")
    discussion = Discussion(
        concern=concern,
        participants=participants.strip(),
        senior_manager=senior_manager,
        held_at=held_at,
        decision=decision,
        notes=notes.strip(),
        recorded_by=by,
    )
    discussion.save()
    if concern.status != Concern.Status.REFERRED or decision == Discussion.Decision.NO_FURTHER_ACTION:
        concern.status = _STATUS_AFTER[decision]
    concern.discussion_outstanding = False
    concern.save(update_fields=["status", "discussion_outstanding"])
    return discussion


@transaction.atomic
def record_external_referral(
    by,
    concern,
    *,
    agency: str,
    made_at,
    person_spoken_to: str,
    their_reference: str = "",
    what_was_shared: str,
    how: str = Disclosure.How.PHONE,
) -> ExternalReferral:
    """Record a referral of ``concern`` to social care or the police (designated leads only).

    Refused unless an internal discussion with a senior manager has been recorded, except when
    the concern is flagged as immediate danger: then it is recorded and the concern stays
    flagged "discussion still to be recorded" until one is. The referral is also recorded as a
    disclosure of the case on the basis of child protection.
    """
    concern = access.get_concern_for_user(by, concern.pk, how="record referral")
    concern = Concern.objects.select_for_update().select_related("case").get(pk=concern.pk)
    discussed = concern.discussions.exists()
    if not discussed and not concern.immediate_danger:
        raise SafeguardingError(
            "Record the internal discussion with a senior manager before an external referral. "
            "Only a concern of immediate danger may be referred first."
        )
    if agency not in ExternalReferral.Agency.values:
        raise SafeguardingError("Select the agency.")
    if not person_spoken_to.strip():
        raise SafeguardingError("Say who you spoke to.")
    if not what_was_shared.strip():
        raise SafeguardingError("Say what was shared.")
    if how not in Disclosure.How.values:
        raise SafeguardingError("Select how it was shared.")
    _not_in_future(made_at, "The referral")
    case = concern.case
    if agency == ExternalReferral.Agency.SOCIAL_CARE:
        recipient, organisation = Recipient.SOCIAL_CARE, "Children's social care"
    else:
        recipient, organisation = Recipient.OTHER, "Police"
    disclosure = Disclosure(
        case=case,
        what=what_was_shared.strip(),
        recipient=recipient,
        organisation=organisation,
        disclosed_at=made_at,
        how=how,
        basis=Disclosure.Basis.CHILD_PROTECTION,
        disclosed_by=by,
    )
    disclosure.use_household_key(case.household_key())
    disclosure.save()
    referral = ExternalReferral(
        concern=concern,
        agency=agency,
        made_at=made_at,
        person_spoken_to=person_spoken_to.strip(),
        their_reference=their_reference.strip(),
        what_was_shared=what_was_shared.strip(),
        before_discussion=not discussed,
        disclosure=disclosure,
        made_by=by,
    )
    referral.save()
    concern.status = Concern.Status.REFERRED
    concern.discussion_outstanding = not discussed
    concern.save(update_fields=["status", "discussion_outstanding"])
    return referral
