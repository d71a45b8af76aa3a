"""Who may run the service's staff accounts (R7, R9).

Staff accounts hold no case content: names, email addresses, work phones, roles. Reaching them
never reaches a case, a parent or a child file.
"""

from django.http import Http404

from pps.access import get_or_404
from pps.audit import record_access
from pps.models import SENIOR_ROLES, Role, User

#: Roles whose holders run the staff accounts of their service.
ACCOUNT_MANAGERS = {Role.HEAD_OF_SERVICE, Role.MAINTAINER}


def _active_staff(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and getattr(user, "service_id", None)
    )


def may_manage_accounts(user) -> bool:
    """Who lists, adds, changes and closes the accounts of a service's staff.

    - The service's active head of service.
    - The service's active system maintainer (who reads no case content: the accounts are not).
    - Nobody else: not senior managers, caseworkers, volunteers or coordinators.
    - A superuser flag grants nothing.
    """
    return _active_staff(user) and user.role in ACCOUNT_MANAGERS


def require_account_manager(user) -> None:
    """404 for anyone who may not run the staff accounts (see ``may_manage_accounts``)."""
    if not may_manage_accounts(user):
        raise Http404


def accounts_visible_to(user, queryset=None):
    """The staff accounts ``user`` may see: every account of their own service, active or
    closed, for those who may manage accounts; none for anyone else.

    A function, not ``User.objects.visible_to``: ``User`` is the shared core's model, and
    ``pps`` imports no domain app, so its manager cannot carry this app's rule.
    """
    queryset = User.objects.all() if queryset is None else queryset
    if not may_manage_accounts(user):
        return queryset.none()
    return queryset.filter(service_id=user.service_id)


def get_account_for_user(user, member_id, *, how: str = "staff account"):
    """The account ``member_id`` if ``user`` may manage it (see ``accounts_visible_to``), else
    404 (missing and not yours alike). The read is recorded in the audit log."""
    member = get_or_404(accounts_visible_to(user), member_id)
    record_access(user, [member], how=how)
    return member


def roles_to_give(user) -> list[str]:
    """The roles ``user`` may give (to a new account, or by a change of role).

    - The head of service: every role.
    - A maintainer: every role but the senior ones (senior manager, head of service), which
      reach every case of the service: the maintainer reads no case content, and cannot make
      an account that would.
    - Anyone else: none.
    """
    if not may_manage_accounts(user):
        return []
    if user.role == Role.HEAD_OF_SERVICE:
        return list(Role.values)
    return [role for role in Role.values if role not in SENIOR_ROLES]


def may_change_role_of(user, member) -> bool:
    """May ``user`` change ``member``'s role at all?

    - Only someone who may manage accounts, for a member of their own service.
    - Never their own role.
    - Only someone who may give the member's current role may take it away (a maintainer
      cannot change a senior manager's or head of service's role).
    """
    return (
        may_manage_accounts(user)
        and member.service_id == user.service_id
        and member.pk != user.pk
        and member.role in roles_to_give(user)
    )
