"""The mechanism every app's access rules are built on; the rules themselves live in each app.

- Every protected record's queryset is a ``RestrictedQuerySet``: ``Model.objects.visible_to(user)``
  is its rule, written in its app's ``access.py`` (``cases``, ``consent``, ``safeguarding``, ...).
- ``get_visible_or_404`` is the one getter: it answers ``Http404`` both for a record that does not
  exist and for one ``user`` may not reach, and records the read in the audit log.
- ``require_reach`` checks reach without recording, for service functions given a record that the
  page calling them fetched (and recorded) already: one ACCESS entry per record per request.
- Role checks that belong to no one app (casework at all, senior staff, the policy, the
  service's settings, staff records) are here too.

This module imports no domain app.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from pps.audit import record_access
from pps.models import CASE_ROLES, SENIOR_ROLES, Role, User


def active_staff(user) -> bool:
    """Does ``user`` hold an active staff account in a service? (Nothing is reachable without.)"""
    return bool(
        user is not None and user.is_authenticated and user.is_active and getattr(user, "service_id", None)
    )


class RestrictedQuerySet(models.QuerySet):
    """The queryset of a protected record: ``visible_to(user)`` narrows it to what ``user`` may
    reach. Each subclass states its rule in its docstring, one line per rule."""

    def visible_to(self, user):  # pragma: no cover - every subclass defines its rule
        raise NotImplementedError(f"{type(self).__name__} has no access rule")

    def visible_for_one(self, user):
        """``visible_to(user)``, for fetching a single record by its id (``get_visible_or_404``):
        the same rule, which a queryset may ask more cheaply of one record (cases: that case's
        own permission rows, rather than every case ``user`` reaches)."""
        return self.visible_to(user)


def get_or_404(queryset, pk):
    """``queryset.get(pk=pk)``, or 404 when there is no such row or ``pk`` is malformed."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValidationError, ValueError, TypeError):
        # Missing, not yours, or not even a well-formed id: the same answer.
        raise Http404 from None


def get_visible_or_404(user, queryset, pk, *, how: str, child_protection: bool = False):
    """The record ``pk`` among ``queryset.visible_to(user)``, else 404; the read is recorded.

    ``child_protection`` marks a read by a child-protection page, which access histories show
    only to those who may see such records.
    """
    record = get_or_404(queryset.visible_for_one(user), pk)
    record_access(user, [record], how=how, child_protection=child_protection)
    return record


def require_reach(visible, record) -> None:
    """404 unless ``record`` is among ``visible`` (a ``visible_to(user)`` queryset). Records
    nothing: for service functions given a record that the page calling them fetched, and whose
    read it recorded, through its getter (one ACCESS entry per record per request)."""
    if record is None or not visible.filter(pk=record.pk).exists():
        raise Http404


def can_work_on_cases(user) -> bool:
    """May ``user`` log contacts and open cases at all (caseworkers, volunteers, seniors)?"""
    return active_staff(user) and (user.role in CASE_ROLES or user.role in SENIOR_ROLES)


def require_casework(user) -> None:
    """404 for anyone who does no casework (coordinators, maintainers, other accounts)."""
    if not can_work_on_cases(user):
        raise Http404


def is_senior(user) -> bool:
    """Is ``user`` an active senior manager or head of service of a service?"""
    return active_staff(user) and user.role in SENIOR_ROLES


def require_senior(user) -> None:
    """404 for anyone who is not a senior manager or head of service of a service."""
    if not is_senior(user):
        raise Http404


def is_head_of_service(user) -> bool:
    """Is ``user`` the active head of service of a service?"""
    return active_staff(user) and user.role == Role.HEAD_OF_SERVICE


def get_staff_for_user(user, staff_id, *, how: str):
    """A member of ``user``'s own service, for senior staff only (else 404). Recorded."""
    require_senior(user)
    member = get_or_404(User.objects.filter(service_id=user.service_id), staff_id)
    record_access(user, [member], how=how)
    return member


def may_publish_policy(user) -> bool:
    """Who reads, publishes and follows agreement to the service's confidentiality policy (R17):
    its active senior managers and head of service."""
    return is_senior(user)


def may_change_service_settings(user) -> bool:
    """Who sees and changes the service's policy settings (retention, consent renewal, NNG, the
    statement, the idle lock, the office's details): its active head of service."""
    return is_head_of_service(user)
