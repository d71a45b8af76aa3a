from django import forms

from consent.models import StatementSent
from documents.models import Document, LetterTemplate
from pps.form_fields import DateField
from pps.forms import Form, plausible, today


class AttachForm(Form):
    """What the files are; the files themselves come from the upload handler (``views``)."""

    kind = forms.ChoiceField(
        label="What is it?",
        choices=Document.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the document is"},
    )
    title = forms.CharField(
        label="Title (optional)",
        max_length=200,
        required=False,
        help_text="For example “Draft EHC plan, version 2”. Left empty, each file is called by its name.",
    )
    dated = plausible(
        DateField(
            label="Date of the document", error_messages={"required": "Enter the date of the document"}
        ),
        latest=today,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("dated", today())
        super().__init__(*args, **kwargs)


class ChooseLetterForm(Form):
    template = forms.ModelChoiceField(
        label="Which letter?",
        queryset=LetterTemplate.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose a letter", "invalid_choice": "Choose a letter"},
    )
    simple_messages_checked = forms.BooleanField(
        label="I have checked with the parent that a letter is all right",
        required=False,
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates


class LetterForm(Form):
    text = forms.CharField(
        label="The letter",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 22}),
        help_text="Change anything before you download it. Up to 20,000 characters.",
        error_messages={"required": "Enter the letter's text"},
    )
    how = forms.ChoiceField(
        label="How will it be sent?",
        choices=[c for c in StatementSent.How.choices if c[0] != StatementSent.How.MEETING],
        widget=forms.RadioSelect,
        required=False,
        initial=StatementSent.How.POST,
    )
    simple_messages_checked = forms.BooleanField(widget=forms.HiddenInput, required=False)


class LetterTemplateForm(Form):
    name = forms.CharField(
        label="Name", max_length=120, error_messages={"required": "Enter the letter's name"}
    )
    purpose = forms.ChoiceField(
        label="What is it for?",
        choices=LetterTemplate.Purpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the letter is for"},
    )
    body = forms.CharField(
        label="Text",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 20}),
        error_messages={"required": "Enter the letter's text"},
        help_text="Up to 10,000 characters. Placeholders in braces are filled in from the case.",
    )
    is_active = forms.BooleanField(label="In use (offered to caseworkers)", required=False, initial=True)
