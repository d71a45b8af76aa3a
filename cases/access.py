"""Who may carry a call logged with no name given (NNG) onto a parent's case."""

from django.utils import timezone

from pps import access
from pps.audit import record_access

#: How long after it was logged a call with no name given may still become the first contact
#: on the parent's case: the rest of the working day of the call, not weeks later.
CALL_CARRIED_FOR = timezone.timedelta(hours=12)


def calls_to_carry(user):
    """The NNG contacts ``user`` may carry onto a parent's case:

    - only contacts ``user`` may reach (``pps.access.contacts_visible_to``);
    - still NNG (not yet on a case);
    - logged by ``user`` themselves: the call they are on, not a colleague's;
    - logged within the last ``CALL_CARRIED_FOR``.
    """
    since = timezone.now() - CALL_CARRIED_FOR
    return access.contacts_visible_to(user).filter(case__isnull=True, logged_by=user, logged_at__gte=since)


def get_call_to_carry(user, contact_id, *, how: str = "carry call to case"):
    """The NNG contact ``contact_id`` if ``user`` may carry it (see ``calls_to_carry``), else 404.
    The read is recorded."""
    contact = access.get_or_404(calls_to_carry(user).prefetch_related("topics"), contact_id)
    record_access(user, [contact], how=how)
    return contact
