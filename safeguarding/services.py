"""Writing to child-protection files (R6). Each function checks who may act, writes, and returns.

The concern's text is never written into the case file (contacts, case notes or events).
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.utils import timezone

from cases import access as cases_access
from consent import services as consent_services
from consent.models import Disclosure, Recipient
from pps import access
from pps.models import SENIOR_ROLES, Role, User
from safeguarding import access as safeguarding_access
from safeguarding import alerts
from safeguarding.models import (
    Alert,
    BreakGlassAccess,
    Concern,
    Discussion,
    ExternalReferral,
    LeadDesignation,
)

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
    cases_access.require_case(by, case)
    if not what.strip():
        raise SafeguardingError("Say what was said or seen.")
    _not_in_future(happened_at, "When it happened")
    if child is not None and child.parent_id != case.parent_id:
        raise SafeguardingError("Select a child of this case.")
    concern = Concern(
        service_id=case.service_id,
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
    kind = Alert.Kind.IMMEDIATE_DANGER if immediate_danger else Alert.Kind.NEW_CONCERN
    alerts.notify_leads(case.service_id, kind, concern=concern, actor=by)
    return concern


NO_NAME_GIVEN = "No name given"


@transaction.atomic
def raise_concern_without_case(
    by, *, what: str, happened_at, immediate_danger: bool = False, child_name: str = "", caller: str = ""
) -> Concern:
    """Raise a concern from a call where the caller gave no name (NNG): there is no case, so the
    file holds what the caller said about who they are and which child. Anyone who does casework
    in a service may; it alerts the service's leads like any other concern."""
    access.require_casework(by)
    if not what.strip():
        raise SafeguardingError("Say what was said or seen.")
    _not_in_future(happened_at, "When it happened")
    concern = Concern(
        service_id=by.service_id,
        case=None,
        what=what.strip(),
        happened_at=happened_at,
        immediate_danger=immediate_danger,
        raised_by=by,
        child_name=" ".join(child_name.split()),
        parent_name=" ".join(caller.split()) or NO_NAME_GIVEN,
    )
    concern.save()
    kind = Alert.Kind.IMMEDIATE_DANGER if immediate_danger else Alert.Kind.NEW_CONCERN
    alerts.notify_leads(by.service_id, kind, concern=concern, actor=by)
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
    """Record the internal discussion of ``concern``: by whoever may reach it
    (``Concern.objects.visible_to``), a designated lead, or a senior manager who broke glass on its
    case while the opening lasts (a lead may be unreachable when a child is at risk).

    A senior manager, head of service or designated lead of the service must have taken part.
    Recording it clears the "discussion still to be recorded" flag.
    """
    safeguarding_access.require_concern(by, concern)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if not participants.strip():
        raise SafeguardingError("Say who took part.")
    if senior_manager is None or not can_hold_discussion(senior_manager, concern.service_id):
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
    concern.closed_at = timezone.now() if concern.status == Concern.Status.CLOSED else None
    concern.discussion_outstanding = False
    concern.save(update_fields=["status", "discussion_outstanding", "closed_at"])
    # A lead is dealing with it: the "new concern" alerts have done their work.
    alerts.mark_seen(concern=concern)
    return discussion


def may_refer_yet(concern) -> bool:
    """May ``concern`` be referred outside the service now: once an internal discussion with a
    senior manager is recorded, or at once when it is flagged as immediate danger."""
    return concern.immediate_danger or concern.discussions.exists()


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
    """Record a referral of ``concern`` to social care or the police: by whoever may reach it, a
    designated lead or a senior manager who broke glass on its case (see ``record_discussion``).

    Refused unless an internal discussion with a senior manager has been recorded, except when
    the concern is flagged as immediate danger: then it is recorded and the concern stays
    flagged "discussion still to be recorded" until one is. The referral of a concern raised
    from a case is also recorded as a disclosure of the case on the basis of child protection.
    """
    safeguarding_access.require_concern(by, concern)
    concern = Concern.objects.select_for_update(of=("self",)).select_related("case").get(pk=concern.pk)
    discussed = concern.discussions.exists()
    if not may_refer_yet(concern):
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
    if agency == ExternalReferral.Agency.SOCIAL_CARE:
        recipient, organisation = Recipient.SOCIAL_CARE, "Children's social care"
    else:
        recipient, organisation = Recipient.OTHER, "Police"
    disclosure = None
    if concern.case_id is not None:
        # Information from the case file went out: a disclosure of the case (R3), shown to leads.
        try:
            disclosure = consent_services.record_disclosure(
                by=by,
                case=concern.case,
                what=what_was_shared.strip(),
                recipient=recipient,
                organisation=organisation,
                when=made_at,
                how=how,
                basis=Disclosure.Basis.CHILD_PROTECTION,
                concern=concern,
            )
        except consent_services.ConsentError as error:
            raise SafeguardingError(str(error)) from error
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


@transaction.atomic
def close_concern(by, concern) -> Concern:
    """Close a concern (designated leads, or a senior manager who broke glass on its case): after
    a referral has been dealt with, or after monitoring. Refused while a discussion is still to
    be recorded. The file's retention period counts from here."""
    safeguarding_access.require_concern(by, concern)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status == Concern.Status.CLOSED:
        raise SafeguardingError("This concern is closed already.")
    if not concern.discussions.exists():
        raise SafeguardingError("Record the internal discussion before closing the concern.")
    concern.status = Concern.Status.CLOSED
    concern.closed_at = timezone.now()
    concern.save(update_fields=["status", "closed_at"])
    return concern


@transaction.atomic
def break_glass(by, case, *, reason: str, explanation: str) -> BreakGlassAccess:
    """A senior manager or head of service who is not a designated lead opens ``case``'s
    child-protection file, saying why (SECURITY control 27).

    Anyone else gets 404. The opening is recorded (its reason appears in the audit entry of
    its creation), lasts ``PPS_BREAK_GLASS_MINUTES``, is shown on the file to everyone who opens
    it and to the leads until one of them has reviewed it, and every lead is alerted. It is
    allowed whether or not the case has a file, so that asking reveals nothing.
    """
    if not safeguarding_access.may_break_glass(by):
        raise Http404
    cases_access.require_case(by, case)
    if reason not in BreakGlassAccess.Reason.values:
        raise SafeguardingError("Select why you need to open the child-protection file.")
    explanation = explanation.strip()
    if len(explanation) < 10:
        raise SafeguardingError("Explain why you need to open it now, in a sentence or more.")
    now = timezone.now()
    opening = BreakGlassAccess(
        case=case,
        opened_by=by,
        reason=reason,
        explanation=explanation,
        opened_at=now,
        expires_at=now + timezone.timedelta(minutes=settings.PPS_BREAK_GLASS_MINUTES),
    )
    opening.use_household_key(case.household_key())
    opening.save()
    alerts.notify_leads(case.service_id, Alert.Kind.BREAK_GLASS, break_glass=opening, actor=by)
    return opening


def queue(user):
    """The open concerns ``user`` may reach, most urgent first: a child in immediate danger whose
    concern is new or still waits for its discussion, then new concerns, then the rest; within
    each, the one waiting longest first."""

    urgency = Case(
        When(
            Q(immediate_danger=True) & (Q(status=Concern.Status.NEW) | Q(discussion_outstanding=True)),
            then=Value(0),
        ),
        When(status=Concern.Status.NEW, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Concern.objects.visible_to(user)
        .filter(status__in=Concern.OPEN_STATUSES)
        .annotate(urgency=urgency)
        .order_by("urgency", "raised_at")
    )


def openings_to_review(user):
    """Break-glass openings of ``user``'s service not yet reviewed (designated leads only)."""
    if not safeguarding_access.is_safeguarding_lead(user):
        return BreakGlassAccess.objects.none()
    return (
        BreakGlassAccess.objects.visible_to(user)
        .filter(reviewed_at__isnull=True)
        .exclude(case__status="destroyed")
        .select_related("case", "opened_by")
        .order_by("opened_at")
    )


@transaction.atomic
def review_break_glass(by, opening) -> BreakGlassAccess:
    """A designated lead has looked at why the file was opened: it leaves the "to review" list."""
    safeguarding_access.require_safeguarding_lead(by)
    access.require_reach(BreakGlassAccess.objects.visible_to(by), opening)
    if opening.reviewed_at is not None:
        raise SafeguardingError("This opening was reviewed already.")
    opening.reviewed_by = by
    opening.reviewed_at = timezone.now()
    opening.save(update_fields=["reviewed_by", "reviewed_at"])
    alerts.mark_seen(break_glass=opening)
    return opening


def _staff_member(by, member):
    """``member`` locked, if a member of ``by``'s own service (else 404); nothing recorded, as the
    page that calls this fetched them already."""
    return access.get_or_404(User.objects.select_for_update().filter(service_id=by.service_id), member.pk)


def _take_effect(designation, by) -> None:
    """Make the designation's member a lead at once, alert the existing leads, and put it on
    their "to review" list."""
    member = designation.member
    existing_leads = alerts.leads_of(member.service_id).exclude(pk__in=[member.pk, by.pk])
    designation.status = LeadDesignation.Status.IN_EFFECT
    designation.decided_by = by
    designation.decided_at = timezone.now()
    designation.save(update_fields=["status", "decided_by", "decided_at"])
    member.is_safeguarding_lead = True
    member.save(update_fields=["is_safeguarding_lead"])
    alerts.notify(existing_leads, Alert.Kind.DESIGNATION, designation=designation)


@transaction.atomic
def designate_lead(by, member) -> LeadDesignation:
    """The head of service makes a senior member of staff a designated safeguarding lead (who then
    reaches every child-protection file of the service).

    - Only the service's active head of service may (404 for anyone else).
    - Only an active senior manager or head of service can be a lead.
    - Designating someone else takes effect at once.
    - Designating oneself waits for a second person to confirm it (``confirm_designation``).
    - Every designation that takes effect alerts the existing leads and waits on their "to
      review" list until one of them has reviewed it.
    """
    if not safeguarding_access.may_designate_leads(by):
        raise Http404
    member = _staff_member(by, member)
    if not member.is_active:
        raise SafeguardingError(f"{member.display_name}'s account is closed.")
    if member.role not in SENIOR_ROLES:
        raise SafeguardingError(
            "Only a senior manager or the head of service can be a designated safeguarding lead."
        )
    if member.is_safeguarding_lead:
        raise SafeguardingError(f"{member.display_name} is a designated safeguarding lead already.")
    pending = LeadDesignation.objects.filter(member=member, status=LeadDesignation.Status.PENDING).first()
    if pending is not None:
        raise SafeguardingError(f"{member.display_name}'s designation is waiting for confirmation already.")
    designation = LeadDesignation.objects.create(service_id=member.service_id, member=member, asked_by=by)
    if member.pk != by.pk:
        _take_effect(designation, by)
    return designation


def _may_decide(user, designation) -> bool:
    """Who confirms or refuses a head of service's own designation as lead: a second person.

    - Never the person to be designated.
    - An active member of the same service.
    - Another active head of service where the service has one; where it has not, an active
      senior manager.
    """
    if not (user.is_active and user.service_id == designation.service_id):
        return False
    if user.pk == designation.member_id:
        return False
    other_heads = User.objects.filter(
        service_id=designation.service_id, role=Role.HEAD_OF_SERVICE, is_active=True
    ).exclude(pk=designation.member_id)
    if other_heads.exists():
        return user.role == Role.HEAD_OF_SERVICE
    return user.role in SENIOR_ROLES


def designations_to_decide(user):
    """The designations waiting for ``user`` to confirm or refuse them."""
    pending = LeadDesignation.objects.filter(
        service_id=user.service_id, status=LeadDesignation.Status.PENDING
    ).select_related("member", "asked_by")
    return [designation for designation in pending if _may_decide(user, designation)]


def _pending_designation(by, designation_id):
    """The pending designation ``designation_id`` of ``by``'s service, locked, else 404."""
    queryset = LeadDesignation.objects.select_for_update().filter(
        service_id=by.service_id, status=LeadDesignation.Status.PENDING
    )
    return access.get_or_404(queryset, designation_id)


@transaction.atomic
def confirm_designation(by, designation_id) -> LeadDesignation:
    """A second person confirms a head of service's designation of themselves (see
    ``_may_decide``); it takes effect at once and the existing leads are alerted. 404 for anyone
    who may not decide it."""
    designation = _pending_designation(by, designation_id)
    if not _may_decide(by, designation):
        raise Http404
    member = _staff_member(by, designation.member)
    if not member.is_active or member.role not in SENIOR_ROLES:
        raise SafeguardingError(f"{member.display_name} can no longer be a designated safeguarding lead.")
    designation.member = member
    _take_effect(designation, by)
    return designation


@transaction.atomic
def refuse_designation(by, designation_id) -> LeadDesignation:
    """The second person refuses the designation, or the person who asked withdraws it."""
    designation = _pending_designation(by, designation_id)
    if by.pk == designation.asked_by_id:
        designation.status = LeadDesignation.Status.WITHDRAWN
    elif _may_decide(by, designation):
        designation.status = LeadDesignation.Status.REFUSED
    else:
        raise Http404
    designation.decided_by = by
    designation.decided_at = timezone.now()
    designation.save(update_fields=["status", "decided_by", "decided_at"])
    return designation


def designations_to_review(user):
    """Designations of ``user``'s service that took effect and no lead has reviewed yet (leads
    only); a lead's own designation is reviewed by another lead."""
    if not safeguarding_access.is_safeguarding_lead(user):
        return LeadDesignation.objects.none()
    return (
        LeadDesignation.objects.filter(
            service_id=user.service_id, status=LeadDesignation.Status.IN_EFFECT, reviewed_at__isnull=True
        )
        .exclude(member=user)
        .select_related("member", "asked_by", "decided_by")
        .order_by("decided_at")
    )


@transaction.atomic
def review_designation(by, designation_id) -> LeadDesignation:
    """A designated lead has checked a new lead's designation: it leaves the "to review" list."""
    designation = access.get_or_404(
        designations_to_review(by).select_for_update(of=("self",)), designation_id
    )
    designation.reviewed_by = by
    designation.reviewed_at = timezone.now()
    designation.save(update_fields=["reviewed_by", "reviewed_at"])
    alerts.mark_seen(designation=designation)
    return designation


@transaction.atomic
def stop_as_lead(by, member):
    """The head of service stops someone being a designated safeguarding lead: at once. Refused
    for anyone else (404) and for the service's last active lead (the files must always have
    someone)."""
    if not safeguarding_access.may_designate_leads(by):
        raise Http404
    member = _staff_member(by, member)
    if member.is_safeguarding_lead:
        others = alerts.leads_of(member.service_id).exclude(pk=member.pk).select_for_update()
        if not others.exists():
            raise SafeguardingError(
                f"{member.display_name} is the service's only designated safeguarding lead: "
                "designate another first."
            )
        member.is_safeguarding_lead = False
        member.save(update_fields=["is_safeguarding_lead"])
    return member
