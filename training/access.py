"""Who may reach which training case study (R14, R7).

Someone who may not reach a case study gets ``Http404``, exactly as for one that does not exist;
every getter records one ACCESS entry in the audit log.
"""

from django.apps import apps
from django.db.models import Q

from pps.access import RestrictedQuerySet, get_or_404
from pps.access import active_staff as _active_staff
from pps.audit import record_access
from pps.models import CASE_ROLES, SENIOR_ROLES


def may_read_training(user) -> bool:
    """Who has the Training menu: the service's caseworkers, volunteers, senior managers and
    head of service (not coordinators or maintainers)."""
    return _active_staff(user) and (user.role in CASE_ROLES or user.role in SENIOR_ROLES)


def may_make_case_studies(user) -> bool:
    """Who makes case studies from cases: senior managers and the head of service."""
    return _active_staff(user) and user.role in SENIOR_ROLES


def _studies():
    return apps.get_model("training", "CaseStudy").objects


class CaseStudyQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The case studies ``user`` may reach.

        - Nobody without an active staff account in a service reaches any.
        - Nobody reaches a case study of another service.
        - Coordinators and maintainers reach none; neither does a superuser as such.
        - Caseworkers and volunteers reach approved case studies only.
        - Senior managers and the head of service reach approved ones, those waiting for
          approval, and the drafts they made themselves (a draft may still hold something not
          yet checked).
        """
        if not may_read_training(user):
            return self.none()
        queryset = self.filter(service_id=user.service_id)
        approved = Q(status="approved")
        if user.role in SENIOR_ROLES:
            return queryset.filter(approved | Q(status="submitted") | Q(status="draft", made_by=user))
        return queryset.filter(approved)

    def editable_by(self, user):
        """The case studies ``user`` may edit and submit: their own drafts (senior staff only)."""
        if not may_make_case_studies(user):
            return self.none()
        return self.visible_to(user).filter(status="draft", made_by=user)

    def to_approve_by(self, user):
        """The case studies ``user`` may approve or send back: waiting for approval, of their own
        service, made by someone else (a second senior person)."""
        if not may_make_case_studies(user):
            return self.none()
        return self.visible_to(user).filter(status="submitted").exclude(made_by=user)

    def withdrawable_by(self, user):
        """The case studies ``user`` may withdraw: senior staff, any they can see (their own
        drafts, those waiting for approval, approved ones)."""
        if not may_make_case_studies(user):
            return self.none()
        return self.visible_to(user)


def get_case_study_for_withdrawal(user, case_study_id, *, how: str = "withdraw training case study"):
    """The case study if ``user`` may withdraw it (``CaseStudy.objects.withdrawable_by``), else 404.
    Recorded."""
    study = get_or_404(_studies().withdrawable_by(user), case_study_id)
    record_access(user, [study], how=how)
    return study


def get_case_study_for_user(user, case_study_id, *, how: str = "training case study"):
    """The case study if ``user`` may read it (``CaseStudy.objects.visible_to``), else 404. Recorded."""
    study = get_or_404(_studies().visible_to(user).select_related("made_by", "approved_by"), case_study_id)
    record_access(user, [study], how=how)
    return study


def get_case_study_for_editing(user, case_study_id, *, how: str = "edit training case study"):
    """The case study if ``user`` may edit it (``CaseStudy.objects.editable_by``), else 404. Recorded."""
    study = get_or_404(_studies().editable_by(user), case_study_id)
    record_access(user, [study], how=how)
    return study


def get_case_study_for_approval(user, case_study_id, *, how: str = "approve training case study"):
    """The case study if ``user`` may approve it (``CaseStudy.objects.to_approve_by``), else 404.
    Recorded."""
    study = get_or_404(_studies().to_approve_by(user).select_related("made_by"), case_study_id)
    record_access(user, [study], how=how)
    return study
