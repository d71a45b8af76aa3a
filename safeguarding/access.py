"""Who may reach child-protection concerns, their receipts and break-glass openings (R6,
SECURITY control 27).

Each rule is the ``visible_to`` of its record's queryset; someone who may not reach a record gets
``Http404``, exactly as for a record that does not exist. The getters record one ACCESS entry.
Models import this module for their querysets, so it names
them through the app registry.
"""

from django.apps import apps
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from pps.access import (
    RestrictedQuerySet,
    active_staff,
    get_or_404,
    get_visible_or_404,
    is_head_of_service,
    require_reach,
)
from pps.audit import record_access
from pps.models import SENIOR_ROLES


def is_safeguarding_lead(user) -> bool:
    """Is ``user`` an active designated safeguarding lead of a service?"""
    return active_staff(user) and bool(getattr(user, "is_safeguarding_lead", False))


def require_safeguarding_lead(user) -> None:
    """404 for anyone who is not an active designated safeguarding lead of a service."""
    if not is_safeguarding_lead(user):
        raise Http404


def may_break_glass(user) -> bool:
    """May ``user`` open a case's child-protection file by stating a reason: an active senior
    manager or head of service who is not a designated lead (leads need not)."""
    return active_staff(user) and user.role in SENIOR_ROLES and not is_safeguarding_lead(user)


def broken_glass_cases(user):
    """The ids of the cases whose child-protection file ``user`` has opened by break glass and
    may still reach (each opening lasts ``PPS_BREAK_GLASS_MINUTES``)."""
    openings = apps.get_model("safeguarding", "BreakGlassAccess").objects
    return openings.filter(opened_by=user, expires_at__gt=timezone.now()).values("case_id")


def may_ask_for_case_files(user) -> bool:
    """Who may ask for a case's child-protection file at all (others get 404): designated leads,
    and senior managers who may break glass (they are sent to break glass first)."""
    return is_safeguarding_lead(user) or may_break_glass(user)


def reaches_file_of(user, case) -> bool:
    """May ``user`` read ``case``'s child-protection file now: a designated lead of its service,
    or a senior manager whose break-glass opening on it still lasts."""
    if is_safeguarding_lead(user):
        return case.service_id == user.service_id
    return may_break_glass(user) and broken_glass_cases(user).filter(case_id=case.pk).exists()


def may_see_child_protection_records(user) -> bool:
    """Whether audit histories shown to ``user`` may mention child-protection records at all."""
    return is_safeguarding_lead(user)


def may_designate_leads(user) -> bool:
    """Who chooses the service's designated safeguarding leads: its active head of service."""
    return is_head_of_service(user)


class ConcernQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The child-protection concerns ``user`` may reach.

        - Active designated safeguarding leads reach the concerns of their own service.
        - A senior manager or head of service who is not a lead reaches the concerns of one case
          only after breaking glass on it (``safeguarding.services.break_glass``: a stated
          reason, recorded, the leads alerted), and only while that lasts.
        - Access to the case grants nothing: not the caseworker or volunteer on it, not a senior
          manager or head of service who has not broken glass, not coordinators or maintainers.
        - A superuser flag or model-wide permission grants nothing.
        - The file outlives its case: a lead still reaches the concern of a destroyed household.
        - Nobody reaches a destroyed concern (its own data key gone).
        """
        if is_safeguarding_lead(user):
            queryset = self.filter(service_id=user.service_id)
        elif may_break_glass(user):
            queryset = self.filter(service_id=user.service_id, case__in=broken_glass_cases(user))
        else:
            return self.none()
        return queryset.filter(destroyed_at__isnull=True)

    def receipts_visible_to(self, user):
        """The concerns whose *receipt* (status and dates, nothing of the content) ``user`` may see.

        - Only the person who raised a concern sees its receipt, while active in the same service.
        - The receipt never grants the concern itself (``visible_to``).
        """
        if not active_staff(user):
            return self.none()
        return self.filter(raised_by=user, service_id=user.service_id).exclude(case__status="destroyed")

    def marked_on_case_page(self, user):
        """The concerns a case page marks for ``user``: to a designated lead, the concerns
        (``visible_to``); to anyone else, the receipts of those they raised
        (``receipts_visible_to``). A case page asks whether there are any with its other
        records, in one query (``cases.case_page.has_records``): a concern ``user`` may not see
        leaves the page doing what it does on a case without one."""
        if is_safeguarding_lead(user):
            return self.visible_to(user)
        return self.receipts_visible_to(user)


class BreakGlassAccessQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """Break-glass openings ``user`` may see.

        - A designated lead: every opening of their service's files.
        - A senior manager who is not a lead: their own openings, and every opening of a file
          they may reach now by break glass (the file shows who else opened it, to everyone
          who opens it).
        - Anyone else: none.
        """
        if is_safeguarding_lead(user):
            return self.filter(case__service_id=user.service_id)
        if may_break_glass(user):
            return self.filter(case__service_id=user.service_id).filter(
                Q(opened_by=user) | Q(case__in=broken_glass_cases(user))
            )
        return self.none()


def _concerns():
    return apps.get_model("safeguarding", "Concern").objects


def require_concern(user, concern) -> None:
    """404 unless ``user`` may reach ``concern``. Records nothing (see ``require_reach``)."""
    require_reach(_concerns().visible_to(user), concern)


def get_concern_for_user(user, concern_id, *, how: str = "concern page"):
    """The concern ``concern_id`` if ``user`` may reach it, else 404. Recorded."""
    concerns = _concerns().select_related("case", "case__parent")
    return get_visible_or_404(user, concerns, concern_id, how=how)


def get_concern_receipt_for_user(user, concern_id, *, how: str = "concern receipt"):
    """The concern ``concern_id`` for its receipt page if ``user`` raised it, else 404.

    The page shows only status and dates; the read is recorded in the audit log.
    """
    concern = get_or_404(_concerns().receipts_visible_to(user), concern_id)
    record_access(user, [concern], how=how)
    return concern


def get_break_glass_opening_for_user(user, opening_id, *, how: str = "break-glass opening"):
    """The opening ``opening_id`` if ``user`` may see it, else 404. Recorded."""
    openings = apps.get_model("safeguarding", "BreakGlassAccess").objects.select_related("case", "opened_by")
    return get_visible_or_404(user, openings, opening_id, how=how)
