"""Consents given by parents: to keep their details (R2) and to share them (R3); disclosures.

Reads go through ``pps.access``; writes go through ``consent.services``. ``__str__`` of every
model is its id, so that nothing personal reaches the audit log's object representation.
"""

import calendar
import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from pps.encryption import EncryptedField, EncryptedModel


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the 31st becomes the last day of a shorter month."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _same_name(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


class Recipient(models.TextChoices):
    """The kinds of third party a consent to share may cover, and a disclosure goes to."""

    SCHOOL = "school", "The child's school"
    SEN_TEAM = "sen_team", "The council's SEN team"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    OTHER = "other", "Another named organisation"


class Consent(EncryptedModel):
    """A parent's recorded agreement: how it was given, who took it, what they were told, what it
    covers and until when.

    - ``keeps_details`` is the R2 consent to keep the parent's details on the system, made at
      registration (no case); no parent record is saved without one.
    - On a case, a consent to share (R3) covers the kinds of third party in ``recipients``
      (``Recipient`` codes) and, with ``Recipient.OTHER``, the one ``named_organisation``.
    - Every consent to share ends on ``expires_on`` (valid up to and including that day): the
      service's renewal period after it was given (``Service.consent_renewal_months``), whether it
      was a written permission form at a meeting or oral consent on a call. Oral consent covers the
      current piece of work; the written form, completed at the first meeting, renews it, and the
      renewal period is its upper bound so that no consent runs on unreviewed.
    - A withdrawal takes effect at once: from the day it is recorded the consent covers nothing,
      and no disclosure may be recorded on it afterwards.
    """

    class Method(models.TextChoices):
        ORAL_PHONE = "oral_phone", "Orally, on a phone call"
        WRITTEN_MEETING = "written_meeting", "Written permission form at a face-to-face meeting"
        EMAIL = "email", "By email"
        LETTER = "letter", "By letter"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    parent = models.ForeignKey("cases.Parent", on_delete=models.CASCADE, related_name="consents")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="consents", null=True, blank=True
    )
    method = models.CharField("how consent was given", max_length=20, choices=Method.choices)
    given_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parent_was_told = EncryptedField(
        "what the parent was told", textarea=True, help_text="The statement read or given to the parent."
    )
    keeps_details = models.BooleanField("covers keeping details on the system", default=False)
    recipients = models.JSONField("may be shared with", default=list, blank=True)
    named_organisation = EncryptedField("the named organisation", max_length=200)
    expires_on = models.DateField("valid until", null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdrawal_note = EncryptedField("how the parent withdrew consent", max_length=2000, textarea=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.parent.household_key()

    @staticmethod
    def expiry_for(given_on: date, renewal_months: int) -> date:
        """The last day a consent given on ``given_on`` is valid (see the class docstring)."""
        return add_months(given_on, renewal_months)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def is_valid_on(self, day: date) -> bool:
        """Was this consent in force on ``day``? Given by then, not expired, not withdrawn."""
        if timezone.localdate(self.given_at) > day:
            return False
        if self.expires_on is not None and day > self.expires_on:
            return False
        if self.withdrawn_at is not None and timezone.localdate(self.withdrawn_at) <= day:
            return False
        return True

    @property
    def status(self) -> str:
        """Valid, expired or withdrawn, today: for display."""
        if self.is_withdrawn:
            return "withdrawn"
        if self.expires_on is not None and timezone.localdate() > self.expires_on:
            return "expired"
        return "valid"

    def covers(self, recipient_code: str, organisation: str | None = None) -> bool:
        """Does this consent cover sharing with ``recipient_code``? For another named organisation,
        ``organisation`` (when given) must be the one named on the consent."""
        if recipient_code not in self.recipients:
            return False
        if recipient_code == Recipient.OTHER and organisation is not None:
            return _same_name(organisation, self.named_organisation)
        return True

    def recipient_labels(self) -> list[str]:
        labels = []
        for code in self.recipients:
            if code == Recipient.OTHER and self.named_organisation:
                labels.append(self.named_organisation)
            elif code in Recipient.values:
                labels.append(Recipient(code).label)
        return labels


class Disclosure(EncryptedModel):
    """Information about a parent that went outside the service (R3): what, to whom, when, by
    whom, how, and on what basis. Recorded only through ``consent.services.record_disclosure``,
    which refuses one with no valid basis."""

    class How(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        MEETING = "meeting", "Meeting"
        SECURE_PORTAL = "secure_portal", "Secure portal"

    class Basis(models.TextChoices):
        CONSENT = "consent", "The parent's consent"
        CHILD_PROTECTION = "child_protection", "Child protection"
        LEGAL_OBLIGATION = "legal_obligation", "A legal obligation"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="disclosures")
    what = EncryptedField("what was shared", max_length=2000, textarea=True, blank=False)
    recipient = models.CharField("shared with", max_length=20, choices=Recipient.choices)
    organisation = EncryptedField("organisation or person", max_length=200)
    disclosed_at = models.DateTimeField("when", default=timezone.now)
    how = models.CharField(max_length=20, choices=How.choices)
    basis = models.CharField(max_length=20, choices=Basis.choices)
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="disclosures", null=True, blank=True
    )
    legal_reference = EncryptedField(max_length=500)
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-disclosed_at"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.case.household_key()

    @property
    def recipient_label(self) -> str:
        return Recipient(self.recipient).label if self.recipient in Recipient.values else self.recipient
