from datetime import datetime

from django import forms
from django.db.models import Case as Rank
from django.db.models import Count, IntegerField, Q, Value, When
from django.utils import timezone

from cases.access import assignable_staff, staff_on_other_parents_case
from cases.models import Case, Child, Contact, Outcome, Parent, Topic
from pps.form_fields import DateField, TimeField
from pps.forms import ColumnsRadioSelect, Form, InlineRadioSelect, ModelForm, plausible, today, years_ahead


class ListChoiceField(forms.ModelMultipleChoiceField):
    """Several items from a service's list; anything not on the list gets one plain message."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


#: How many of the service's latest contacts decide which topics come first.
TOPICS_RANKED_ON = 500


def topics_most_used_first(service):
    """The service's topics, those of its latest ``TOPICS_RANKED_ON`` contacts most used first
    (then in the list's own order): the likely answer is the first box. Two small queries."""
    latest = Contact.objects.filter(service=service).order_by("-occurred_at").values("pk")[:TOPICS_RANKED_ON]
    uses = (
        Contact.topics.through.objects.filter(contact_id__in=latest)
        .values("topic_id")
        .annotate(uses=Count("pk"))
        .order_by("-uses")
    )
    ranked = [row["topic_id"] for row in uses]
    topics = Topic.objects.filter(service=service, is_active=True)
    if not ranked:  # a new service: the list's own order (PostgreSQL reads a bare ORDER BY 0 as a column)
        return topics.order_by("position", "name")
    rank = Rank(
        *[When(pk=pk, then=Value(place)) for place, pk in enumerate(ranked)],
        default=Value(len(ranked)),
        output_field=IntegerField(),
    )
    return topics.order_by(rank, "position", "name")


class ContactForm(Form):
    """What every contact records (R1). Used as-is for NNG contacts: nothing personal."""

    date = plausible(
        DateField(label="Date", error_messages={"required": "Enter the date of the contact"}),
        latest=today,
    )
    time = TimeField(label="Time", error_messages={"required": "Enter the time of the contact"})
    channel = forms.ChoiceField(
        label="How did the contact happen?",
        choices=Contact.Channel.choices,
        widget=ColumnsRadioSelect,
        initial=Contact.Channel.PHONE,
        error_messages={"required": "Select how the contact happened"},
    )
    direction = forms.ChoiceField(
        label="Who made the contact?",
        choices=Contact.Direction.choices,
        widget=InlineRadioSelect,
        initial=Contact.Direction.INCOMING,
        error_messages={"required": "Select who made the contact"},
    )
    person = forms.ChoiceField(
        label="Who was the contact with?",
        choices=Contact.Person.choices,
        widget=InlineRadioSelect,
        initial=Contact.Person.PARENT,
        required=False,  # a parent or carer unless said otherwise
        error_messages={"invalid_choice": "Choose who the contact was with from the list"},
    )
    duration_minutes = forms.IntegerField(
        label="Time spent (minutes)",
        # A text box, as GOV.UK advises for numbers: no spinner, no silent rounding.
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-4", "spellcheck": "false"}
        ),
        min_value=1,
        max_value=720,
        error_messages={
            "required": "Enter the time spent, in minutes",
            "invalid": "Enter the time spent as a whole number of minutes, like 15",
            "min_value": "Time spent must be at least 1 minute",
            "max_value": "Time spent must be 720 minutes (12 hours) or less",
        },
    )
    topics = ListChoiceField(
        label="Topics",
        help_text="Select all that were discussed.",
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one topic",
            "invalid_choice": "Select topics from the list",
            "invalid_pk_value": "Select topics from the list",
        },
    )
    outcome = forms.ModelChoiceField(
        label="Outcome",
        queryset=Outcome.objects.none(),
        widget=ColumnsRadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the outcome",
            "invalid_choice": "Select an outcome from the list",
        },
    )

    #: The order of the page (``cases/includes/contact_fields.html``), for the error summary.
    field_order = ["channel", "direction", "person", "duration_minutes", "outcome", "topics", "date", "time"]

    def __init__(self, *args, service, focus_first_answer=False, **kwargs):
        now = timezone.localtime()
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("date", now.date())
        kwargs["initial"].setdefault("time", now.strftime("%H:%M"))
        super().__init__(*args, **kwargs)
        self._service = service
        # Sent answers are checked against the list as it stands; the most-used order is worked
        # out only for a form shown (a new one, or one sent back with its errors).
        self.fields["topics"].queryset = (
            Topic.objects.filter(service=service, is_active=True)
            if self.is_bound
            else topics_most_used_first(service)
        )
        self.fields["outcome"].queryset = Outcome.objects.filter(service=service, is_active=True)
        if focus_first_answer and not self.is_bound:  # after an error, the error summary has focus
            self.fields["channel"].widget.attrs["autofocus"] = True

    def full_clean(self):
        super().full_clean()
        if self._errors:  # shown again: its topics in the order the person saw them
            self.fields["topics"].queryset = topics_most_used_first(self._service)

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("date"), cleaned.get("time")
        if day and at:
            occurred = timezone.make_aware(datetime.combine(day, at))
            if occurred > timezone.now() + timezone.timedelta(minutes=5):
                self.add_error("date", "The contact cannot be in the future")
            elif day.year < 2000:
                self.add_error("date", "Enter a date after 1 January 2000")
            cleaned["occurred_at"] = occurred
        return cleaned


class CaseContactForm(ContactForm):
    """A contact on a case: also notes and an optional follow-up date."""

    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What was discussed and agreed. Child-protection concerns do not go here.",
    )
    follow_up_on = plausible(
        DateField(label="Follow-up date (optional)", required=False), latest=years_ahead(1)
    )

    field_order = [
        "channel",
        "direction",
        "person",
        "duration_minutes",
        "outcome",
        "topics",
        "notes",
        "follow_up_on",
        "date",
        "time",
    ]

    def clean(self):
        cleaned = super().clean()
        follow_up, day = cleaned.get("follow_up_on"), cleaned.get("date")
        if follow_up and day and follow_up < day:
            self.add_error("follow_up_on", "The follow-up date cannot be before the contact")
        return cleaned


class VersionedForm:
    """An edit form that carries the version of the record it was opened on (hidden), so that a
    change saved meanwhile by someone else is not overwritten unseen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
        if not self.instance._state.adding:  # an existing record (new ones have a UUID already)
            self.initial.setdefault("version", self.instance.version)

    def conflict(self, current) -> list[tuple[str, str]]:
        """After ``EditConflict``: the answers that differ from what is saved now, as (label,
        saved value) pairs; the form then carries the current version, so saving again is a
        decision, not an accident."""
        differences = []
        for name in self._meta.fields:
            field = self.fields.get(name)
            if field is None or name not in self.cleaned_data:
                continue
            saved, typed = getattr(current, name), self.cleaned_data[name]
            if isinstance(saved, str) and isinstance(typed, str):
                same = " ".join(saved.split()) == " ".join(typed.split())  # line endings, spaces
            else:
                same = saved == typed
            if not same:
                shown = getattr(current, f"get_{name}_display", lambda saved=saved: saved)()
                if isinstance(saved, bool):
                    shown = "Yes" if saved else "No"
                differences.append((str(field.label), str(shown) if shown not in (None, "") else "(empty)"))
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = current.version
        return differences


class ParentForm(VersionedForm, ModelForm):
    class Meta:
        model = Parent
        fields = [
            "first_name",
            "last_name",
            "phone",
            "email",
            "address",
            "postcode",
            "preferred_contact",
            "detailed_message_ok",
            "parental_responsibility",
        ]
        widgets = {
            "preferred_contact": InlineRadioSelect,
            "parental_responsibility": InlineRadioSelect,
            "address": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"detailed_message_ok": "A detailed message may be left"}
        help_texts = {
            "parental_responsibility": "In-depth support is only for parents with parental responsibility.",
            "postcode": "For example, ME14 1XX",
        }
        error_messages = {
            "first_name": {"required": "Enter the parent's first name"},
            "last_name": {"required": "Enter the parent's last name"},
            "email": {"invalid": "Enter an email address like name@example.com"},
            "preferred_contact": {"required": "Select the preferred way of contact"},
            "parental_responsibility": {"required": "Select whether the parent has parental responsibility"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_contact"].choices = Parent.PreferredContact.choices
        self.fields["parental_responsibility"].choices = Parent.ParentalResponsibility.choices
        self.fields["postcode"].widget.attrs["class"] = "govuk-input govuk-input--width-10"
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update({"class": "govuk-input govuk-input--width-20"})

    def clean_postcode(self):
        return " ".join(self.cleaned_data["postcode"].upper().split())

    def clean_parental_responsibility(self):
        value = self.cleaned_data["parental_responsibility"]
        if value != Parent.ParentalResponsibility.YES:
            raise forms.ValidationError(
                "In-depth support is only for parents with parental responsibility. Give general "
                "information and log the contact with no name given"
            )
        return value


def _thirty_years_back():
    return today().replace(month=1, day=1, year=today().year - 30)


class ChildForm(VersionedForm, ModelForm):
    class Meta:
        model = Child
        fields = ["first_name", "last_name", "date_of_birth", "school", "need", "provision"]
        widgets = {"provision": ColumnsRadioSelect}
        error_messages = {
            "first_name": {"required": "Enter the child's first name"},
            "provision": {"required": "Select the child's SEN provision"},
        }

    def __init__(self, *args, **kwargs):
        plausible(self.base_fields["date_of_birth"], earliest=_thirty_years_back, latest=today)
        super().__init__(*args, **kwargs)
        self.fields["provision"].choices = Child.Provision.choices
        self.fields["need"].choices = [("", "Not known yet")] + list(Child.Need.choices)

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        today = timezone.localdate()
        if born and born > today:
            raise forms.ValidationError("The date of birth must be in the past")
        if born and born.year < today.year - 30:
            raise forms.ValidationError(
                "Check the date of birth: support is for children and young people up to 25"
            )
        return born


class BaseChildFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": "Add at most %(num)d children at once, then add more from the parent's record",
    }


#: ``absolute_max`` equal to ``max_num``: a forged count of 5,000 children builds 12 forms, not 5,000.
ChildFormSet = forms.formset_factory(
    ChildForm, formset=BaseChildFormSet, extra=1, max_num=12, absolute_max=12, validate_max=True
)


class CaseSummaryForm(ModelForm):
    class Meta:
        model = Case
        fields = ["summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"summary": {"required": "Say briefly what the parent needs help with"}}


class CaseCodesForm(Form):
    """The codes statistics count about a case (R15): nothing personal."""

    intervention_level = forms.ChoiceField(
        label="Intervention level",
        help_text="The IASS network's levels of support. Change it when the support changes.",
        choices=Case.InterventionLevel.choices,
        required=False,
        error_messages={"invalid_choice": "Choose an intervention level from the list"},
    )
    referral_source = forms.ChoiceField(
        label="Who referred the parent",
        choices=Case.ReferralSource.choices,
        required=False,
        error_messages={"invalid_choice": "Choose who referred the parent from the list"},
    )


class ReasonForm(Form):
    reason = forms.CharField(
        label="Reason",
        help_text="It is shown on the case timeline.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason"},
    )


class SearchForm(Form):
    q = forms.CharField(
        label="Name, phone number, email or postcode",
        max_length=200,
        required=False,
        error_messages={
            "max_length": "Shorten the search to at most 200 characters (it has %(show_value)d)",
            "null_characters_not_allowed": (
                "The search held an invisible control character (NUL), now taken out: search again"
            ),
        },
    )

    def typed(self) -> str:
        """What was typed, to show back in the box even when it was refused (a NUL taken out)."""
        return str(self.data.get("q", "")).replace("\x00", "")


class ReferenceItemForm(Form):
    name = forms.CharField(label="Name", max_length=100, error_messages={"required": "Enter a name"})


class AssignStaffForm(Form):
    staff = forms.ModelChoiceField(
        label="Put someone on this case",
        queryset=None,
        empty_label="Choose a caseworker or volunteer",
        error_messages={
            "required": "Choose who to put on the case",
            "invalid_choice": "Choose someone from the list",
        },
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = assignable_staff(case)
        # Say who is left out and why, rather than leaving them silently missing (R5).
        missing = [member.display_name for member in staff_on_other_parents_case(case)]
        if missing:
            names = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
            verb = "works" if len(missing) == 1 else "work"
            self.fields["staff"].help_text = (
                f"Not offered: {names}, who {verb} on the other parent's case. Separated parents are "
                "never supported by the same person."
            )
        self.fields["staff"].label_from_instance = lambda user: (
            f"{user.display_name} ({user.get_role_display()})"
        )


class LinkSeparatedParentsForm(Form):
    reference = forms.CharField(
        label="Case reference of the other parent",
        max_length=12,
        help_text="Separated parents of the same child. Each keeps their own caseworker.",
        error_messages={"required": "Enter the other parent's case reference"},
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


class CorrectionReasonMixin:
    """A correction asks why (``cases.corrections``): the reason is kept with the earlier version."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["correction_reason"] = forms.CharField(
            label="Why are you changing these details?",
            help_text="For example, “Phone number typed wrongly” or “The parent has moved”. "
            "It is kept with the earlier version.",
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages={"required": "Say why you are changing these details"},
        )
        self._bound_field(self.fields["correction_reason"])
        self.fields["correction_reason"].widget.attrs.update(
            {"class": "govuk-textarea", "aria-describedby": f"id_{self.add_prefix('correction_reason')}-hint"}
        )


class CorrectParentForm(CorrectionReasonMixin, ParentForm):
    """The parent's details, changed as a correction (the earlier version is kept)."""


class CorrectChildForm(CorrectionReasonMixin, ChildForm):
    """A child's details, changed as a correction (the earlier version is kept)."""


class CorrectContactForm(CaseContactForm):
    """A contact on a case, corrected: its answers, and why."""

    correction_reason = forms.CharField(
        label="Why are you correcting this contact?",
        help_text="For example, “Wrong outcome chosen”. It is kept with the earlier version.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why you are correcting this contact"},
    )

    field_order = [*CaseContactForm.field_order, "person", "correction_reason"]

    def __init__(self, *args, contact, **kwargs):
        when = timezone.localtime(contact.occurred_at)
        kwargs["initial"] = {
            "date": when.date(),
            "time": when.strftime("%H:%M"),
            "channel": contact.channel,
            "direction": contact.direction,
            "person": contact.person,
            "duration_minutes": contact.duration_minutes,
            "topics": [topic.pk for topic in contact.topics.all()],
            "outcome": contact.outcome_id,
            "notes": contact.notes,
            "follow_up_on": contact.follow_up_on,
        }
        super().__init__(*args, service=contact.service, **kwargs)
        # A retired topic or outcome stays choosable on the contact that has it.
        self.fields["topics"].queryset = Topic.objects.filter(
            Q(service=contact.service, is_active=True) | Q(pk__in=kwargs["initial"]["topics"])
        )
        self.fields["outcome"].queryset = Outcome.objects.filter(
            Q(service=contact.service, is_active=True) | Q(pk=contact.outcome_id)
        )


class MoveContactForm(Form):
    reference = forms.CharField(
        label="Reference of the case it belongs to",
        max_length=12,
        help_text="An open case of your service, for example K7M2QX.",
        error_messages={"required": "Enter the reference of the case the contact belongs to"},
    )
    reason = forms.CharField(
        label="Why is it being moved?",
        help_text="Shown on both cases' timelines.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the contact is being moved"},
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()
