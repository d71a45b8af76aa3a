"""Consents given by parents: to keep their details (R2) and to share them (R3); disclosures.

Reads go through ``consent.access``; writes go through ``consent.services``. ``__str__`` of every
model is its id, so that nothing personal reaches the audit log's object representation.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from consent.access import (
    ConsentQuerySet,
    DisclosureQuerySet,
    ReferralQuerySet,
    StatementSentQuerySet,
    SubjectAccessRequestQuerySet,
)
from consent.dates import add_months, due_date
from pps.encryption import EncryptedField, EncryptedModel, OwnDataKeyModel


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
    #: The call (or other contact) it was given during: oral consent is "recorded as such on our
    #: contact log" (policy 002), so it shows on that contact in the case's timeline.
    contact = models.ForeignKey(
        "cases.Contact", on_delete=models.SET_NULL, related_name="consents", null=True, blank=True
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at"]
        indexes = [
            # The dashboard's consent warnings: a case's consents still in force, by expiry.
            models.Index(
                fields=["case", "expires_on"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_in_force_by_expiry",
            )
        ]

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

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_at"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.case.household_key()

    @property
    def recipient_label(self) -> str:
        return Recipient(self.recipient).label if self.recipient in Recipient.values else self.recipient


class StatementSent(models.Model):
    """That the permission form and the "why we keep information about you" statement were given
    or sent to the parent of a case (R2): how, when and by whom. Holds nothing personal."""

    class How(models.TextChoices):
        MEETING = "meeting", "Handed over at a meeting"
        POST = "post", "Posted"
        EMAIL = "email", "Emailed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="statements_sent")
    how = models.CharField("how it was given or sent", max_length=10, choices=How.choices)
    sent_at = models.DateTimeField("when", default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = StatementSentQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return str(self.pk)


class Referral(OwnDataKeyModel):
    """A referral from a third party (a school, a health visitor, another service) (R4).

    - Without the parent's recorded knowledge and consent it is a *pending request to contact the
      parent*: it holds only what that contact needs (the parent's name, one way to reach them,
      and who referred), never anything about the child or the situation.
    - With consent recorded (how, when, by whom) it may be *converted*: the caseworker goes on to
      add the parent, or open a case for a parent already known, where the details are taken.
    - If the parent declines or cannot be reached, it is *closed*: its personal fields are emptied
      and its own data key destroyed, so that nothing of it can be read again; the row stays,
      holding only dates, how it came and who handled it.

    It has no household yet, so it has its own data key (as ``cases.Parent`` does).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to contact the parent"
        AGREED = "agreed", "Parent agreed"
        CONVERTED = "converted", "Taken on"
        CLOSED = "closed", "Closed"

    class How(models.TextChoices):
        PHONE = "phone", "Phone call"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        FORM = "form", "Referral form"
        MEETING = "meeting", "In person"

    class ContactBy(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        ADDRESS = "address", "Post"

    class ClosedBecause(models.TextChoices):
        DECLINED = "declined", "The parent declined"
        UNREACHABLE = "unreachable", "The parent could not be reached"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey("pps.Service", on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    referrer_organisation = EncryptedField("referring organisation", max_length=200)
    referrer_name = EncryptedField("person who referred", max_length=200)
    how = models.CharField("how the referral came", max_length=10, choices=How.choices)
    referred_at = models.DateTimeField("when", default=timezone.now)
    parent_first_name = EncryptedField("parent's first name", max_length=100)
    parent_last_name = EncryptedField("parent's last name", max_length=100)
    contact_by = models.CharField("how to contact the parent", max_length=10, choices=ContactBy.choices)
    contact_detail = EncryptedField("phone number, email or address", max_length=500)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    consent_method = models.CharField(
        "how the parent agreed", max_length=20, choices=Consent.Method.choices, blank=True
    )
    consent_at = models.DateTimeField("when the parent agreed", null=True, blank=True)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    closed_because = models.CharField(max_length=12, choices=ClosedBecause.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["received_at"]
        indexes = [
            # The referrals waiting (pending or agreed) of a service, oldest first: the dashboard's
            # count and the referral list read a few rows, not every referral the service has had.
            models.Index(fields=["service", "status", "received_at"], name="referral_waiting"),
        ]

    def __str__(self):
        return str(self.pk)

    @property
    def parent_name(self) -> str:
        return f"{self.parent_first_name} {self.parent_last_name}".strip()

    @property
    def has_consent(self) -> bool:
        return self.consent_at is not None


class SubjectAccessRequest(EncryptedModel):
    """A request for a copy of what the service holds about someone (R5, R11), answered by the
    head of service through the workbench in ``rights``.

    - Made by the parent of the case, by a young person (a child of the household, ``child``) or,
      recorded from the case, by another person with parental responsibility: such a request is
      never answered from the case it was made on (R5); its pack is gathered from the
      requester's own record, if the service supports them.
    - Its legal due date is one calendar month from the day the clock started (receipt; or the
      day identity was confirmed or clarification arrived when the clock was stopped from
      receipt), plus days stopped later, plus an extension of up to two months, moved to the next
      working day over weekends and England and Wales bank holidays (``consent.dates``).
    - Each step (who and when) is in ``rights.RequestStep``; the state is kept here.
    Encrypted with the case's household key.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PAUSED = "paused", "Clock stopped"
        ASSEMBLED = "assembled", "Pack assembled"
        REVIEWED = "reviewed", "Reviewed"
        SENT = "sent", "Sent"
        CLOSED = "closed", "Closed"
        REFUSED = "refused", "Refused"

    #: Steps after which nothing more is done on the request.
    FINISHED = (Status.CLOSED, Status.REFUSED)

    class How(models.TextChoices):
        PHONE = "phone", "Phone call"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person"

    class RequesterKind(models.TextChoices):
        PARENT = "parent", "The parent"
        YOUNG_PERSON = "young_person", "A young person (the parent's child)"
        OTHER_PARENT = "other_parent", "Another person with parental responsibility"

    class PauseReason(models.TextChoices):
        IDENTITY = "identity", "Waiting for proof of identity"
        CLARIFICATION = "clarification", "Waiting for clarification of what is asked for"

    class SentHow(models.TextChoices):
        POST = "post", "Post (recorded delivery)"
        EMAIL = "email", "Secure email"
        IN_PERSON = "in_person", "Handed over in person"
        PORTAL = "portal", "Secure portal"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey("pps.Service", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="subject_access_requests")
    requester_kind = models.CharField(
        "who asked", max_length=12, choices=RequesterKind.choices, default=RequesterKind.OTHER_PARENT
    )
    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    requester = EncryptedField("who asked", max_length=200)
    how = models.CharField("how they asked", max_length=10, choices=How.choices)
    received_at = models.DateTimeField("when", default=timezone.now)
    asked_for = EncryptedField("what they asked for", max_length=2000, textarea=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    due_on = models.DateField("legal due date")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The clock (consent.dates): None means it started on the day of receipt.
    clock_started_on = models.DateField(null=True, blank=True)
    paused_on = models.DateField("clock stopped on", null=True, blank=True)
    pause_reason = models.CharField(max_length=14, choices=PauseReason.choices, blank=True)
    paused_days = models.PositiveIntegerField(default=0)
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = EncryptedField("why the time limit was extended", max_length=2000, textarea=True)
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_seen = EncryptedField("what was seen to check identity", max_length=1000, textarea=True)
    child_protection_reviewed_at = models.DateTimeField(null=True, blank=True)
    partly_refused = models.BooleanField(default=False)
    refusal_reason = EncryptedField("why it was refused or partly refused", max_length=2000, textarea=True)
    sent_how = models.CharField(max_length=10, choices=SentHow.choices, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    withheld = EncryptedField("what was withheld", max_length=10000, textarea=True)

    objects = SubjectAccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.case.household_key()

    @property
    def reference(self) -> str:
        """The request's reference, quoted on letters and every page of the pack: nothing personal."""
        return "SAR-" + self.pk.hex[:8].upper()

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @staticmethod
    def due_date_for(received_on: date) -> date:
        """One calendar month from the day of receipt, moved to the next working day over
        weekends and England and Wales bank holidays (``consent.dates``)."""
        return due_date(received_on)
