"""Consents given by parents: to keep their details (R2) and, later, to share them (R3)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from pps.encryption import EncryptedField, EncryptedModel


class Consent(EncryptedModel):
    """A parent's recorded agreement: how it was given, who took it, what they were told.

    ``keeps_details`` is the R2 consent to keep the parent's details on the system; no parent
    record is saved without one.
    """

    class Method(models.TextChoices):
        ORAL_PHONE = "oral_phone", "Orally, on a phone call"
        WRITTEN_MEETING = "written_meeting", "Written permission form at a face-to-face meeting"
        EMAIL = "email", "By email"
        LETTER = "letter", "By letter"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    parent = models.ForeignKey("cases.Parent", on_delete=models.CASCADE, related_name="consents")
    method = models.CharField("how consent was given", max_length=20, choices=Method.choices)
    given_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parent_was_told = EncryptedField(
        "what the parent was told", textarea=True, help_text="The statement read or given to the parent."
    )
    keeps_details = models.BooleanField("covers keeping details on the system", default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.parent.household_key()
