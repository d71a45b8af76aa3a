"""Child-protection files (R6): concerns, their internal discussions and external referrals.

Kept apart from the case file: nothing here is shown on case pages, in search or in exports
except to the service's designated safeguarding leads. Reads go through ``safeguarding.access``
(``Concern.objects.visible_to``, ``get_concern_for_user``); writes go through
``safeguarding.services``.
Each concern has its own data key (wrapped by the master keys, like a household's), shared by
its discussions and referrals: the file can outlive the case file when the service keeps
child-protection files longer (``Service.child_protection_retention_years``), and destroying the
household does not destroy it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from pps.encryption import EncryptedField, EncryptedModel, OwnDataKeyModel
from safeguarding.access import BreakGlassAccessQuerySet, ConcernQuerySet


class Concern(OwnDataKeyModel):
    """A concern that a child may be at risk, raised from a case, or from a call where the caller
    gave no name (then ``case`` is None and the snapshot holds what the caller said).

    ``discussion_outstanding`` is set when a referral went out on the immediate-danger path
    before any internal discussion; it stays set until a discussion is recorded.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        DISCUSSED = "discussed", "Discussed"
        REFERRED = "referred", "Referred"
        MONITORING = "monitoring", "Monitoring"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (Status.NEW, Status.DISCUSSED, Status.REFERRED, Status.MONITORING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey("pps.Service", on_delete=models.PROTECT, related_name="+")
    # None for a concern raised from a call with no name given (NNG): there is no case file.
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    what = EncryptedField("what was said or seen", max_length=10000, textarea=True, blank=False)
    happened_at = models.DateTimeField("when it happened")
    immediate_danger = models.BooleanField("the child is in immediate danger", default=False)
    discussion_outstanding = models.BooleanField("discussion still to be recorded", default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    # Who it is about, as known when it was raised: the file stands on its own once the case
    # file is destroyed.
    case_reference = models.CharField(max_length=12, blank=True)
    child_name = EncryptedField("child", max_length=200)
    parent_name = EncryptedField("parent or carer", max_length=200)
    closed_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at"]
        indexes = [models.Index(fields=["status", "raised_at"])]

    def __str__(self):
        return str(self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def waited(self):
        return timezone.now() - self.raised_at


class Discussion(EncryptedModel):
    """The internal discussion of a concern, with a senior manager or designated lead."""

    class Decision(models.TextChoices):
        NO_FURTHER_ACTION = "nfa", "No further action"
        MONITOR = "monitor", "Monitor"
        SOCIAL_CARE = "social_care", "Refer to social care"
        POLICE = "police", "Refer to the police"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="discussions")
    participants = EncryptedField("who took part", max_length=1000, textarea=True, blank=False)
    senior_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="senior manager or designated lead who took part",
    )
    held_at = models.DateTimeField("when")
    decision = models.CharField(max_length=12, choices=Decision.choices)
    notes = EncryptedField(max_length=10000, textarea=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_at"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.concern.household_key()


class ExternalReferral(EncryptedModel):
    """A referral of a concern outside the service; also recorded as a child-protection disclosure."""

    class Agency(models.TextChoices):
        SOCIAL_CARE = "social_care", "Children's social care"
        POLICE = "police", "The police"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="referrals")
    agency = models.CharField(max_length=12, choices=Agency.choices)
    made_at = models.DateTimeField("date and time")
    person_spoken_to = EncryptedField(max_length=200, blank=False)
    their_reference = EncryptedField(max_length=100)
    what_was_shared = EncryptedField(max_length=10000, textarea=True, blank=False)
    before_discussion = models.BooleanField("made before the discussion (immediate danger)", default=False)
    # The disclosure of the case file; None for a concern with no case (no name given).
    disclosure = models.OneToOneField(
        "consent.Disclosure",
        on_delete=models.PROTECT,
        related_name="child_protection_referral",
        null=True,
        blank=True,
    )
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_at"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.concern.household_key()


class BreakGlassAccess(EncryptedModel):
    """A senior manager who is not a designated lead opened a case's child-protection file,
    stating why ("break glass"). It lasts ``BREAK_GLASS_MINUTES``, is shown prominently to the
    leads, who are alerted, and stays "to review" until a lead has reviewed it.

    The reason is encrypted with the case's household key, like the case file.
    """

    class Reason(models.TextChoices):
        NO_LEAD_AVAILABLE = "no_lead", "No designated lead is available and a child may be at risk"
        AGENCY_ENQUIRY = "agency", "Social care or the police are asking about a referral now"
        COVERING = "covering", "Covering for an absent designated lead"
        OTHER = "other", "Another reason"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("why", max_length=10, choices=Reason.choices)
    explanation = EncryptedField(max_length=2000, textarea=True, blank=False)
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = BreakGlassAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["opened_by", "case", "expires_at"])]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.case.household_key()

    @property
    def is_current(self) -> bool:
        return self.expires_at > timezone.now()


class LeadDesignation(models.Model):
    """That a member of staff was made, or asked to be made, a designated safeguarding lead.

    Designated leads reach every child-protection file of the service, so no one designates
    themselves alone: the head of service's own designation waits (``PENDING``) until a second
    person confirms it (``safeguarding.services.confirm_designation``). Every designation that
    takes effect alerts the service's existing leads and waits on their "to review" list, as a
    break-glass opening does, until one of them marks it reviewed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        IN_EFFECT = "in_effect", "In effect"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey("pps.Service", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="pending"),
                name="one_pending_designation_per_member",
            )
        ]

    def __str__(self):
        return str(self.pk)


class Alert(models.Model):
    """Tells a designated lead that something in the child-protection files needs them.

    Holds no content: what happened, and a link to the concern or the break-glass record.
    """

    class Kind(models.TextChoices):
        NEW_CONCERN = "new_concern", "New concern"
        IMMEDIATE_DANGER = "danger", "New concern: child in immediate danger"
        BREAK_GLASS = "break_glass", "Child-protection file opened by break glass"
        DESIGNATION = "designation", "New designated safeguarding lead"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    break_glass = models.ForeignKey(
        BreakGlassAccess, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    designation = models.ForeignKey(
        LeadDesignation, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "seen_at"])]

    def __str__(self):
        return str(self.pk)
