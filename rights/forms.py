"""Forms of the data-rights workbench. Each says what is wrong in the users' words."""

from django import forms

from consent.forms import TodayByDefault, _choice_field, _date_field, _moment, _not_future_date
from consent.models import Consent, SubjectAccessRequest
from pps.forms import Form
from pps.models import Role, User
from rights.models import ChildProtectionDecision, LegalRequest, Redaction


def _text(
    label: str, message: str, *, max_length: int = 2000, required: bool = True, rows: int = 3, help_text=""
):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message},
    )


class RecordRequestForm(TodayByDefault, Form):
    """The parent, or a young person of the household, asks for a copy of what is held (R11)."""

    date_fields = ("received_on",)
    who = forms.ChoiceField(
        label="Who asked?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select who asked", "invalid_choice": "Select who asked"},
    )
    how = _choice_field("How did they ask?", SubjectAccessRequest.How.choices, "Select how they asked")
    received_on = _date_field("Date the request was received", "the request was received")
    asked_for = _text(
        "What did they ask for?",
        "Say what they asked for",
        help_text="In their words, for example \u201ceverything you hold about me and my son\u201d.",
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.children = {str(child.pk): child for child in case.parent.children.all()}
        choices = [("parent", f"The parent, {case.parent.full_name}")]
        choices += [(pk, f"{child.full_name}, as a young person") for pk, child in self.children.items()]
        self.fields["who"].choices = choices

    def clean_received_on(self):
        return _not_future_date(self.cleaned_data["received_on"], "The date of the request")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("received_on"):
            cleaned["received_at"] = _moment(cleaned["received_on"])
        who = cleaned.get("who")
        cleaned["child"] = self.children.get(who)
        cleaned["requester_kind"] = "parent" if who == "parent" else "young_person"
        return cleaned


class _DatedForm(TodayByDefault, Form):
    def _past(self, name: str, what: str):
        return _not_future_date(self.cleaned_data[name], what)


class IdentityForm(_DatedForm):
    date_fields = ("confirmed_on",)
    seen = _text(
        "What was seen to check their identity?",
        "Say what was seen to check their identity",
        max_length=1000,
        rows=2,
        help_text="For example: passport seen at the office; or known to the caseworker, voice on the phone.",
    )
    confirmed_on = _date_field("Date identity was confirmed", "identity was confirmed")

    def clean_confirmed_on(self):
        return self._past("confirmed_on", "The date identity was confirmed")


class PauseForm(_DatedForm):
    date_fields = ("on",)
    reason = _choice_field(
        "Why is the clock stopped?",
        SubjectAccessRequest.PauseReason.choices,
        "Select why the clock is stopped",
    )
    on = _date_field("Date the clock stopped", "the clock stopped")
    note = _text("What was asked of them (optional)", "", required=False, rows=2)

    def clean_on(self):
        return self._past("on", "The date the clock stopped")


class RestartForm(_DatedForm):
    date_fields = ("on",)
    on = _date_field("Date the answer arrived", "the answer arrived")
    note = _text("What arrived (optional)", "", required=False, rows=2)

    def clean_on(self):
        return self._past("on", "The date the answer arrived")


class ExtensionForm(Form):
    months = forms.TypedChoiceField(
        label="Extend by",
        coerce=int,
        choices=[(1, "One further month"), (2, "Two further months")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how long to extend by",
            "invalid_choice": "Select how long to extend by",
        },
    )
    reason = _text(
        "Why is more time needed?",
        "Give the reason for the extension",
        help_text="The requester must be told this within the first month.",
    )


class ChildProtectionDecisionForm(Form):
    decision = _choice_field(
        "Decision",
        ChildProtectionDecision.Decision.choices,
        "Select whether to disclose or withhold this file",
    )
    exemption = forms.ChoiceField(
        label="Exemption relied on (to withhold)",
        required=False,
        choices=ChildProtectionDecision.Exemption.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select an exemption from the list"},
    )
    note = _text("Note (optional)", "", required=False, rows=2)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "withhold" and not cleaned.get("exemption"):
            self.add_error("exemption", "Select the exemption relied on to withhold this file")
        return cleaned


class RedactionForm(Form):
    item = forms.CharField(widget=forms.HiddenInput, max_length=80)
    passage = _text(
        "Words to black out",
        "Copy the words to black out from this part of the pack",
        rows=2,
        help_text="Copy them exactly as shown, for example a teacher's name.",
    )
    reason = forms.ChoiceField(
        label="Why",
        choices=[("", "Choose a reason")] + list(Redaction.Reason.choices),
        error_messages={
            "required": "Select why the passage is redacted",
            "invalid_choice": "Select a reason",
        },
    )
    explanation = forms.CharField(label="Explanation (optional)", max_length=1000, required=False)


class ApproveForm(Form):
    partly_refused = forms.BooleanField(label="Some of what was asked for is refused", required=False)
    reason = _text("Why (told to the requester in the cover letter)", "", required=False, rows=2)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("partly_refused") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Give the reason the request is partly refused")
        return cleaned


class SentForm(_DatedForm):
    date_fields = ("sent_on",)
    how = _choice_field(
        "How was it sent?", SubjectAccessRequest.SentHow.choices, "Select how the pack was sent"
    )
    sent_on = _date_field("Date it was sent", "it was sent")

    def clean_sent_on(self):
        return self._past("sent_on", "The date it was sent")


class CloseForm(Form):
    note = _text("Note (optional)", "", required=False, rows=2)


class RefuseForm(Form):
    reason = _text(
        "Why is the request refused?",
        "Give the reason the request is refused",
        help_text="For example: manifestly unfounded or excessive, with why.",
    )


class LegalRequestForm(TodayByDefault, Form):
    """R12: council officers ask for information for legal reasons."""

    date_fields = ("received_on",)
    officer = forms.CharField(
        label="Who asked?", max_length=200, error_messages={"required": "Say who asked"}
    )
    organisation = forms.CharField(
        label="Their organisation", max_length=200, error_messages={"required": "Give their organisation"}
    )
    role = forms.CharField(label="Their role", max_length=200, error_messages={"required": "Give their role"})
    legal_reason = _text(
        "The legal reason",
        "Give the legal reason for the request",
        help_text="For example: a judicial review of the council's decision on the child's EHC plan.",
    )
    their_reference = forms.CharField(label="Their reference (optional)", max_length=100, required=False)
    asked_for = _text("What do they ask for?", "Say what they ask for")
    received_on = _date_field("Date of the request", "of the request")

    def clean_received_on(self):
        return _not_future_date(self.cleaned_data["received_on"], "The date of the request")


class LegalPermissionForm(TodayByDefault, Form):
    date_fields = ("given_on",)
    method = _choice_field(
        "How did the parent give permission?", Consent.Method.choices, "Select how the parent gave permission"
    )
    given_on = _date_field("Date permission was given", "permission was given")
    note = _text(
        "What the parent was told and agreed to",
        "Say what the parent was told and agreed to",
        help_text="Who will receive what, for what purpose, and that they will get a copy.",
    )

    def clean_given_on(self):
        return _not_future_date(self.cleaned_data["given_on"], "The date permission was given")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("given_on"):
            cleaned["given_at"] = _moment(cleaned["given_on"])
        return cleaned


class LegalDeclineForm(Form):
    reason = _text("Why is it declined?", "Give the reason the request is declined")


class LegalExtractForm(Form):
    parts = forms.MultipleChoiceField(
        label="Parts of the file to extract",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one part of the file",
            "invalid_choice": "Choose from the list",
        },
    )

    def __init__(self, *args, titles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parts"].choices = [(title, title) for title in titles]


class LegalSendForm(TodayByDefault, Form):
    date_fields = ("sent_on", "copy_on")
    sent_how = _choice_field(
        "How did the extract go to the officer?", LegalRequest.How.choices, "Select how the extract was sent"
    )
    sent_on = _date_field("Date sent to the officer", "it was sent to the officer")
    copy_how = _choice_field(
        "How did the copy go to the parent?",
        LegalRequest.How.choices,
        "Select how the copy went to the parent",
    )
    copy_on = _date_field("Date the copy was sent to the parent", "the copy was sent to the parent")
    basis = _choice_field(
        "Basis for sharing",
        [
            ("consent", "The parent's consent"),
            ("legal_obligation", "A legal obligation (for example a court order)"),
        ],
        "Select the basis for sharing",
    )
    legal_reference = forms.CharField(
        label="Legal reference (for a legal obligation)",
        help_text="The law or court order, with its reference.",
        max_length=500,
        required=False,
    )

    def clean_sent_on(self):
        return _not_future_date(self.cleaned_data["sent_on"], "The date it was sent")

    def clean_copy_on(self):
        return _not_future_date(self.cleaned_data["copy_on"], "The date the copy was sent")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("basis") == "legal_obligation" and not (cleaned.get("legal_reference") or "").strip():
            self.add_error("legal_reference", "Give the legal reference that obliges this disclosure")
        return cleaned


class DeputyForm(Form):
    deputy = forms.ModelChoiceField(
        label="Deputy for legal requests when you are absent",
        queryset=None,
        required=False,
        empty_label="No deputy",
        error_messages={"invalid_choice": "Choose a senior manager of the service"},
    )
    absent = forms.BooleanField(label="I am absent: legal requests go to my deputy", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = User.objects.filter(
            service_id=user.service_id, role=Role.SENIOR_MANAGER, is_active=True
        ).order_by("first_name", "last_name")
        self.fields["deputy"].label_from_instance = lambda member: member.display_name
