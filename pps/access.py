"""Who may reach which record: the one place where access rules live.

Every list, search, dashboard, export and detail page asks these functions, so the same person
gets the same answer everywhere. Someone who may not see a record gets ``Http404``, exactly as
for a record that does not exist.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from pps import request_scope
from pps.audit import record_access
from pps.models import CASE_ROLES, SENIOR_ROLES

#: What being assigned to a case grants.
CASE_PERMISSIONS = ("cases.view_case", "cases.change_case")


def _active_staff(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and getattr(user, "service_id", None)
    )


def cases_visible_to(user, queryset=None):
    """The cases ``user`` may reach.

    - Nobody without an active staff account in a service reaches any case.
    - Nobody reaches a case of another service.
    - Senior managers and the head of service reach every case of their service.
    - Caseworkers and volunteers reach the cases they are assigned to (object permission),
      directly or through a group; model-wide permissions grant nothing.
    - Coordinators and maintainers reach no case; neither does a superuser as such.
    - Nobody reaches the case of a destroyed household (its data key gone).
    """
    from cases.models import Case

    queryset = Case.objects.all() if queryset is None else queryset
    if not _active_staff(user):
        return queryset.none()
    queryset = queryset.exclude(status="destroyed")
    if user.role in SENIOR_ROLES:
        return queryset.filter(service_id=user.service_id)
    if user.role in CASE_ROLES:
        # The ids (of the user's own service only) are read first, in one indexed query: as a
        # subquery beside a service filter, SQLite would scan all the service's cases instead.
        return queryset.filter(pk__in=assigned_case_ids(user))
    return queryset.none()


def assigned_case_ids(user) -> set:
    """Ids of the cases of ``user``'s service that ``user`` holds the object permission
    ``view_case`` on, directly or through a group, read from guardian's direct foreign-key tables.

    It asks the same as ``get_objects_for_user(user, "cases.view_case", accept_global_perms=False,
    with_superuser=False)``, but that builds ``REPLACE(content_object_id, '-', '')`` for UUID keys,
    which no index can serve: a list page cost ten times more with 100,000 cases.
    """
    from cases.models import CaseGroupObjectPermission, CaseUserObjectPermission

    view_case = {
        "permission__codename": "view_case",
        "permission__content_type__app_label": "cases",
        "content_object__service_id": user.service_id,
    }
    direct = CaseUserObjectPermission.objects.filter(user=user, **view_case)
    through_groups = CaseGroupObjectPermission.objects.filter(group__user=user, **view_case)
    ids = direct.values_list("content_object_id", flat=True).union(
        through_groups.values_list("content_object_id", flat=True)
    )
    # Read once per request (``pps.request_scope``); forgotten when a case permission changes.
    return set(request_scope.remembered(("assigned_case_ids", user.pk), lambda: frozenset(ids)))


def parents_visible_to(user, queryset=None):
    """The parents ``user`` may reach: those with at least one case ``user`` may reach.

    A destroyed household (its data key gone) is reached by nobody.
    """
    from cases.models import Parent

    queryset = Parent.objects.all() if queryset is None else queryset
    if not _active_staff(user):
        return queryset.none()
    # A destroyed household (no data key) has nothing left to show.
    queryset = queryset.filter(service_id=user.service_id).exclude(data_key="")
    if user.role in SENIOR_ROLES:
        return queryset
    return queryset.filter(cases__in=cases_visible_to(user)).distinct()


def contacts_visible_to(user, queryset=None):
    """The contacts ``user`` may reach.

    - Contacts on a case: exactly when the case is reachable.
    - NNG contacts hold nothing personal: any caseworker, volunteer or senior of the service.
    """
    from django.db.models import Q

    from cases.models import Contact

    queryset = Contact.objects.all() if queryset is None else queryset
    if not _active_staff(user) or not (user.role in CASE_ROLES or user.role in SENIOR_ROLES):
        return queryset.none()
    queryset = queryset.filter(service_id=user.service_id)
    return queryset.filter(Q(case__isnull=True) | Q(case__in=cases_visible_to(user)))


def can_work_on_cases(user) -> bool:
    """May ``user`` log contacts and open cases at all (caseworkers, volunteers, seniors)?"""
    return _active_staff(user) and (user.role in CASE_ROLES or user.role in SENIOR_ROLES)


def require_casework(user) -> None:
    """404 for anyone who does no casework (coordinators, maintainers, other accounts)."""
    if not can_work_on_cases(user):
        raise Http404


def require_senior(user) -> None:
    """404 for anyone who is not a senior manager or head of service of a service."""
    if not (_active_staff(user) and user.role in SENIOR_ROLES):
        raise Http404


def get_or_404(queryset, pk):
    """``queryset.get(pk=pk)``, or 404 when there is no such row or ``pk`` is malformed."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValidationError, ValueError, TypeError):
        # Missing, not yours, or not even a well-formed id: the same answer.
        raise Http404 from None


def get_case_for_user(user, case_id, *, how: str = "case page", child_protection: bool = False):
    """The case ``case_id`` if ``user`` may reach it (see ``cases_visible_to``), else 404.

    The read is recorded in the audit log; ``child_protection`` marks a read by a
    child-protection page, which histories show only to those who may see such records.
    """
    case = get_or_404(cases_visible_to(user).select_related("parent", "service"), case_id)
    record_access(user, [case], how=how, child_protection=child_protection)
    return case


def require_reach(visible, record) -> None:
    """404 unless ``record`` is among ``visible`` (a ``*_visible_to(user)`` queryset). Records
    nothing: for service functions given a record that the page calling them fetched, and whose
    read it recorded, through its ``get_*_for_user`` getter (one ACCESS entry per record per
    request)."""
    if record is None or not visible.filter(pk=record.pk).exists():
        raise Http404


def require_case(user, case) -> None:
    """404 unless ``user`` may reach ``case`` (see ``require_reach``)."""
    require_reach(cases_visible_to(user), case)


def get_parent_for_user(user, parent_id, *, how: str = "parent page"):
    """The parent ``parent_id`` if ``user`` may reach them (see ``parents_visible_to``), else 404.

    The read is recorded in the audit log.
    """
    parent = get_or_404(parents_visible_to(user), parent_id)
    record_access(user, [parent], how=how)
    return parent


def get_child_for_user(user, child_id, *, how: str = "child"):
    """The child ``child_id`` if ``user`` may reach their parent, else 404. Recorded."""
    from cases.models import Child

    child = get_or_404(
        Child.objects.filter(parent__in=parents_visible_to(user)).select_related("parent"),
        child_id,
    )
    record_access(user, [child], how=how)
    return child


def get_contact_for_user(user, contact_id, *, how: str = "contact"):
    """The contact ``contact_id`` if ``user`` may reach it (see ``contacts_visible_to``), else 404."""
    contact = get_or_404(contacts_visible_to(user), contact_id)
    record_access(user, [contact], how=how)
    return contact


def assign_to_case(user, case) -> None:
    """Give ``user`` the reach that working on ``case`` needs."""
    for permission in CASE_PERMISSIONS:
        assign_perm(permission, user, case)


def unassign_from_case(user, case) -> None:
    for permission in CASE_PERMISSIONS:
        remove_perm(permission, user, case)


def staff_on_case(case):
    """The staff assigned to ``case`` (directly), for display and checks."""
    return staff_on_case_queryset([case])


def staff_on_case_queryset(cases):
    """The staff assigned directly to any of ``cases``."""
    from pps.models import User

    return (
        User.objects.filter(
            caseuserobjectpermission__content_object__in=cases,
            caseuserobjectpermission__permission__codename="view_case",
        )
        .defer("password")
        .distinct()
    )


def separated_parent_cases(case):
    """The cases linked to ``case`` as the other separated parent of the same child (R5)."""
    from django.db.models import Q

    from cases.models import Case, SeparatedParentsLink

    links = SeparatedParentsLink.objects.filter(Q(first=case) | Q(second=case))
    ids = {link.first_id for link in links} | {link.second_id for link in links}
    ids.discard(case.pk)
    return Case.objects.filter(pk__in=ids)


def staff_on_other_parents_case(case):
    """Active caseworkers and volunteers who work on a linked case of the other separated parent,
    and so may not be put on ``case`` (R5)."""
    from pps.models import User

    on_other_parent = staff_on_case_queryset(separated_parent_cases(case))
    return User.objects.filter(
        pk__in=on_other_parent, service_id=case.service_id, is_active=True, role__in=CASE_ROLES
    ).order_by("first_name", "last_name")


def assignable_staff(case):
    """Who may be put on ``case``: active caseworkers and volunteers of its service.

    Staff already on a linked case of the other separated parent are excluded (R5).
    """
    from pps.models import User

    on_other_parent = staff_on_case_queryset(separated_parent_cases(case))
    return (
        User.objects.filter(service_id=case.service_id, is_active=True, role__in=CASE_ROLES)
        .exclude(pk__in=on_other_parent)
        .exclude(pk__in=staff_on_case(case))
        .order_by("first_name", "last_name")
    )


def get_staff_for_user(user, staff_id, *, how: str):
    """A member of ``user``'s own service, for senior staff only (else 404). Recorded."""
    from pps.models import User

    require_senior(user)
    member = get_or_404(User.objects.filter(service_id=user.service_id), staff_id)
    record_access(user, [member], how=how)
    return member


def consents_visible_to(user, queryset=None):
    """The consents to share ``user`` may reach.

    - Only consents recorded on a case: exactly when that case is reachable.
    - The keep-details consent made at registration (no case) is shown with the parent's record.
    """
    from consent.models import Consent

    queryset = Consent.objects.all() if queryset is None else queryset
    return queryset.filter(case__isnull=False, case__in=cases_visible_to(user))


def disclosures_visible_to(user, queryset=None):
    """The disclosures ``user`` may reach.

    - Exactly when their case is reachable.
    - A child-protection referral only by the service's designated safeguarding leads (R6):
      for anyone else, the case shows no trace of it.
    """
    from consent.models import Disclosure

    queryset = Disclosure.objects.all() if queryset is None else queryset
    queryset = queryset.filter(case__in=cases_visible_to(user))
    if not getattr(user, "is_safeguarding_lead", False):
        queryset = queryset.exclude(basis=Disclosure.Basis.CHILD_PROTECTION)
    return queryset


def get_consent_for_user(user, consent_id, *, how: str = "consent"):
    """The consent ``consent_id`` if ``user`` may reach it (see ``consents_visible_to``), else 404.

    The read is recorded in the audit log.
    """
    consent = get_or_404(
        consents_visible_to(user).select_related("case", "case__parent", "recorded_by"), consent_id
    )
    record_access(user, [consent], how=how)
    return consent


def statements_sent_visible_to(user, queryset=None):
    """The records that the permission form and statement were given: exactly when their case is
    reachable."""
    from consent.models import StatementSent

    queryset = StatementSent.objects.all() if queryset is None else queryset
    return queryset.filter(case__in=cases_visible_to(user))


def can_take_referrals(user) -> bool:
    """May ``user`` record a referral from a third party (caseworkers and senior staff)?"""
    from pps.models import Role

    return _active_staff(user) and (user.role == Role.CASEWORKER or user.role in SENIOR_ROLES)


def referrals_visible_to(user, queryset=None):
    """The referrals ``user`` may reach (R4, R7).

    - Nobody without an active staff account in a service reaches any referral.
    - Nobody reaches a referral of another service.
    - Senior managers and the head of service reach every open referral of their service.
    - A caseworker reaches the referrals they took (need to know: a pending request holds a
      parent's name and contact details before the parent has agreed to anything).
    - Volunteers, coordinators and maintainers reach none.
    - A closed referral (its personal data destroyed) is reached by nobody.
    """
    from consent.models import Referral
    from pps.models import Role

    queryset = Referral.objects.all() if queryset is None else queryset
    if not can_take_referrals(user):
        return queryset.none()
    queryset = queryset.filter(service_id=user.service_id).exclude(status=Referral.Status.CLOSED)
    if user.role in SENIOR_ROLES:
        return queryset
    if user.role == Role.CASEWORKER:
        return queryset.filter(received_by=user)
    return queryset.none()  # pragma: no cover - can_take_referrals let no one else through


def get_referral_for_user(user, referral_id, *, how: str = "referral"):
    """The referral ``referral_id`` if ``user`` may reach it (see ``referrals_visible_to``), else
    404. The read is recorded in the audit log."""
    referral = get_or_404(referrals_visible_to(user).select_related("received_by", "consent_by"), referral_id)
    record_access(user, [referral], how=how)
    return referral


def subject_access_requests_visible_to(user, queryset=None):
    """The subject access requests ``user`` may reach (R5, R11).

    - Only senior managers and the head of service of the request's service.
    - Nobody reaches one whose case's household was destroyed.
    - Everyone else, including the caseworker who recorded it, reaches none.
    """
    from consent.models import SubjectAccessRequest

    queryset = SubjectAccessRequest.objects.all() if queryset is None else queryset
    if not (_active_staff(user) and user.role in SENIOR_ROLES):
        return queryset.none()
    return queryset.filter(service_id=user.service_id).exclude(case__status="destroyed")


def is_safeguarding_lead(user) -> bool:
    """Is ``user`` an active designated safeguarding lead of a service?"""
    return _active_staff(user) and bool(getattr(user, "is_safeguarding_lead", False))


def require_safeguarding_lead(user) -> None:
    """404 for anyone who is not an active designated safeguarding lead of a service."""
    if not is_safeguarding_lead(user):
        raise Http404


def concerns_visible_to(user, queryset=None):
    """The child-protection concerns ``user`` may reach (R6, SECURITY control 27).

    - Active designated safeguarding leads (``is_safeguarding_lead``) reach the concerns of
      their own service's cases.
    - A senior manager or head of service who is not a lead reaches the concerns of one case
      only after breaking glass on it (``safeguarding.services.break_glass``: a stated reason,
      recorded, the leads alerted), and only while that lasts.
    - Access to the case grants nothing: not the caseworker or volunteer on it, not a senior
      manager or head of service who has not broken glass, not coordinators or maintainers.
    - A superuser flag or model-wide permission grants nothing.
    - The file outlives its case: a lead still reaches the concern of a destroyed household.
    - Nobody reaches a destroyed concern (``cases.retention``: its own data key gone).
    """
    from safeguarding.models import Concern

    queryset = Concern.objects.all() if queryset is None else queryset
    if is_safeguarding_lead(user):
        queryset = queryset.filter(service_id=user.service_id)
    elif may_break_glass(user):
        queryset = queryset.filter(service_id=user.service_id, case__in=broken_glass_cases(user))
    else:
        return queryset.none()
    return queryset.filter(destroyed_at__isnull=True)


def may_break_glass(user) -> bool:
    """May ``user`` open a case's child-protection file by stating a reason: an active senior
    manager or head of service who is not a designated lead (leads need not)."""
    return _active_staff(user) and user.role in SENIOR_ROLES and not is_safeguarding_lead(user)


def broken_glass_cases(user):
    """The ids of the cases whose child-protection file ``user`` has opened by break glass and
    may still reach (each opening lasts ``PPS_BREAK_GLASS_MINUTES``)."""
    from safeguarding.models import BreakGlassAccess

    return BreakGlassAccess.objects.filter(opened_by=user, expires_at__gt=timezone.now()).values("case_id")


def may_see_child_protection_records(user) -> bool:
    """Whether audit histories shown to ``user`` may mention child-protection records at all."""
    return is_safeguarding_lead(user)


def require_concern(user, concern) -> None:
    """404 unless ``user`` may reach ``concern`` (see ``require_reach``)."""
    require_reach(concerns_visible_to(user), concern)


def get_concern_for_user(user, concern_id, *, how: str = "concern page"):
    """The concern ``concern_id`` if ``user`` may reach it (see ``concerns_visible_to``), else 404.

    The read is recorded in the audit log.
    """
    concern = get_or_404(concerns_visible_to(user).select_related("case", "case__parent"), concern_id)
    record_access(user, [concern], how=how)
    return concern


def concern_receipts_visible_to(user, queryset=None):
    """The concerns whose *receipt* (status and dates, nothing of the content) ``user`` may see.

    - Only the person who raised a concern sees its receipt, while active in the same service.
    - The receipt never grants the concern itself (``concerns_visible_to``).
    """
    from safeguarding.models import Concern

    queryset = Concern.objects.all() if queryset is None else queryset
    if not _active_staff(user):
        return queryset.none()
    return queryset.filter(raised_by=user, service_id=user.service_id).exclude(case__status="destroyed")


def get_concern_receipt_for_user(user, concern_id, *, how: str = "concern receipt"):
    """The concern ``concern_id`` for its receipt page if ``user`` raised it, else 404.

    The page shows only status and dates; the read is recorded in the audit log.
    """
    concern = get_or_404(concern_receipts_visible_to(user), concern_id)
    record_access(user, [concern], how=how)
    return concern


def break_glass_openings_visible_to(user, queryset=None):
    """Break-glass openings (``safeguarding.models.BreakGlassAccess``) ``user`` may see.

    - A designated lead: every opening of their service's files.
    - A senior manager who is not a lead: their own openings, and every opening of a file they
      may reach now by break glass (the file shows who else opened it, to everyone who opens it).
    - Anyone else: none.
    """
    from django.db.models import Q

    from safeguarding.models import BreakGlassAccess

    queryset = BreakGlassAccess.objects.all() if queryset is None else queryset
    if is_safeguarding_lead(user):
        return queryset.filter(case__service_id=user.service_id)
    if may_break_glass(user):
        return queryset.filter(case__service_id=user.service_id).filter(
            Q(opened_by=user) | Q(case__in=broken_glass_cases(user))
        )
    return queryset.none()


def get_break_glass_opening_for_user(user, opening_id, *, how: str = "break-glass opening"):
    openings = break_glass_openings_visible_to(user).select_related("case", "opened_by")
    opening = get_or_404(openings, opening_id)
    record_access(user, [opening], how=how)
    return opening


def may_designate_leads(user) -> bool:
    """Who chooses the service's designated safeguarding leads: its active head of service."""
    from pps.models import Role

    return _active_staff(user) and user.role == Role.HEAD_OF_SERVICE


def may_publish_policy(user) -> bool:
    """Who reads, publishes and follows agreement to the service's confidentiality policy (R17):
    its active senior managers and head of service."""
    return _active_staff(user) and user.role in SENIOR_ROLES


def may_change_service_settings(user) -> bool:
    """Who sees and changes the service's policy settings (retention, consent renewal, NNG, the
    statement, the idle lock, the office's details): its active head of service."""
    from pps.models import Role

    return _active_staff(user) and user.role == Role.HEAD_OF_SERVICE
