"""Recording consent; the one door through which information leaves the service."""

from django.db import transaction

from consent.models import Consent


@transaction.atomic
def record_consent_to_keep_details(*, by, parent, method: str, parent_was_told: str) -> Consent:
    """Record that ``parent`` was told why details are kept and agreed (R2)."""
    if method not in Consent.Method.values:
        raise ValueError(f"Unknown consent method {method!r}")
    return Consent.objects.create(
        parent=parent,
        method=method,
        recorded_by=by,
        parent_was_told=parent_was_told,
        keeps_details=True,
    )
