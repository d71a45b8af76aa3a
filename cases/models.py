"""Parents, their children, cases and contacts.

Reads go through ``cases.access`` (``visible_to`` querysets and ``get_*_for_user`` getters); writes
go through ``cases.services``. ``__str__`` of every model holding personal data is its id, so
that nothing personal reaches the audit log's object representation.
"""

import json
import secrets
import uuid

from django import forms
from django.conf import settings
from django.db import connections, models
from django.utils import timezone

from cases.access import CaseQuerySet, ChildQuerySet, ContactQuerySet, ParentQuerySet
from pps import crypto
from pps.encryption import (
    DataKeyField,
    EncryptedDateField,
    EncryptedField,
    EncryptedModel,
    HouseholdDestroyed,
)
from pps.models import Service


class ReferenceData(models.Model):
    """A list a service keeps for itself (topics, outcomes), seeded with common IASS values."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Topic(ReferenceData):
    """What a contact was about (EHC needs assessment, exclusion, transport...)."""

    class Meta(ReferenceData.Meta):
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="unique_topic_per_service")]


class Outcome(ReferenceData):
    """How a contact ended (information given, signposted, case opened...)."""

    class Meta(ReferenceData.Meta):
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="unique_outcome_per_service")]


class Parent(EncryptedModel):
    """A parent or carer who has agreed that the service keeps their details (R2).

    A parent record exists only with a recorded consent to keep details; a caller who gives no
    name, or declines, is an NNG contact with no parent record (R1).

    The parent is a *household* for encryption (R9): their own data key, wrapped by the master
    key, encrypts their details and everything recorded about them and their children. Destroying
    it (``cases.services.destroy_household``) makes all of that unreadable for good (R13).
    """

    class PreferredContact(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        TEXT = "text", "Text message"

    class ParentalResponsibility(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="parents")
    first_name = EncryptedField(max_length=100, blank=False)
    last_name = EncryptedField(max_length=100, blank=False)
    phone = EncryptedField(max_length=40)
    email = EncryptedField(max_length=254, form_class=forms.EmailField)
    address = EncryptedField(max_length=500, textarea=True)
    postcode = EncryptedField(max_length=10)
    data_key = DataKeyField()
    preferred_contact = models.CharField(
        "preferred way of contact", max_length=10, choices=PreferredContact.choices
    )
    detailed_message_ok = models.BooleanField(
        "a detailed message may be left",
        default=False,
        help_text=(
            "If not, only a simple message is left: who called, from where and the number to call back."
        ),
    )
    parental_responsibility = models.CharField(
        "has parental responsibility", max_length=3, choices=ParentalResponsibility.choices
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: Goes up by one at each saved change: an edit based on an older version is not saved
    #: unseen over someone else's (``cases.services.update_parent``).
    version = models.PositiveIntegerField(default=1)

    objects = ParentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return str(self.pk)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def _data_key_aad(self) -> bytes:
        return crypto.field_aad("cases.Parent", "data_key", self.pk).encode()

    def household_key(self) -> bytes:
        key = self.known_household_key()
        if key is not None:
            return key
        if self.data_key:
            key = crypto.unwrap_data_key(self.data_key, aad=self._data_key_aad())
        elif self._state.adding:
            key = crypto.new_data_key()
            self.data_key = crypto.wrap_data_key(key, aad=self._data_key_aad())
        else:
            raise HouseholdDestroyed
        self.use_household_key(key)
        return key


class Child(EncryptedModel):
    """A child of a parent, with their special educational needs. Encrypted with the parent's key."""

    class Need(models.TextChoices):
        # DfE SEN2 / school census primary type of need codes.
        SPLD = "SPLD", "Specific learning difficulty (SpLD)"
        MLD = "MLD", "Moderate learning difficulty (MLD)"
        SLD = "SLD", "Severe learning difficulty (SLD)"
        PMLD = "PMLD", "Profound and multiple learning difficulty (PMLD)"
        SEMH = "SEMH", "Social, emotional and mental health (SEMH)"
        SLCN = "SLCN", "Speech, language and communication needs (SLCN)"
        HI = "HI", "Hearing impairment (HI)"
        VI = "VI", "Vision impairment (VI)"
        MSI = "MSI", "Multi-sensory impairment (MSI)"
        PD = "PD", "Physical disability (PD)"
        ASD = "ASD", "Autistic spectrum disorder (ASD)"
        OTH = "OTH", "Other difficulty or disability (OTH)"
        NSA = "NSA", "SEN support but no specialist assessment of type of need (NSA)"

    class Provision(models.TextChoices):
        NONE = "none", "No SEN provision yet"
        SEN_SUPPORT = "sen_support", "SEN support"
        ASSESSMENT = "assessment", "EHC needs assessment under way"
        EHC_PLAN = "ehc_plan", "EHC plan"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="children")
    first_name = EncryptedField(max_length=100, blank=False)
    last_name = EncryptedField(max_length=100)
    date_of_birth = EncryptedDateField()
    school = EncryptedField("school or setting", max_length=200)
    need = models.CharField("primary type of need", max_length=4, choices=Need.choices, blank=True)
    provision = models.CharField(
        "SEN provision", max_length=12, choices=Provision.choices, default=Provision.NONE
    )

    created_at = models.DateTimeField(default=timezone.now)
    #: As ``Parent.version``: for ``cases.services.update_child``.
    version = models.PositiveIntegerField(default=1)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "children"

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.parent.household_key()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def new_case_reference() -> str:
    """A short reference to read out on the phone; random, so it says nothing about volumes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


class Case(EncryptedModel):
    """Support given to one parent. Opened, worked through contacts, closed and reopened.

    ``intervention_level`` and ``referral_source`` are codes for anonymised statistics (R15),
    stored in clear: they say nothing about who the parent is. The caseworker sets them on the
    case page (``cases.services.set_case_codes``); each change is on the timeline.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        DESTROYED = "destroyed", "Destroyed"  # the household's data key was destroyed (R13)

    class InterventionLevel(models.TextChoices):
        # The IASS network's levels of support, plus tribunal or complex legal work.
        NOT_SET = "", "Not set yet"
        LEVEL_1 = "1", "Level 1: information"
        LEVEL_2 = "2", "Level 2: advice and guidance"
        LEVEL_3 = "3", "Level 3: individual casework"
        LEVEL_4 = "4", "Level 4: intensive casework"
        TRIBUNAL = "tribunal", "Tribunal or complex legal work"

    class ReferralSource(models.TextChoices):
        NOT_RECORDED = "", "Not recorded"
        SELF = "self", "The parent themselves"
        SCHOOL = "school", "School, college or early years setting"
        HEALTH = "health", "Health"
        SOCIAL_CARE = "social_care", "Social care"
        COUNCIL = "council", "The council's SEN team"
        VOLUNTARY = "voluntary", "Voluntary or community organisation"
        OTHER = "other", "Someone else"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    parent = models.ForeignKey(Parent, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=12, unique=True, default=new_case_reference)
    summary = EncryptedField("what the parent needs help with", max_length=2000, textarea=True, blank=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    intervention_level = models.CharField(
        max_length=10, choices=InterventionLevel.choices, default="", blank=True
    )
    referral_source = models.CharField(
        "who referred the parent", max_length=12, choices=ReferralSource.choices, default="", blank=True
    )
    #: Imported from an old system that recorded no consent to keep details (R2): listed on the
    #: dashboard until the consent is recorded (``consent.services.record_consent_to_keep_details``).
    consent_not_recorded = models.BooleanField(
        "consent to keep details not recorded in the old system", default=False
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["service", "-opened_at"], name="case_service_opened"),
            # A service's open cases, newest first, and their count from the index alone (the
            # senior's dashboard; the cases with no consent in force, oldest first).
            models.Index(fields=["service", "status", "-opened_at"], name="case_service_status_opened"),
            # The few imported without a recorded consent (the dashboard's list of them).
            models.Index(
                fields=["service", "-opened_at"],
                condition=models.Q(consent_not_recorded=True),
                name="case_consent_not_recorded",
            ),
        ]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.parent.household_key()

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CaseEvent(EncryptedModel):
    """A step in a case's own history that people see on its timeline (opened, closed...).

    This is the user-visible history; the compliance trail is the audit log.
    """

    class Kind(models.TextChoices):
        OPENED = "opened", "Case opened"
        CLOSED = "closed", "Case closed"
        REOPENED = "reopened", "Case reopened"
        ASSIGNED = "assigned", "Staff assigned"
        UNASSIGNED = "unassigned", "Staff unassigned"
        LEVEL = "level", "Intervention level set"
        SOURCE = "source", "Referral source set"
        CONTACT_OUT = "contact_out", "Contact moved to another case"
        CONTACT_IN = "contact_in", "Contact moved here from another case"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = EncryptedField(max_length=2000, textarea=True)
    #: The new code for a LEVEL or SOURCE event (a code, nothing personal); for a contact moved
    #: out or in, the other case's reference (shown to senior staff only).
    code = models.CharField(max_length=12, blank=True, default="")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.case.household_key()

    @property
    def code_display(self) -> str:
        if self.kind == self.Kind.LEVEL:
            return Case.InterventionLevel(self.code).label
        if self.kind == self.Kind.SOURCE:
            return Case.ReferralSource(self.code).label
        return ""


#: A contact's follow-up date while the follow-up is still to do (NULL once done, or if none was
#: set): the dashboard filters and sorts on it, served by the index of the same expression.
FOLLOW_UP_STILL_TO_DO = models.Case(models.When(follow_up_done=False, then=models.F("follow_up_on")))


class Contact(EncryptedModel):
    """One call, email, letter or meeting.

    With no case it is an NNG (no name given) contact: date, channel, topics, time spent and
    outcome only, nothing personal (R1). On a case it also holds notes and a follow-up date.
    """

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone call"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        MEETING = "meeting", "Meeting"
        TEXT = "text", "Text message"
        VIDEO = "video", "Video call"

    class Direction(models.TextChoices):
        INCOMING = "in", "From the parent"
        OUTGOING = "out", "To the parent"

    class Person(models.TextChoices):
        PARENT = "parent", "A parent or carer"
        YOUNG_PERSON = "young_person", "A young person"
        PROFESSIONAL = "professional", "A professional"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="contacts")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts", null=True, blank=True)
    occurred_at = models.DateTimeField("date and time", default=timezone.now)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PHONE)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.INCOMING)
    person = models.CharField(
        "who the contact was with", max_length=12, choices=Person.choices, default=Person.PARENT
    )
    duration_minutes = models.PositiveSmallIntegerField("time spent (minutes)")
    topics = models.ManyToManyField(Topic, related_name="contacts")
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="contacts")
    notes = EncryptedField(max_length=10000, textarea=True)
    follow_up_on = models.DateField("follow-up date", null=True, blank=True)
    follow_up_done = models.BooleanField(default=False)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["service", "occurred_at"]),
            models.Index(fields=["case", "occurred_at"]),
            # The dashboard's follow-ups still to do, by date. On the expression, not a partial
            # index: the statistics PostgreSQL gathers for it say how few are due (a partial
            # index on the date leaves it the dates of every follow-up ever, mostly done).
            models.Index(models.F("service"), FOLLOW_UP_STILL_TO_DO, name="contact_follow_up_due"),
        ]

    def __str__(self):
        return str(self.pk)

    @property
    def is_nng(self) -> bool:
        return self.case_id is None

    def household_key(self) -> bytes | None:
        """None for an NNG contact: it has no household, and holds nothing personal."""
        if self.case_id is None:
            return None
        return self.known_household_key() or self.case.household_key()


#: The order topics are named in, everywhere: the service's list order, then the name.
TOPIC_ORDER = ("topic__position", "topic__name")


def with_topic_names(contacts):
    """On PostgreSQL, the queryset ``contacts`` with each contact's ``topic_names`` read in the
    same query (an ARRAY of a subquery, in the lists' order), a query fewer than ``name_topics``;
    elsewhere the queryset as it is, and ``name_topics`` reads them."""
    if connections[contacts.db].vendor != "postgresql":
        return contacts
    from django.contrib.postgres.expressions import ArraySubquery

    names = (
        Contact.topics.through.objects.filter(contact_id=models.OuterRef("pk"))
        .order_by(*TOPIC_ORDER)
        .values("topic__name")
    )
    return contacts.annotate(topic_names=ArraySubquery(names))


def name_topics(contacts) -> None:
    """Give each of ``contacts`` ``topic_names``, its topics' names in the lists' order, read for
    all of them in one query of names (no topic records made, as a prefetch would). Contacts
    read through ``with_topic_names`` have them already: nothing is asked for those."""
    contacts = [contact for contact in contacts if not hasattr(contact, "topic_names")]
    names = {contact.pk: [] for contact in contacts}
    if names:
        pairs = (
            Contact.topics.through.objects.filter(contact_id__in=list(names))
            .order_by(*TOPIC_ORDER)
            .values_list("contact_id", "topic__name")
        )
        for contact_id, name in pairs:
            names[contact_id].append(name)
    for contact in contacts:
        contact.topic_names = names[contact.pk]


class Correction(EncryptedModel):
    """The earlier version of a contact, a parent's details or a child's, kept when it is corrected
    (``cases.corrections``): who corrected it, when, why, and the values before the change.

    The earlier values and the reason are personal data: they are encrypted with the household's
    key like the record itself (and are destroyed with it, R13), and masked in audit diffs.
    ``fields`` names the fields that changed (names only, nothing personal).
    """

    class Kind(models.TextChoices):
        CONTACT = "contact", "Contact"
        PARENT = "parent", "Parent's details"
        CHILD = "child", "Child's details"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    #: The household: whose key encrypts the earlier values.
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="corrections")
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections"
    )
    contact = models.ForeignKey(
        "Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="corrections"
    )
    fields = models.JSONField(default=list)
    #: JSON: ``[[label, earlier value as shown], ...]`` for each field that changed.
    earlier = EncryptedField(max_length=50_000, textarea=True)
    reason = EncryptedField(max_length=2000, textarea=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return str(self.pk)

    def household_key(self) -> bytes:
        return self.known_household_key() or self.parent.household_key()

    @property
    def earlier_values(self) -> list[tuple[str, str]]:
        return [tuple(pair) for pair in json.loads(self.earlier or "[]")]


class ContactChild(models.Model):
    """The codes statistics count about one child a contact on a case was about (R15).

    Written by ``cases.services`` when the contact is logged, from the child's record at that
    moment: the school phase (from the date of birth, which is decrypted there and never
    stored here), the primary type of need and the SEN provision. Nothing in it is personal on its
    own, so it is stored in clear and statistics never decrypt anything. ``service`` and
    ``occurred_at`` are copies of the contact's, so that counting needs no join.
    """

    class Phase(models.TextChoices):
        # From the age on 31 August before the contact (the English school year).
        EARLY_YEARS = "early_years", "Early years (before Reception)"
        PRIMARY = "primary", "Primary (Reception to Year 6)"
        SECONDARY = "secondary", "Secondary (Years 7 to 11)"
        POST_16 = "post_16", "Post-16 (16 to 18)"
        POST_19 = "post_19", "Post-19 (19 to 25)"
        UNKNOWN = "unknown", "Not known"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="child_codes")
    child = models.ForeignKey(Child, on_delete=models.SET_NULL, null=True, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    phase = models.CharField(max_length=12, choices=Phase.choices)
    need = models.CharField(max_length=4, choices=Child.Need.choices, blank=True)
    provision = models.CharField(max_length=12, choices=Child.Provision.choices)

    class Meta:
        indexes = [
            models.Index(fields=["service", "occurred_at"], name="contact_child_service_at"),
            models.Index(fields=["child", "occurred_at"], name="contact_child_child_at"),
        ]

    def __str__(self):
        return str(self.pk)

    @classmethod
    def phase_for(cls, date_of_birth, on) -> str:
        """The school phase of a child born on ``date_of_birth``, on the day ``on``."""
        if date_of_birth is None:
            return cls.Phase.UNKNOWN
        year_start = on.year if (on.month, on.day) >= (9, 1) else on.year - 1
        age = year_start - date_of_birth.year - ((8, 31) < (date_of_birth.month, date_of_birth.day))
        if age < 4:
            return cls.Phase.EARLY_YEARS
        if age < 11:
            return cls.Phase.PRIMARY
        if age < 16:
            return cls.Phase.SECONDARY
        if age < 19:
            return cls.Phase.POST_16
        if age <= 25:
            return cls.Phase.POST_19
        return cls.Phase.UNKNOWN


# Direct foreign-key object permission tables (django-guardian's performance guide): fast, and a
# permission disappears with its case, so a new case can never inherit an old one's staff.
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase  # noqa: E402


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class ParentSearchToken(models.Model):
    """One search key of a parent: a normalised name token or prefix, phone, email or postcode.

    Search matches tokens, never the personal fields themselves, so that the fields can be
    encrypted and the tokens made keyed digests without changing how search works.
    """

    class Kind(models.TextChoices):
        NAME = "name", "Name"
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        POSTCODE = "postcode", "Postcode"

    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="search_tokens")
    #: The parent's service, copied here so that a search reads only its own service's tokens:
    #: its time cannot depend on another service's parents.
    service = models.ForeignKey("pps.Service", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=128)

    class Meta:
        indexes = [models.Index(fields=["service", "kind", "value"], name="token_service_kind_value")]
        constraints = [
            models.UniqueConstraint(fields=["parent", "kind", "value"], name="unique_search_token")
        ]

    def __str__(self):
        return str(self.pk)


class SeparatedParentsLink(models.Model):
    """Two cases that are the two separated parents of the same child (R5).

    Linked cases never share a caseworker or volunteer, and nothing of one is shown on the
    other; only senior staff see that the link exists.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    first = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="unique_separated_parents_link"),
            models.CheckConstraint(condition=~models.Q(first=models.F("second")), name="link_two_cases"),
        ]

    def __str__(self):
        return str(self.pk)
