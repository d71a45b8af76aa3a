"""What the apps share: services (organisations), their staff and the staff roles."""

import hmac
import uuid
from datetime import timedelta

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models

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
    address = models.TextField("office address", max_length=500, blank=True)
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
    #: How long the member of staff who logged a contact may correct it themselves
    #: (``cases.corrections``); senior staff may correct any time.
    contact_correction_days = models.PositiveSmallIntegerField(
        "days the author of a contact may correct it", default=14
    )
    document_max_megabytes = models.PositiveSmallIntegerField(
        "largest document that may be attached (MB)", default=20
    )
    statistics_threshold = models.PositiveSmallIntegerField(
        "smallest count shown in statistics",
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(20)],
        help_text="Counts from 1 to one less than this are shown as “fewer than N” (R15).",
    )
    statistics_rounding = models.BooleanField("round published counts to the nearest 5", default=False)
    #: Legal and local-authority requests (R12) go to the head of service; while they are
    #: marked absent, to this deputy (``rights.access.may_decide_legal_requests``).
    legal_request_deputy = models.ForeignKey(
        "pps.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="deputy for legal requests when the head of service is absent",
    )
    head_of_service_absent = models.BooleanField("the head of service is absent", default=False)
    #: The newest version of the service's confidentiality policy, kept whenever a version is
    #: saved or deleted (``pps.services.keep_current_policy``): whether the signed-in person
    #: agreed to it is asked at every request, by this id rather than by finding the newest.
    current_policy = models.ForeignKey(
        "pps.ConfidentialityPolicy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
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
    #: Last reviewed with no change (``pps.services.record_policy_review``); the next review is
    #: due a year after this or after publication, whichever is later.
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
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


from auditlog.models import AbstractLogEntry, LogEntryManager  # noqa: E402
from django.conf import settings as settings_module  # noqa: E402
from django.db.models.signals import post_save, pre_save  # noqa: E402
from django.utils import timezone  # noqa: E402


def _through_the_audit_function(using) -> bool:
    return connections[using or "default"].vendor == "postgresql"


class AuditEntryManager(LogEntryManager):
    """On PostgreSQL, new entries go through ``pps_audit_append`` (see ``pps.audit_chain``)."""

    def create(self, **kwargs):
        # pps.audit imports django-auditlog's receivers, which need this model defined first.
        from pps.audit import keep_for_later

        kept = keep_for_later(self.model, kwargs)  # inside ``entries_written_together``
        return kept if kept is not None else super().create(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if not _through_the_audit_function(self.db):
            return super().bulk_create(objs, *args, **kwargs)

        append_entries(objs, using=self.db)
        return objs


class AuditEntry(AbstractLogEntry):
    """One entry of the audit trail: a create, change, delete or access of a record (R8).

    On PostgreSQL the table is append-only (triggers, migrations 0003 and 0015) and sealed into a
    hash chain shortly after each entry is written (``manage.py seal_audit``):
    ``chain_position``, ``prev_hash`` and ``row_hash`` are set by the database, never by Python,
    and stay empty until the entry is sealed.

    Indexes are only those the pages and the chain use (each index costs every audited request
    a write): a record's history (content type, object, time), a person's history (actor,
    time), the chain's order, and the entries still to seal. django-auditlog's single-column
    indexes are switched off below.
    """

    content_type = models.ForeignKey(
        to="contenttypes.ContentType",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="content type",
        db_index=False,  # the history index leads with it
    )
    object_pk = models.CharField(max_length=255, verbose_name="object pk")
    object_id = models.BigIntegerField(blank=True, null=True, verbose_name="object id")
    action = models.PositiveSmallIntegerField(choices=AbstractLogEntry.Action.choices, verbose_name="action")
    actor = models.ForeignKey(
        to=settings_module.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        blank=True,
        null=True,
        related_name="+",
        verbose_name="actor",
        db_index=False,  # the person's history index leads with it
    )
    cid = models.CharField(max_length=255, blank=True, null=True, verbose_name="Correlation ID")
    timestamp = models.DateTimeField(default=timezone.now, verbose_name="timestamp")
    chain_position = models.BigIntegerField(null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    row_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["content_type", "object_pk", "timestamp"]),
            models.Index(fields=["actor", "timestamp", "id"], name="auditentry_actor_history"),
            models.Index(
                fields=["id"], condition=models.Q(chain_position__isnull=True), name="auditentry_unsealed"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["chain_position"],
                condition=models.Q(chain_position__isnull=False),
                name="auditentry_one_entry_per_place",
            )
        ]

    def save(self, *args, **kwargs):
        using = kwargs.get("using")
        if self._state.adding and _through_the_audit_function(using):
            # As Model.save does: django-auditlog puts the actor and address on in pre_save.
            pre_save.send(
                sender=type(self), instance=self, raw=False, using=using or "default", update_fields=None
            )
            append_entries([self], using=using)
            post_save.send(
                sender=type(self),
                instance=self,
                created=True,
                raw=False,
                using=using or "default",
                update_fields=None,
            )
            return
        super().save(*args, **kwargs)


from django.db import transaction  # noqa: E402
from django_otp.models import Device, ThrottlingMixin, TimestampMixin, VerifyNotAllowed  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from pps import crypto  # noqa: E402
from pps.audit_chain import append_entries  # noqa: E402
from pps.crypto import BACKUP_CODE_PREFIX, backup_code_digest  # noqa: E402
from pps.encryption import DataKeyField  # noqa: E402

#: The longest wait after wrong codes (1, 2, 4, 8… seconds, then no more than this): someone who
#: knows the password cannot hold the real person back for days by typing wrong codes.
MAX_CODE_WAIT_SECONDS = 5 * 60


class CappedThrottlingMixin(ThrottlingMixin):
    """django-otp's throttling (a wait that doubles after each wrong code), capped at
    ``MAX_CODE_WAIT_SECONDS`` (``PPS_MAX_CODE_WAIT_SECONDS`` in the settings)."""

    class Meta:
        abstract = True

    def verify_is_allowed(self):
        count, failed_at = self.throttling_failure_count, self.throttling_failure_timestamp
        if self.throttling_enabled and count > 0 and failed_at is not None:
            cap = getattr(settings_module, "PPS_MAX_CODE_WAIT_SECONDS", MAX_CODE_WAIT_SECONDS)
            wait = min(self.get_throttle_factor() * 2 ** min(count - 1, 40), cap)
            if (timezone.now() - failed_at).total_seconds() < wait:
                until = failed_at + timedelta(seconds=wait)
                return False, {
                    "reason": VerifyNotAllowed.N_FAILED_ATTEMPTS,
                    "failure_count": count,
                    "locked_until": until,
                }
        # Skips ThrottlingMixin's own, uncapped check; keeps any check further up.
        return super(ThrottlingMixin, self).verify_is_allowed()


class AuthenticatorApp(TimestampMixin, CappedThrottlingMixin, Device):
    """A person's authenticator app (TOTP, RFC 6238): django-otp's ``TOTPDevice`` with its secret
    protected at rest (SECURITY control 14).

    The secret is never stored in clear: a random 256-bit key is wrapped by the master keys from
    the environment, like a household's data key (bound to this row, re-wrapped by
    ``rotate_encryption_keys``), and the app's 160-bit TOTP secret is its first 20 bytes. Whoever
    reads the database, or a backup of it, without the master keys cannot compute anyone's codes.
    Verification, drift, single use (``last_t``) and throttling are django-otp's own.
    """

    SECRET_BYTES = 20

    # django-otp names devices by an integer id ("pps.authenticatorapp/7"), so the id is only
    # known once the row is saved: the secret is made and wrapped for it then (``save``).
    secret = DataKeyField()
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    def __str__(self):
        return str(self.pk)

    def save(self, *args, **kwargs):
        if self.secret:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.secret = crypto.wrap_data_key(crypto.new_data_key(), aad=self._secret_aad())
            type(self).objects.filter(pk=self.pk).update(secret=self.secret)

    def _secret_aad(self) -> bytes:
        return crypto.field_aad("pps.AuthenticatorApp", "secret", self.pk).encode()

    def household_key(self) -> bytes | None:
        """The unwrapped 256-bit key; None before the first save (see ``save``)."""
        if not self.secret:
            return None
        return crypto.unwrap_data_key(self.secret, aad=self._secret_aad())

    @property
    def bin_key(self) -> bytes:
        """The TOTP secret the app holds."""
        return self.household_key()[: self.SECRET_BYTES]

    # django-otp's TOTP logic, unchanged: it reads the secret only through ``bin_key``.
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings


class BackupCodes(CappedThrottlingMixin, Device):
    """A person's one-time backup codes, for when their authenticator app is not at hand.

    Only keyed hashes are stored (``pps.crypto.backup_code_digest``, HMAC-SHA256): the codes are
    shown once, when made, and each works once (SECURITY control 14). A typed code costs one
    hash, whatever the number of codes. Codes made before keyed hashes hold password hashes
    (Argon2), one per code; they still work, each checked within the password-check slots
    (``pps.password_checks``), and "Your account" asks their owner to make new ones. Wrong codes
    are throttled like wrong app codes.
    """

    code_hashes = models.JSONField(default=list, blank=True)

    class Meta(Device.Meta):
        verbose_name = "backup codes"

    def __str__(self):
        return str(self.pk)

    @property
    def has_old_hashes(self) -> bool:
        """Holds codes made before keyed hashes (checked one slow hash each)."""

        return any(not hashed.startswith(BACKUP_CODE_PREFIX) for hashed in self.code_hashes)

    def _matching(self, code: str) -> str | None:
        digest = backup_code_digest(str(self.user_id), code)
        for hashed in self.code_hashes:
            if hashed.startswith(BACKUP_CODE_PREFIX) and hmac.compare_digest(hashed, digest):
                return hashed
        for hashed in self.code_hashes:
            if not hashed.startswith(BACKUP_CODE_PREFIX) and check_password(code, hashed):
                return hashed
        return None

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = "".join(str(token).split()).replace("-", "").upper()
        matched = self._matching(code) if code else None
        if matched is not None:
            self.code_hashes = [other for other in self.code_hashes if other != matched]
            self.throttle_reset(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False

    def get_throttle_factor(self):
        return getattr(settings_module, "OTP_TOTP_THROTTLE_FACTOR", 1)


class SecondFactorEnrolment(models.Model):
    """Whether a person has set up an authenticator app before, and the one-time enrolment code
    that lets them set up a new one after theirs was removed.

    Someone who knows only the password must not be able to put their own app on an account
    that had one: after a removal, setting up asks for the code a senior manager or the system
    maintainer gave the person (``pps.enrolment.reset_second_factor``). Only its hash is kept.
    """

    user = models.OneToOneField(settings_module.AUTH_USER_MODEL, on_delete=models.CASCADE)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    code_hash = models.CharField(max_length=255, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    wrong_codes = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return str(self.pk)
