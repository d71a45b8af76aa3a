"""Training case studies (R14): a case retold with every identifying detail removed.

A case study keeps no link to the case it came from: no case id, no reference, no household key,
no parent or child. It holds only the anonymised text (``content``), encrypted under a data key of
its own anyway, because a draft may still hold something a person has not yet checked. Reads go
through ``training.access``; writes through ``training.services``.
"""

import json
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from pps.encryption import EncryptedField, EncryptedModel, OwnDataKeyModel
from training.access import CaseStudyQuerySet


class CaseStudy(OwnDataKeyModel):
    """An anonymised case study of one service, for training its staff.

    Made as a *draft* by a senior manager or head of service, checked and edited by them, then
    *submitted*; a second senior person (not the maker) *approves* it, or sends it back with a
    note. Only an approved case study is listed under Training and read by the service's staff.
    A senior person may withdraw one at any time (its maker may discard a draft): its text and
    its data key are destroyed; the row keeps only who did what and when.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: being checked"
        SUBMITTED = "submitted", "Waiting for approval"
        APPROVED = "approved", "Approved for training"
        WITHDRAWN = "withdrawn", "Withdrawn"  # its text and key destroyed

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey("pps.Service", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    #: The anonymised case study, as JSON (``training.services.CONTENT_KEYS``), encrypted.
    content = EncryptedField(max_length=200_000, textarea=True)
    #: Why the approver sent it back, for the maker; emptied when it is submitted again.
    returned_note = EncryptedField("what needs changing", max_length=2000, textarea=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = CaseStudyQuerySet.as_manager()

    class Meta:
        ordering = ["-approved_at", "-made_at"]
        verbose_name_plural = "case studies"

    def __str__(self):
        return str(self.pk)

    @property
    def study(self) -> dict:
        return json.loads(self.content) if self.content else {}

    @study.setter
    def study(self, value: dict) -> None:
        self.content = json.dumps(value, ensure_ascii=False)

    @property
    def title(self) -> str:
        return self.study.get("title", "")

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class CaseStudyEvent(EncryptedModel):
    """A step in a case study's own history, shown to senior staff: made, edited, submitted,
    sent back, approved, withdrawn. (The audit log keeps the compliance trail; this is for people.)"""

    class Kind(models.TextChoices):
        MADE = "made", "Draft made from a case"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for approval"
        RETURNED = "returned", "Sent back for changes"
        APPROVED = "approved", "Approved for training"
        WITHDRAWN = "withdrawn", "Withdrawn"  # its text and key destroyed

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = EncryptedField(max_length=2000, textarea=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes | None:
        return self.known_household_key() or self.case_study.household_key()
