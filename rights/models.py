"""Data rights: the answering of subject access requests (R11) and legal requests (R12).

The request itself is ``consent.SubjectAccessRequest`` (recorded from a case since R5; the
workbench adds its steps). Reads go through ``rights.access``; writes through ``rights.services``.
``__str__`` of every model is its id, so nothing personal reaches the audit log.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from pps.encryption import EncryptedField, EncryptedModel
from rights.access import LegalRequestQuerySet


class RequestStep(EncryptedModel):
    """One step of a subject access request, as people see it on the request's history: what was
    done, by whom, when, with its note (encrypted under the request's household key) and the due
    date it left. The compliance trail is the audit log; this is the user-visible history."""

    class Kind(models.TextChoices):
        RECORDED = "recorded", "Request recorded"
        IDENTITY_CHECKED = "identity", "Identity checked"
        PAUSED = "paused", "Clock stopped"
        RESTARTED = "restarted", "Clock restarted"
        EXTENDED = "extended", "Time limit extended"
        REDACTION = "redaction", "Passage marked to redact"
        REDACTION_REMOVED = "unredacted", "Redaction removed"
        CHILD_PROTECTION = "cp_review", "Child-protection file reviewed"
        ASSEMBLED = "assembled", "Pack assembled"
        REVIEWED = "reviewed", "Pack reviewed and approved"
        SENT = "sent", "Pack sent"
        CLOSED = "closed", "Request closed"
        REFUSED = "refused", "Request refused"
        DOWNLOADED = "downloaded", "Pack downloaded"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(
        "consent.SubjectAccessRequest", on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    note = EncryptedField(max_length=2000, textarea=True)
    due_on = models.DateField("due date after this step", null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.request.household_key()


class Redaction(EncryptedModel):
    """A passage of the pack that names another person, blacked out with a reference ("R1") and
    the reason. The passage and the explanation are kept, encrypted under the key of the household
    the pack is gathered from (``case``), so that the record shows what was redacted and why."""

    class Reason(models.TextChoices):
        SCHOOL_STAFF = "school_staff", "Names or describes school staff"
        RELATIVE = "relative", "Names or describes a relative or family friend"
        PROFESSIONAL = "professional", "Names or describes another professional"
        OTHER_PERSON = "other_person", "Names or describes another person"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(
        "consent.SubjectAccessRequest", on_delete=models.CASCADE, related_name="redactions"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    item = models.CharField("where in the pack", max_length=80)
    passage = EncryptedField(max_length=2000, textarea=True, blank=False)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    explanation = EncryptedField(max_length=1000, textarea=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["request", "number"], name="one_redaction_number")]

    def __str__(self):
        return str(self.pk)

    @property
    def reference(self) -> str:
        return f"R{self.number}"

    def household_key(self) -> bytes:
        return self.known_household_key() or self.case.household_key()


class ChildProtectionDecision(EncryptedModel):
    """A designated lead's decision on one child-protection file for a subject access request
    (policy 002: the file is reviewed separately): disclose it in the pack, or withhold it with the
    exemption relied on. Encrypted under the concern's own key, like the file itself."""

    class Decision(models.TextChoices):
        DISCLOSE = "disclose", "Disclose in the pack"
        WITHHOLD = "withhold", "Withhold"

    class Exemption(models.TextChoices):
        SERIOUS_HARM = "serious_harm", "Likely to cause serious harm to someone's physical or mental health"
        CHILD_ABUSE = "child_abuse", "Child abuse data: disclosure not in the child's best interests"
        THIRD_PARTY = "third_party", "Would identify another person who has not agreed"
        CRIME = "crime", "Would prejudice the prevention or detection of crime"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(
        "consent.SubjectAccessRequest", on_delete=models.CASCADE, related_name="child_protection_decisions"
    )
    concern = models.ForeignKey("safeguarding.Concern", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    exemption = models.CharField(max_length=12, choices=Exemption.choices, blank=True)
    note = EncryptedField(max_length=2000, textarea=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at"]
        constraints = [models.UniqueConstraint(fields=["request", "concern"], name="one_decision_per_file")]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes | None:
        return self.known_household_key() or self.concern.household_key()


class AccessPack(EncryptedModel):
    """The finished pack of a subject access request: the PDF (base64, encrypted under the key of
    the household it was gathered from, so destroying that household destroys it), its page count
    and who made it when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.OneToOneField(
        "consent.SubjectAccessRequest", on_delete=models.CASCADE, related_name="pack"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    pdf = EncryptedField(max_length=None)
    page_count = models.PositiveIntegerField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.case.household_key()


class LegalRequest(EncryptedModel):
    """A request from council officers for information about a case for legal reasons, for
    example a judicial review (R12).

    - Only the head of service decides it; while they are marked absent, the deputy named in the
      service's settings (``rights.access.may_decide_legal_requests``).
    - Nothing is sent without the parent's permission for this request: recorded here as a
      consent to share naming the requesting organisation (``permission``), new or an existing
      consent that already names that organisation.
    - It can be declined with the reason. The decider chooses the parts of the file to extract
      (``parts``, titles of the extract's sections); the extract is a PDF, its sending to the
      officer and the copy to the parent are recorded, and so is the disclosure on the case (R3).
    Encrypted under the case's household key.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        DECLINED = "declined", "Declined"
        EXTRACTED = "extracted", "Extract made"
        SENT = "sent", "Sent"

    class How(models.TextChoices):
        EMAIL = "email", "Secure email"
        POST = "post", "Post"
        IN_PERSON = "in_person", "Handed over in person"
        PORTAL = "portal", "Secure portal"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey("pps.Service", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="legal_requests")
    officer = EncryptedField("who asked", max_length=200, blank=False)
    organisation = EncryptedField("their organisation", max_length=200, blank=False)
    role = EncryptedField("their role", max_length=200, blank=False)
    legal_reason = EncryptedField("the legal reason", max_length=2000, textarea=True, blank=False)
    their_reference = EncryptedField("their reference", max_length=100)
    asked_for = EncryptedField("what they ask for", max_length=2000, textarea=True, blank=False)
    received_on = models.DateField("date of the request")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    permission = models.ForeignKey(
        "consent.Consent", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    declined_reason = EncryptedField("why it was declined", max_length=2000, textarea=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    parts = models.JSONField("parts of the file extracted", default=list, blank=True)
    extract = EncryptedField(max_length=None)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    sent_how = models.CharField(max_length=10, choices=How.choices, blank=True)
    sent_at = models.DateTimeField("sent to the officer", null=True, blank=True)
    copy_how = models.CharField(max_length=10, choices=How.choices, blank=True)
    copy_sent_at = models.DateTimeField("copy sent to the parent", null=True, blank=True)
    disclosure = models.OneToOneField(
        "consent.Disclosure", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = LegalRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.case.household_key()

    @property
    def reference(self) -> str:
        return "LR-" + self.pk.hex[:8].upper()
