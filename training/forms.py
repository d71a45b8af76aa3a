from django import forms

from pps.forms import Form
from training.services import MAX_LENGTHS


class CaseStudyEditForm(Form):
    """The parts of a draft a person may edit: title, family, summary, each timeline entry's
    notes, and points for discussion. Entry fields are added for the study's entries."""

    title = forms.CharField(
        label="Title", max_length=MAX_LENGTHS["title"], error_messages={"required": "Enter a title"}
    )
    family = forms.CharField(
        label="Change the family’s description",
        max_length=MAX_LENGTHS["family"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    summary = forms.CharField(
        label="Change what the parent needed help with",
        max_length=MAX_LENGTHS["summary"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    discussion = forms.CharField(
        label="Points for discussion",
        help_text="Optional: questions for the people being trained.",
        max_length=MAX_LENGTHS["discussion"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        for number, entry in enumerate(entries):
            if not entry.get("text"):
                continue  # nothing written: nothing to check
            self.fields[f"entry_{number}"] = forms.CharField(
                label=f"Change the notes of week {entry['week']}: {entry['heading'].lower()}",
                max_length=MAX_LENGTHS["entry"],
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
            )


class SubmitForm(Form):
    checked = forms.BooleanField(
        label="I have checked every highlighted word, and nothing in this case study identifies anyone",
        required=False,
    )


class ApproveForm(Form):
    checked = forms.BooleanField(
        label="I have read it all, and nothing in this case study identifies anyone", required=False
    )


class SendBackForm(Form):
    note = forms.CharField(
        label="What needs changing",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what needs changing"},
    )
