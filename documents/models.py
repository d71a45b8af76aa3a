"""The documents of a case file: documents received (plans, reports, letters) and letters sent,
and the service's letter templates.

A document's file is stored through the "documents" storage (``settings.STORAGES``) under a
random name, its bytes encrypted with AES-GCM under the household's data key and bound to the
document's id (``pps.crypto.encrypt_bytes``); its title and original name are encrypted fields.
Destroying the household makes all of it unreadable, and deletes the stored files.
Reads go through ``documents.access``; writes through ``documents.services``. ``__str__`` is the
id, so nothing personal reaches the audit log.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from documents.access import DocumentQuerySet
from pps import crypto
from pps.encryption import EncryptedField, EncryptedModel


def new_stored_name() -> str:
    """The file's name in storage: random, saying nothing of the document or its case."""
    return secrets.token_hex(16)


class Document(EncryptedModel):
    """A file on a case: what it is, its date, who added it when, and where its encrypted bytes
    are stored. The type is the one found in the file's content (``documents.filecheck``)."""

    class Kind(models.TextChoices):
        EHC_PLAN = "ehc_plan", "EHC plan"
        DRAFT_PLAN = "draft_plan", "Draft EHC plan"
        SCHOOL_REPORT = "school_report", "School report"
        PROFESSIONAL_REPORT = "professional", "Professional report"
        LETTER_RECEIVED = "letter_in", "Letter received"
        LETTER_SENT = "letter_out", "Letter sent"
        TRIBUNAL = "tribunal", "Tribunal papers"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("what it is", max_length=14, choices=Kind.choices)
    title = EncryptedField(max_length=200, blank=False)
    file_name = EncryptedField("original file name", max_length=255, blank=False)
    dated = models.DateField("date of the document")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("size in bytes")
    stored_name = models.CharField(max_length=64, unique=True, default=new_stored_name, editable=False)
    file_deleted = models.BooleanField(default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-dated", "-added_at"]
        indexes = [models.Index(fields=["case", "-dated"], name="document_case_dated")]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.case.household_key()

    def file_aad(self) -> str:
        return crypto.field_aad(self._meta.label, "file", self.pk)

    @property
    def size_display(self) -> str:
        if self.size < 1024 * 1024:
            return f"{max(1, round(self.size / 1024))} KB"
        return f"{self.size / (1024 * 1024):.1f} MB"


class LetterTemplate(models.Model):
    """A letter the service sends to parents, edited by its senior staff. The body is plain text
    with placeholders such as ``{parent_name}``, filled in by plain substitution
    (``documents.letters.fill``); it is never rendered as a template. Holds nothing personal."""

    class Purpose(models.TextChoices):
        MEETING = "meeting", "Confirming a meeting"
        CLOSURE = "closure", "Case closure"
        STATEMENT = "statement", "Why we keep information about you"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey("pps.Service", on_delete=models.CASCADE, related_name="letter_templates")
    name = models.CharField(max_length=120)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.OTHER)
    body = models.TextField(max_length=10000)
    is_active = models.BooleanField("in use", default=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="one_letter_template_name")]

    def __str__(self):
        return self.name
