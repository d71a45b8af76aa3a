"""Who may reach which training case study (R14, R7).

Someone who may not reach a case study gets ``Http404``, exactly as for one that does not exist;
every getter records one ACCESS entry in the audit log.
"""

from django.db.models import Q

from pps.access import _active_staff, get_or_404
from pps.audit import record_access
from pps.models import CASE_ROLES, SENIOR_ROLES


def may_read_training(user) -> bool:
    """Who has the Training menu: the service's caseworkers, volunteers, senior managers and
    head of service (not coordinators or maintainers)."""
    return _active_staff(user) and (user.role in CASE_ROLES or user.role in SENIOR_ROLES)


def may_make_case_studies(user) -> bool:
    """Who makes case studies from cases: senior managers and the head of service."""
    return _active_staff(user) and user.role in SENIOR_ROLES


def case_studies_visible_to(user, queryset=None):
    """The case studies ``user`` may reach.

    - Nobody without an active staff account in a service reaches any.
    - Nobody reaches a case study of another service.
    - Coordinators and maintainers reach none; neither does a superuser as such.
    - Caseworkers and volunteers reach approved case studies only.
    - Senior managers and the head of service reach approved ones, those waiting for approval,
      and the drafts they made themselves (a draft may still hold something not yet checked).
    """
    from training.models import CaseStudy

    queryset = CaseStudy.objects.all() if queryset is None else queryset
    if not may_read_training(user):
        return queryset.none()
    queryset = queryset.filter(service_id=user.service_id)
    approved = Q(status=CaseStudy.Status.APPROVED)
    if user.role in SENIOR_ROLES:
        return queryset.filter(
            approved | Q(status=CaseStudy.Status.SUBMITTED) | Q(status=CaseStudy.Status.DRAFT, made_by=user)
        )
    return queryset.filter(approved)


def case_studies_editable_by(user, queryset=None):
    """The case studies ``user`` may edit and submit: their own drafts (senior staff only)."""
    from training.models import CaseStudy

    if not may_make_case_studies(user):
        return (CaseStudy.objects.all() if queryset is None else queryset).none()
    return case_studies_visible_to(user, queryset).filter(status=CaseStudy.Status.DRAFT, made_by=user)


def case_studies_to_approve_by(user, queryset=None):
    """The case studies ``user`` may approve or send back: waiting for approval, of their own
    service, made by someone else (a second senior person)."""
    from training.models import CaseStudy

    if not may_make_case_studies(user):
        return (CaseStudy.objects.all() if queryset is None else queryset).none()
    return (
        case_studies_visible_to(user, queryset)
        .filter(status=CaseStudy.Status.SUBMITTED)
        .exclude(made_by=user)
    )


def case_studies_withdrawable_by(user, queryset=None):
    """The case studies ``user`` may withdraw: senior staff, any they can see (their own drafts,
    those waiting for approval, approved ones)."""
    from training.models import CaseStudy

    if not may_make_case_studies(user):
        return (CaseStudy.objects.all() if queryset is None else queryset).none()
    return case_studies_visible_to(user, queryset)


def get_case_study_for_withdrawal(user, case_study_id, *, how: str = "withdraw training case study"):
    """The case study if ``user`` may withdraw it (``case_studies_withdrawable_by``), else 404.
    Recorded."""
    study = get_or_404(case_studies_withdrawable_by(user), case_study_id)
    record_access(user, [study], how=how)
    return study


def get_case_study_for_user(user, case_study_id, *, how: str = "training case study"):
    """The case study if ``user`` may read it (``case_studies_visible_to``), else 404. Recorded."""
    study = get_or_404(case_studies_visible_to(user).select_related("made_by", "approved_by"), case_study_id)
    record_access(user, [study], how=how)
    return study


def get_case_study_for_editing(user, case_study_id, *, how: str = "edit training case study"):
    """The case study if ``user`` may edit it (``case_studies_editable_by``), else 404. Recorded."""
    study = get_or_404(case_studies_editable_by(user), case_study_id)
    record_access(user, [study], how=how)
    return study


def get_case_study_for_approval(user, case_study_id, *, how: str = "approve training case study"):
    """The case study if ``user`` may approve it (``case_studies_to_approve_by``), else 404.
    Recorded."""
    study = get_or_404(case_studies_to_approve_by(user).select_related("made_by"), case_study_id)
    record_access(user, [study], how=how)
    return study
