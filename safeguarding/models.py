"""Child-protection files (R6): concerns, their internal discussions and external referrals.

Kept apart from the case file: nothing here is shown on case pages, in search or in exports
except to the service's designated safeguarding leads. Reads go through ``pps.access``
(``concerns_visible_to``, ``get_concern_for_user``); writes go through ``safeguarding.services``.
Content is encrypted with the household's key of the case's parent, like the case file.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from pps.encryption import EncryptedField, EncryptedModel


class Concern(EncryptedModel):
    """A concern that a child may be at risk, raised from a case.

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
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
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

    class Meta:
        ordering = ["raised_at"]
        indexes = [models.Index(fields=["status", "raised_at"])]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.case.household_key()

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
    disclosure = models.OneToOneField(
        "consent.Disclosure", on_delete=models.PROTECT, related_name="child_protection_referral"
    )
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_at"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.concern.household_key()
