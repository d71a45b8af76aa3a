from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Contact
from consent.models import Consent, Disclosure, Recipient, Referral, StatementSent, SubjectAccessRequest
from pps.form_fields import DateField, TimeField
from pps.forms import ColumnsRadioSelect, Form, plausible, today


def _moment(day, at=None) -> datetime:
    """A date (and time) typed on a form as an aware datetime; today without a time is now."""
    if at is None:
        if day == timezone.localdate():
            return timezone.now()
        at = time(12, 0)
    return timezone.make_aware(datetime.combine(day, at))


class ConsentToKeepDetailsForm(Form):
    """R2: the parent was told why details are kept and agreed; how."""

    consent_confirmed = forms.BooleanField(
        label="I have told the parent why we keep information about them, and they agreed",
        error_messages={
            "required": (
                "Confirm that the parent was told why we keep information and agreed. "
                "If they declined, log the contact with no name given"
            ),
        },
    )
    consent_method = forms.ChoiceField(
        label="How did they agree?",
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
        initial=Consent.Method.ORAL_PHONE,
        error_messages={"required": "Select how the parent agreed"},
    )


class ConsentForm(Form):
    """R3: the parent's consent to share, on a case."""

    method = forms.ChoiceField(
        label="How did the parent give consent?",
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how the parent gave consent",
            "invalid_choice": "Select how the parent gave consent",
        },
    )
    given_on = DateField(
        label="Date consent was given",
        error_messages={"required": "Enter the date consent was given"},
    )
    plausible(given_on, latest=today)
    parent_was_told = forms.CharField(
        label="What the parent was told",
        help_text="What will be shared, with whom and why, and that they can withdraw consent at any time.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what the parent was told about sharing their information"},
    )
    recipients = forms.MultipleChoiceField(
        label="Who may information be shared with?",
        help_text="Select all the parent agreed to.",
        choices=Recipient.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select who the parent agreed their information may be shared with",
            "invalid_choice": "Select from the list",
        },
    )
    named_organisation = forms.CharField(
        label="Name of the other organisation (if any)",
        required=False,
        max_length=200,
    )

    contact = forms.ModelChoiceField(
        label="The contact it was given during",
        help_text="For consent given on a call: the call, so that it is on the contact log. Log the call "
        "first if it is not listed.",
        queryset=None,
        required=False,
        empty_label="Not during a contact logged here",
        error_messages={"invalid_choice": "Choose a contact from the list"},
    )

    #: How far back the contacts offered go.
    CONTACT_DAYS = 14

    def __init__(self, *args, case=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("given_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        since = timezone.now() - timezone.timedelta(days=self.CONTACT_DAYS)
        contacts = (
            case.contacts.filter(occurred_at__gte=since).select_related("logged_by").order_by("-occurred_at")
            if case is not None
            else Contact.objects.none()
        )
        field = self.fields["contact"]
        field.queryset = contacts
        field.label_from_instance = lambda contact: (
            f"{contact.get_channel_display()} {contact.get_direction_display().lower()}, "
            f"{timezone.localtime(contact.occurred_at):%-d %b %Y at %H:%M} ({contact.logged_by.display_name})"
        )
        # The call the parent is most likely on: the latest one logged today.
        latest = contacts.first()
        if latest is not None and timezone.localdate(latest.occurred_at) == timezone.localdate():
            self.initial.setdefault("contact", latest.pk)

    def clean_given_on(self):
        day = self.cleaned_data["given_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date consent was given cannot be in the future")
        if day.year < 2000:
            raise forms.ValidationError("Enter a date after 1 January 2000")
        return day

    def clean(self):
        cleaned = super().clean()
        recipients = cleaned.get("recipients") or []
        named = cleaned.get("named_organisation", "").strip()
        if Recipient.OTHER in recipients and not named:
            self.add_error(
                "named_organisation", "Name the other organisation the parent agreed to share with"
            )
        elif named and Recipient.OTHER not in recipients:
            self.add_error(
                "named_organisation",
                "Select \u201cAnother named organisation\u201d as well, or leave its name empty",
            )
        if cleaned.get("given_on"):
            cleaned["given_at"] = _moment(cleaned["given_on"])
        return cleaned


class WithdrawConsentForm(Form):
    note = forms.CharField(
        label="How did the parent withdraw their consent?",
        help_text="For example, on a phone call, and what they said. Withdrawal takes effect at once.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how the parent withdrew their consent"},
    )


class ConsentChoiceField(forms.ModelChoiceField):
    """Offers the case's valid consents, but takes any of the case's consents, so that the service
    can say exactly why an expired or withdrawn one cannot be relied on."""

    def __init__(self, *args, **kwargs):
        self.lookup = Consent.objects.none()
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.lookup.get(pk=value)
        except (Consent.DoesNotExist, ValidationError, ValueError, TypeError):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def validate(self, value):
        forms.Field.validate(self, value)


class DisclosureForm(Form):
    """R3: what was shared, with whom, when, how and on what basis."""

    what = forms.CharField(
        label="What was shared",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what was shared"},
    )
    recipient = forms.ChoiceField(
        label="Shared with",
        choices=Recipient.choices,
        widget=ColumnsRadioSelect,
        error_messages={
            "required": "Select who the information was shared with",
            "invalid_choice": "Select who the information was shared with",
        },
    )
    organisation = forms.CharField(
        label="Name of the organisation or person",
        help_text="Needed for another named organisation.",
        required=False,
        max_length=200,
    )
    date = DateField(
        label="Date",
        error_messages={"required": "Enter the date it was shared"},
    )
    plausible(date, latest=today)
    time = TimeField(
        label="Time",
        error_messages={
            "required": "Enter the time it was shared",
        },
    )
    how = forms.ChoiceField(
        label="How was it shared?",
        choices=Disclosure.How.choices,
        widget=ColumnsRadioSelect,
        error_messages={
            "required": "Select how it was shared",
            "invalid_choice": "Select how it was shared",
        },
    )
    basis = forms.ChoiceField(
        label="On what basis?",
        choices=Disclosure.Basis.choices,
        widget=forms.RadioSelect,
        initial=Disclosure.Basis.CONSENT,
        error_messages={
            "required": "Select the basis for sharing",
            "invalid_choice": "Select the basis for sharing",
        },
    )
    consent = ConsentChoiceField(
        label="The parent's consent it relies on",
        help_text="Only consents on this case that are valid today are listed.",
        queryset=Consent.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": "Select one of this case's valid consents"},
    )
    legal_reference = forms.CharField(
        label="Legal reference",
        help_text="For a legal obligation: the law or court order that requires it.",
        required=False,
        max_length=500,
    )

    def __init__(self, *args, case, **kwargs):
        now = timezone.localtime()
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("date", now.date())
        kwargs["initial"].setdefault("time", now.strftime("%H:%M"))
        super().__init__(*args, **kwargs)
        key = case.household_key()
        self.fields["consent"].queryset = case.consents.filter(
            withdrawn_at__isnull=True, expires_on__gte=timezone.localdate()
        ).order_by("-given_at")

        def label(consent):
            consent.use_household_key(key)
            covers = ", ".join(consent.recipient_labels())
            return (
                f"{consent.get_method_display()}, {timezone.localdate(consent.given_at):%d/%m/%Y}: "
                f"covers {covers}; valid until {consent.expires_on:%d/%m/%Y}"
            )

        self.fields["consent"].label_from_instance = label
        self.fields["consent"].lookup = case.consents.all()
        valid = list(self.fields["consent"].queryset[:2])
        self.has_consents = bool(valid)
        if len(valid) == 1 and not self.is_bound:
            self.initial.setdefault("consent", valid[0].pk)  # the only one: nothing to choose
        if not self.has_consents:
            # Nothing to offer; a consent id sent anyway is still checked, and refused by name.
            self.fields["consent"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("date"), cleaned.get("time")
        if day and at:
            when = _moment(day, at)
            if when > timezone.now() + timezone.timedelta(minutes=5):
                self.add_error("date", "The disclosure cannot be in the future")
            elif day.year < 2000:
                self.add_error("date", "Enter a date after 1 January 2000")
            cleaned["when"] = when
        return cleaned


def _not_future_date(day, what: str):
    if day > timezone.localdate():
        raise forms.ValidationError(f"{what} cannot be in the future")
    if day.year < 2000:
        raise forms.ValidationError("Enter a date after 1 January 2000")
    return day


def _date_field(label: str, what: str) -> DateField:
    """A date in the past (it was given, sent, received): from 1 January 2000 to today."""
    field = DateField(
        label=label,
        error_messages={"required": f"Enter the date {what}"},
    )
    return plausible(field, latest=today)


def _choice_field(label: str, choices, message: str, widget=forms.RadioSelect, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=widget,
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


class TodayByDefault:
    """Dates on these forms default to today."""

    date_fields: tuple = ()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        for name in self.date_fields:
            kwargs["initial"].setdefault(name, timezone.localdate())
        super().__init__(*args, **kwargs)


class StatementSentForm(TodayByDefault, Form):
    """R2: that the permission form and statement were given or sent."""

    date_fields = ("sent_on",)
    how = _choice_field(
        "How were they given or sent?", StatementSent.How.choices, "Select how they were given or sent"
    )
    sent_on = _date_field("Date", "they were given or sent")

    def clean_sent_on(self):
        return _not_future_date(self.cleaned_data["sent_on"], "The date")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sent_on"):
            cleaned["sent_at"] = _moment(cleaned["sent_on"])
        return cleaned


class ReferralForm(TodayByDefault, Form):
    """R4: a referral from a third party. Only what is needed to contact the parent: nothing
    about the child or the situation, which is taken on the parent's own record once they agree."""

    date_fields = ("referred_on",)
    referrer_organisation = forms.CharField(
        label="Referring organisation",
        help_text="For example, the child's school or the health visiting team.",
        max_length=200,
        error_messages={"required": "Give the organisation that made the referral"},
    )
    referrer_name = forms.CharField(label="Person who referred (optional)", max_length=200, required=False)
    how = _choice_field("How did the referral come?", Referral.How.choices, "Select how the referral came")
    referred_on = _date_field("Date of the referral", "of the referral")
    parent_first_name = forms.CharField(
        label="Parent's first name",
        max_length=100,
        error_messages={"required": "Give the parent's first name"},
    )
    parent_last_name = forms.CharField(label="Parent's last name", max_length=100, required=False)
    contact_by = _choice_field(
        "How can the parent be contacted?", Referral.ContactBy.choices, "Select how to contact the parent"
    )
    contact_detail = forms.CharField(
        label="Phone number, email address or postal address",
        help_text="One way to contact the parent, nothing more.",
        max_length=500,
        error_messages={"required": "Give one way to contact the parent"},
    )
    parent_agreed = _choice_field(
        "Does the parent know about the referral and agree to it?",
        [("yes", "Yes, and I have recorded how and when below"), ("no", "No, or not known")],
        "Say whether the parent knows about the referral and agreed to it",
        help_text="Only the referrer saying so is not enough: the parent must have told the service.",
    )
    consent_method = _choice_field(
        "How did the parent agree?",
        [("", "Not yet"), *Consent.Method.choices],
        "Select how the parent agreed",
        widget=forms.Select,
        required=False,
    )
    consent_on = DateField(
        label="Date the parent agreed",
        required=False,
    )
    plausible(consent_on, latest=today)

    def clean_referred_on(self):
        return _not_future_date(self.cleaned_data["referred_on"], "The date of the referral")

    def clean(self):
        cleaned = super().clean()
        agreed = cleaned.get("parent_agreed") == "yes"
        if agreed and not cleaned.get("consent_method"):
            self.add_error("consent_method", "Select how the parent agreed")
        if agreed and not cleaned.get("consent_on") and "consent_on" not in self.errors:
            self.add_error("consent_on", "Enter the date the parent agreed")
        if cleaned.get("consent_on"):
            try:
                _not_future_date(cleaned["consent_on"], "The date the parent agreed")
            except forms.ValidationError as error:
                self.add_error("consent_on", error)
        if cleaned.get("parent_agreed") == "no":
            cleaned["consent_method"], cleaned["consent_on"] = "", None
        if cleaned.get("referred_on"):
            cleaned["referred_at"] = _moment(cleaned["referred_on"])
        cleaned["consent_at"] = _moment(cleaned["consent_on"]) if cleaned.get("consent_on") else None
        return cleaned


class ReferralConsentForm(TodayByDefault, Form):
    """R4: the parent was contacted and agreed to the referral."""

    date_fields = ("consent_on",)
    consent_method = _choice_field(
        "How did the parent agree?", Consent.Method.choices, "Select how the parent agreed"
    )
    consent_on = _date_field("Date the parent agreed", "the parent agreed")

    def clean_consent_on(self):
        return _not_future_date(self.cleaned_data["consent_on"], "The date the parent agreed")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consent_on"):
            cleaned["consent_at"] = _moment(cleaned["consent_on"])
        return cleaned


class ReferralCloseForm(Form):
    because = _choice_field(
        "Why is the request closed?", Referral.ClosedBecause.choices, "Select why the request is closed"
    )


class OtherParentRequestForm(TodayByDefault, Form):
    """R5: another person with parental responsibility asked for information about the case."""

    date_fields = ("received_on",)
    requester = forms.CharField(
        label="Who asked?",
        help_text="Their name and how they are related to the child.",
        max_length=200,
        error_messages={"required": "Say who asked"},
    )
    how = _choice_field("How did they ask?", SubjectAccessRequest.How.choices, "Select how they asked")
    received_on = _date_field("Date of the request", "of the request")
    asked_for = forms.CharField(
        label="What did they ask for?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what they asked for"},
    )

    def clean_received_on(self):
        return _not_future_date(self.cleaned_data["received_on"], "The date of the request")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("received_on"):
            cleaned["received_at"] = _moment(cleaned["received_on"])
        return cleaned
