from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from consent.models import Consent
from imports import services, storage
from imports.values import FIELDS
from pps.forms import Form


class StoredUpload(UploadedFile):
    """An upload already stored encrypted (``EncryptingUploadHandler``): its stored name only."""

    def __init__(self, *, name, size, stored_name):
        super().__init__(file=None, name=name, size=size)
        self.stored_name = stored_name


class EncryptingUploadHandler(FileUploadHandler):
    """Encrypts the uploaded file as it arrives, so that it never lands in clear in memory or in
    a temporary file (Django's own handlers would do one or the other). Anything beyond
    ``IMPORTS_MAX_UPLOAD_BYTES`` is dropped and the form says the file is too large."""

    def __init__(self, request, run):
        super().__init__(request)
        self.run = run
        self.writer = None
        self.too_large = False

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        if field_name == "file" and self.writer is None and not self.too_large:
            self.writer = storage.EncryptedWriter(key=self.run.household_key(), label=str(self.run.pk))

    def receive_data_chunk(self, raw_data, start):
        if self.writer is None:
            return None
        if start + len(raw_data) > settings.IMPORTS_MAX_UPLOAD_BYTES:
            self.writer.abort()
            self.writer, self.too_large = None, True
            return None
        self.writer.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.writer is None:
            return None
        stored_name = self.writer.finish()
        self.writer = None
        return StoredUpload(name=self.file_name, size=file_size, stored_name=stored_name)

    def upload_interrupted(self):
        if self.writer is not None:
            self.writer.abort()
            self.writer = None


class UploadForm(Form):
    source = forms.CharField(
        label="Which system do these records come from?",
        help_text="For example “Charitylog”, “Lamplight” or “our contacts spreadsheet”. The columns you "
        "map are remembered for the next file from the same system.",
        max_length=100,
        error_messages={"required": "Enter the name of the system the records come from"},
    )
    file = forms.FileField(
        label="The file",
        help_text="A CSV file or an Excel workbook (.xlsx), with the names of the columns in the first row.",
        error_messages={"required": "Choose the file to import", "empty": "The file is empty"},
    )

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and not isinstance(upload, StoredUpload):
            raise forms.ValidationError("Choose the file again.")
        return upload

    def full_clean(self):
        super().full_clean()
        if self.too_large:
            megabytes = settings.IMPORTS_MAX_UPLOAD_BYTES // (1024 * 1024)
            self.errors.pop("file", None)
            self.add_error(
                "file", f"The file must be smaller than {megabytes} MB: split it into several files."
            )


class ColumnsForm(Form):
    """Which column of the file holds each of the product's fields."""

    def __init__(self, *args, headers=(), initial_mapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Not in this file"), *((h, h) for h in headers)]
        self.groups = {}
        for key, label, group in FIELDS:
            self.fields[key] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )
            self.fields[key].initial = (initial_mapping or {}).get(key, "")
            self.groups.setdefault(group, []).append(key)

    def grouped(self):
        return [(group, [self[key] for key in keys]) for group, keys in self.groups.items()]

    def mapping(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value}


VALUE_LABELS = {
    "topic": "topic",
    "outcome": "outcome",
    "channel": "channel",
    "need": "type of need",
    "provision": "SEN provision",
    "consent": "consent to keep details",
}


class ValuesForm(Form):
    """What each value of the old system's list columns becomes in the service's lists."""

    def __init__(self, *args, run, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = []
        self.keys = {}
        for key, olds in run.preview.get("values", {}).items():
            choices = [
                ("", "Choose"),
                *services.choices_for(run.service, key),
                (services.REFUSE, "Refuse the rows with this value"),
            ]
            names = []
            for number, old in enumerate(olds):
                name = f"{key}__{number}"
                shown = old or "(blank)"
                self.fields[name] = forms.ChoiceField(
                    label=f"“{shown}” becomes",
                    choices=choices,
                    required=True,
                    widget=forms.Select(attrs={"class": "govuk-select"}),
                    error_messages={"required": f"Choose what the {VALUE_LABELS[key]} “{shown}” becomes."},
                )
                self.fields[name].initial = run.value_mapping.get(key, {}).get(old, "")
                self.fields[name].unmatched = old not in run.value_mapping.get(key, {})
                self.keys[name] = (key, old)
                names.append(name)
            self.sections.append((VALUE_LABELS[key], [self[name] for name in names]))

    def mapping(self) -> dict:
        mapping = {}
        for name, (key, old) in self.keys.items():
            mapping.setdefault(key, {})[old] = self.cleaned_data[name]
        return mapping


class ConsentForm(Form):
    method = forms.ChoiceField(
        label="How did the parent agree?",
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the parent agreed that we keep their details."},
    )
    told = forms.BooleanField(
        label="I told the parent why we keep information about them, and they agreed",
        error_messages={"required": "Confirm that the parent was told why we keep information and agreed."},
    )
