"""What the apps share: services (organisations), their staff and the staff roles."""

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

DEFAULT_WHY_WE_KEEP_STATEMENT = (
    "We keep a record of your contact with us so that we can give you information, advice and "
    "support about your child's special educational needs. Your details are kept confidential on "
    "our secure system and are seen only by the staff working with you. Nothing about you, not even "
    "the fact that you contacted us, is shared outside the service without your permission, unless "
    "we believe a child is at risk. You can ask to see what we hold about you at any time."
)


class Service(models.Model):
    """One Parent Partnership Service (one organisation) and its policy settings.

    The policies of the services differ in detail; those differences are settings here. Records
    and staff belong to exactly one service and never mix with another's.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=20)
    phone = models.CharField("office phone number", max_length=40, blank=True)
    consent_renewal_months = models.PositiveSmallIntegerField(
        default=12, help_text="How long a written permission lasts before it must be renewed."
    )
    retention_months_after_closure = models.PositiveSmallIntegerField(
        default=12, help_text="How long a closed case is kept before it is archived or destroyed."
    )
    child_protection_retention_years = models.PositiveSmallIntegerField(
        "years a child-protection file is kept after the concern is closed",
        default=25,
        help_text="Never less than the case file: a file is kept at least as long as its case.",
    )
    why_we_keep_statement = models.TextField(
        "“Why we keep information about you” statement", default=DEFAULT_WHY_WE_KEEP_STATEMENT
    )
    nng_allowed = models.BooleanField("contacts may be logged with no name given (NNG)", default=True)
    idle_timeout_minutes = models.PositiveSmallIntegerField(default=15)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    VOLUNTEER = "volunteer", "Volunteer (Independent Parental Supporter)"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    COORDINATOR = "coordinator", "Coordinator"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    MAINTAINER = "maintainer", "System maintainer"


#: Roles that work directly with parents on cases.
CASE_ROLES = {Role.CASEWORKER, Role.VOLUNTEER}
#: Roles that oversee every case of their service.
SENIOR_ROLES = {Role.SENIOR_MANAGER, Role.HEAD_OF_SERVICE}


class User(AbstractUser):
    """A member of staff. Every account is personal and belongs to one service."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    is_safeguarding_lead = models.BooleanField("designated safeguarding lead", default=False)
    work_phone = models.CharField(max_length=40, blank=True)

    objects = UserManager()

    def __str__(self):
        return str(self.pk)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def works_on_cases(self) -> bool:
        return self.role in CASE_ROLES or self.role in SENIOR_ROLES

    @property
    def is_senior(self) -> bool:
        return self.role in SENIOR_ROLES


class ConfidentialityPolicy(models.Model):
    """One version of a service's confidentiality policy (R17).

    Everyone of the service must have agreed to the newest version before they reach anything;
    publishing a new version (``pps.services.publish_policy``) asks everyone again.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="policies")
    version = models.PositiveIntegerField()
    text = models.TextField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        "pps.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["service", "-version"]
        verbose_name_plural = "confidentiality policies"
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="one_policy_per_version"),
        ]

    def __str__(self):
        return str(self.pk)


class PolicyAgreement(models.Model):
    """That a member of staff read and agreed to one version of their service's policy (R17)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey("pps.User", on_delete=models.CASCADE, related_name="policy_agreements")
    policy = models.ForeignKey(ConfidentialityPolicy, on_delete=models.CASCADE, related_name="agreements")
    agreed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "policy"], name="one_agreement_per_policy")]

    def __str__(self):
        return str(self.pk)


from auditlog.models import AbstractLogEntry  # noqa: E402


class AuditEntry(AbstractLogEntry):
    """One entry of the audit trail: a create, change, delete or access of a record (R8).

    On PostgreSQL the table is append-only and hash-chained by triggers (migration 0003):
    ``chain_position``, ``prev_hash`` and ``row_hash`` are set by the database, never by Python.
    """

    chain_position = models.BigIntegerField(null=True, blank=True, editable=False, db_index=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    row_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["content_type", "object_pk", "timestamp"])]
