"""Who may reach consents, disclosures, statements, referrals and subject access requests
(R4, R6, R7, R11).

Each rule is the ``visible_to`` of its record's queryset; someone who may not reach a record gets
``Http404``, exactly as for a record that does not exist. The getters record one ACCESS entry.
Models import this module for their querysets, so it names them through the app registry.
"""

from django.apps import apps

from pps.access import RestrictedQuerySet, active_staff, get_visible_or_404, is_senior
from pps.models import SENIOR_ROLES, Role


def _cases_visible_to(user):
    return apps.get_model("cases", "Case").objects.visible_to(user)


class ConsentQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The consents to share ``user`` may reach.

        - Only consents recorded on a case: exactly when that case is reachable.
        - The keep-details consent made at registration (no case) is shown with the parent's record.
        """
        return self.filter(case__isnull=False, case__in=_cases_visible_to(user)).on_reached_case(user)

    def on_reached_case(self, user):
        """Of the consents of a case ``user`` reaches, those ``user`` may see: all of them."""
        return self


class DisclosureQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The disclosures ``user`` may reach.

        - Exactly when their case is reachable.
        - A child-protection referral only by the service's designated safeguarding leads (R6):
          for anyone else, the case shows no trace of it.
        """
        return self.filter(case__in=_cases_visible_to(user)).on_reached_case(user)

    def on_reached_case(self, user):
        """Of the disclosures of a case ``user`` reaches, those ``user`` may see: a
        child-protection referral only if ``user`` is a designated safeguarding lead (R6)."""
        if not getattr(user, "is_safeguarding_lead", False):
            return self.exclude(basis="child_protection")
        return self


class StatementSentQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The records that the permission form and statement were given: exactly when their case
        is reachable."""
        return self.filter(case__in=_cases_visible_to(user)).on_reached_case(user)

    def on_reached_case(self, user):
        """Of the statements of a case ``user`` reaches, those ``user`` may see: all of them."""
        return self


def can_take_referrals(user) -> bool:
    """May ``user`` record a referral from a third party (caseworkers and senior staff)?"""
    return active_staff(user) and (user.role == Role.CASEWORKER or user.role in SENIOR_ROLES)


class ReferralQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The referrals ``user`` may reach (R4, R7).

        - Nobody without an active staff account in a service reaches any referral.
        - Nobody reaches a referral of another service.
        - Senior managers and the head of service reach every open referral of their service.
        - A caseworker reaches the referrals they took (need to know: a pending request holds a
          parent's name and contact details before the parent has agreed to anything).
        - Volunteers, coordinators and maintainers reach none.
        - A closed referral (its personal data destroyed) is reached by nobody.
        """
        if not can_take_referrals(user):
            return self.none()
        queryset = self.filter(service_id=user.service_id).exclude(status="closed")
        if user.role in SENIOR_ROLES:
            return queryset
        return queryset.filter(received_by=user)


class SubjectAccessRequestQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The subject access requests ``user`` may reach (R5, R11).

        - Only active senior managers and the head of service of the request's service.
        - Nobody reaches one whose case's household was destroyed.
        - Caseworkers, volunteers, coordinators, maintainers and other services reach none,
          including the caseworker who recorded the request.
        """
        if not is_senior(user):
            return self.none()
        return self.filter(service_id=user.service_id).exclude(case__status="destroyed")


def get_consent_for_user(user, consent_id, *, how: str = "consent"):
    """The consent ``consent_id`` if ``user`` may reach it, else 404. Recorded."""
    consents = apps.get_model("consent", "Consent").objects.select_related(
        "case", "case__parent", "recorded_by"
    )
    return get_visible_or_404(user, consents, consent_id, how=how)


def get_referral_for_user(user, referral_id, *, how: str = "referral"):
    """The referral ``referral_id`` if ``user`` may reach it, else 404. Recorded."""
    referrals = apps.get_model("consent", "Referral").objects.select_related("received_by", "consent_by")
    return get_visible_or_404(user, referrals, referral_id, how=how)
