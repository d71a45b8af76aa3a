"""Who may reach and decide subject access requests (R11) and legal requests (R12).

Getters raise ``Http404`` for a request that does not exist and for one that is not yours, and
record exactly one ACCESS entry for the record they return.
"""

from django.apps import apps
from django.http import Http404

from consent.models import SubjectAccessRequest
from pps.access import RestrictedQuerySet, get_or_404
from pps.audit import record_access
from pps.models import SENIOR_ROLES, Role
from safeguarding import access as safeguarding_access
from safeguarding.models import Concern


def _active(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and getattr(user, "service_id", None)
    )


def get_subject_access_request_for_user(
    user, request_id, *, how: str = "subject access request", child_protection: bool = False
):
    """The request ``request_id`` if ``user`` may reach it (``SubjectAccessRequest.objects.visible_to``),
    else 404. Recorded; with ``child_protection`` (a lead's decision on a file), shown only in
    histories leads may see."""
    sar = get_or_404(
        SubjectAccessRequest.objects.visible_to(user).select_related(
            "case", "case__parent", "case__service", "child", "recorded_by"
        ),
        request_id,
    )
    sar.use_household_key(sar.case.household_key())
    record_access(user, [sar], how=how, child_protection=child_protection)
    return sar


def may_work_on_requests(user) -> bool:
    """Who checks identity, stops the clock, extends, assembles the pack, marks redactions and
    records sending: active senior managers and the head of service."""
    return _active(user) and user.role in SENIOR_ROLES


def may_approve_requests(user) -> bool:
    """Who approves a pack for sending, and refuses or partly refuses a request: the active head
    of service only (SPEC, roles)."""
    return _active(user) and user.role == Role.HEAD_OF_SERVICE


def may_review_child_protection(user) -> bool:
    """Who sees and decides the child-protection files of a request (policy 002, R6): an active
    designated safeguarding lead of the service who may reach the request. Break glass grants
    nothing here: the review is the leads' own."""
    return may_work_on_requests(user) and safeguarding_access.is_safeguarding_lead(user)


def may_download_pack(user) -> bool:
    """Who downloads the finished pack: the head of service and senior managers."""
    return may_work_on_requests(user)


def require(allowed: bool) -> None:
    if not allowed:
        raise Http404


def concerns_for_request(user, sar, case):
    """The child-protection files about the household the pack is gathered from (``case``'s
    parent), for a designated lead only; nobody else learns whether there are any (404 rules
    of ``Concern.objects.visible_to``, without break glass)."""

    if case is None or not may_review_child_protection(user):
        return Concern.objects.none()
    return Concern.objects.visible_to(user).filter(case__parent_id=case.parent_id, case__service=sar.service)


def may_decide_legal_requests(user) -> bool:
    """Who reaches and decides legal and local-authority requests (R12), one person at a time:

    - the active head of service of the service, unless the service marks them absent;
    - while the head of service is marked absent, the active deputy named in the service's
      settings (``Service.legal_request_deputy``), if that deputy is senior staff of the service;
    - nobody else: not other senior managers, caseworkers, coordinators, maintainers or other
      services (404).
    """
    if not may_work_on_requests(user):
        return False
    service = user.service
    if not service.head_of_service_absent:
        return user.role == Role.HEAD_OF_SERVICE
    return service.legal_request_deputy_id == user.pk


def may_set_legal_request_deputy(user) -> bool:
    """Who names the deputy and marks the head of service absent or back: the head of service."""
    return _active(user) and user.role == Role.HEAD_OF_SERVICE


class LegalRequestQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The legal requests ``user`` may reach.

        - All of their service's for the person who decides them now
          (``may_decide_legal_requests``); none for anyone else.
        - Nobody reaches one whose household was destroyed.
        """
        if not may_decide_legal_requests(user):
            return self.none()
        return self.filter(service_id=user.service_id).exclude(case__status="destroyed")


def get_legal_request_for_user(user, request_id, *, how: str = "legal request"):
    """The legal request ``request_id`` if ``user`` may reach it (see above), else 404. Recorded."""
    legal = get_or_404(
        apps.get_model("rights", "LegalRequest")
        .objects.visible_to(user)
        .select_related("case", "case__parent", "service", "recorded_by"),
        request_id,
    )
    legal.use_household_key(legal.case.household_key())
    record_access(user, [legal], how=how)
    return legal
