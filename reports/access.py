"""Who may see the statistics (R7, R15).

Statistics hold no personal data, but they are still the service's own: staff of one service
never see another service's figures by name.
"""

from pps.access import RestrictedQuerySet
from pps.models import SENIOR_ROLES, Role


def _active_staff(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and getattr(user, "service_id", None)
    )


def may_see_statistics(user) -> bool:
    """Coordinators, senior managers and the head of service of a service see its statistics.

    - Nobody without an active staff account in a service.
    - Caseworkers, volunteers and maintainers do not (their work is elsewhere).
    - A superuser flag grants nothing.
    """
    return _active_staff(user) and (user.role == Role.COORDINATOR or user.role in SENIOR_ROLES)


def may_see_management_figures(user) -> bool:
    """Caseloads per caseworker and unallocated cases: senior managers and the head of service.

    - They name staff: internal, never exported, not for coordinators.
    """
    return _active_staff(user) and user.role in SENIOR_ROLES


def may_see_subject_access_figures(user) -> bool:
    """Subject access requests received and answered: the head of service only."""
    return _active_staff(user) and user.role == Role.HEAD_OF_SERVICE


def may_set_suppression_rule(user) -> bool:
    """The service's small-number rule: the head of service only."""
    return _active_staff(user) and user.role == Role.HEAD_OF_SERVICE


class StatisticsExportQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The export records ``user`` may list.

        - Only someone who may see the statistics.
        - Only those of their own service.
        """
        if not may_see_statistics(user):
            return self.none()
        return self.filter(service_id=user.service_id)
