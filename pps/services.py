"""Writes that span models or record an event, for the shared parts: the confidentiality policy."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from pps import access
from pps.models import ConfidentialityPolicy, PolicyAgreement, Service

#: ``publish_policy(based_on=UNCHECKED)``: publish whatever the current version is (demo data,
#: tests); a person publishing from the page always says which version their text was based on.
UNCHECKED = object()


class StalePolicyVersion(Exception):
    """Another version was published since the one the new text was based on."""

    def __init__(self, current):
        self.current = current
        super().__init__(f"Version {current.version if current else 0} was published meanwhile.")


@transaction.atomic
def publish_policy(by, service: Service, text: str, *, based_on=UNCHECKED) -> ConfidentialityPolicy:
    """Publishes a new version of ``service``'s confidentiality policy, which all its staff must
    then agree to before they reach anything else (R17).

    Only an active senior manager or head of service of that service may publish
    (``pps.access.may_publish_policy``). ``based_on`` is the version number the text was
    edited from (None: there was none yet); checked under the service's row lock, so that of
    two people publishing from the same version, the second is told and publishes nothing
    (``StalePolicyVersion``).
    """
    if not (access.may_publish_policy(by) and by.service_id == service.pk):
        raise PermissionDenied("Only a senior manager or the head of service publishes the policy.")
    text = text.strip()
    if not text:
        raise ValueError("A confidentiality policy needs its text.")
    Service.objects.select_for_update().filter(pk=service.pk).first()  # one version number at a time
    last = ConfidentialityPolicy.objects.filter(service=service).order_by("-version").first()
    if based_on is not UNCHECKED and based_on != (last.version if last else None):
        raise StalePolicyVersion(last)
    return ConfidentialityPolicy.objects.create(
        service=service,
        version=last.version + 1 if last else 1,
        text=text,
        published_at=timezone.now(),
        published_by=by,
    )


def keep_current_policy(sender, instance, **kwargs) -> None:
    """After a version of a service's policy is saved or deleted (however: published, through
    the admin, in a test): the service's ``current_policy`` is its newest version again."""
    newest = (
        ConfidentialityPolicy.objects.filter(service_id=OuterRef("pk")).order_by("-version").values("pk")[:1]
    )
    Service.objects.filter(pk=instance.service_id).update(current_policy=Subquery(newest))


def connect() -> None:
    for signal, when in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(keep_current_policy, sender=ConfidentialityPolicy, dispatch_uid=f"pps_policy_{when}")


@transaction.atomic
def agree_to_policy(user, policy: ConfidentialityPolicy) -> PolicyAgreement:
    """Records that ``user`` read and agreed to ``policy`` (once; agreeing again changes nothing)."""
    if user.service_id != policy.service_id:
        raise PermissionDenied("Staff agree to their own service's policy.")
    agreement, _ = PolicyAgreement.objects.get_or_create(
        user=user, policy=policy, defaults={"agreed_at": timezone.now()}
    )
    return agreement


def policy_to_agree(user) -> ConfidentialityPolicy | None:
    """The current policy of ``user``'s service if they have not agreed to it yet, else ``None``.

    One query: the newest version, with whether this person agreed to it.
    """
    if not user.service_id:
        return None
    current = (
        ConfidentialityPolicy.objects.filter(service_id=user.service_id)
        .annotate(agreed=Exists(PolicyAgreement.objects.filter(policy=OuterRef("pk"), user=user)))
        .order_by("-version")
        .first()
    )
    return None if current is None or current.agreed else current


def current_policy(service_id) -> ConfidentialityPolicy | None:
    """The newest version of the service's confidentiality policy, if it has published one."""
    policies = (
        ConfidentialityPolicy.objects.filter(service_id=service_id)
        .select_related("published_by")
        .defer("published_by__password")  # a name is shown, never a password hash fetched for it
    )
    return policies.order_by("-version").first()


def policy_review_due_on(policy: ConfidentialityPolicy) -> dt.date:
    """The policy is reviewed yearly (R17): due a year after the version was published, or after
    it was last reviewed with no change."""
    published = timezone.localdate(max(policy.published_at, policy.reviewed_at or policy.published_at))
    try:
        return published.replace(year=published.year + 1)
    except ValueError:  # published on 29 February
        return published.replace(year=published.year + 1, day=28)


def policy_review_is_due(policy: ConfidentialityPolicy | None) -> bool:
    return policy is not None and timezone.localdate() >= policy_review_due_on(policy)


def service_policy_review_is_due(service_id) -> bool:
    """Whether the service's current policy is due for its yearly review: its dates only (not its
    text, nor who published it)."""
    current = (
        ConfidentialityPolicy.objects.filter(service_id=service_id)
        .only("service_id", "version", "published_at", "reviewed_at")
        .order_by("-version")
        .first()
    )
    return policy_review_is_due(current)


def record_policy_review(by, policy: ConfidentialityPolicy) -> ConfidentialityPolicy:
    """Record that ``policy`` (the service's current version) was reviewed and needs no change:
    the next yearly review is due a year from now. Nobody has to agree again."""
    if not access.may_publish_policy(by) or policy.service_id != by.service_id:
        raise PermissionDenied("Only senior staff of the service review its confidentiality policy.")
    current = current_policy(by.service_id)
    if current is None or current.pk != policy.pk:
        raise PermissionDenied("Only the current version can be reviewed.")
    current.reviewed_at = timezone.now()
    current.reviewed_by = by
    current.save(update_fields=["reviewed_at", "reviewed_by"])
    return current


#: The settings of a service its head of service may change, in the order the page shows them.
SERVICE_SETTINGS = (
    "phone",
    "address",
    "consent_renewal_months",
    "retention_months_after_closure",
    "child_protection_retention_years",
    "nng_allowed",
    "why_we_keep_statement",
    "idle_timeout_minutes",
    "contact_correction_days",
    "document_max_megabytes",
)


@transaction.atomic
def change_service_settings(by, service: Service, **values) -> list[str]:
    """The head of service changes the service's settings; returns the names of those that changed.

    Each change is in the audit log (django-auditlog records the old and new values, and who).
    Only the service's active head of service may (``access.may_change_service_settings``).
    A child-protection file is never kept for less time than the case file it belongs to.
    """
    if not (access.may_change_service_settings(by) and by.service_id == service.pk):
        raise PermissionDenied("Only the head of service changes the service's settings.")
    unknown = set(values) - set(SERVICE_SETTINGS)
    if unknown:
        raise ValueError(f"Not a service setting: {', '.join(sorted(unknown))}")
    service = Service.objects.select_for_update().get(pk=service.pk)
    changed = [name for name, value in values.items() if getattr(service, name) != value]
    for name in changed:
        setattr(service, name, values[name])
    if service.child_protection_retention_years * 12 < service.retention_months_after_closure:
        raise ValueError("A child-protection file is never kept for less time than its case file.")
    if changed:
        service.save(update_fields=changed)
    return changed
