"""Form machinery shared by the apps: GOV.UK Frontend markup for every form field."""

from django import forms
from django.forms.renderers import TemplatesSetting

#: The longest password any password box takes (sign in, unlock, new password): long enough for
#: any passphrase, short enough that hashing it costs nothing unusual.
PASSWORD_MAX_LENGTH = 256

WIDGET_CLASSES = {
    "textinput": "govuk-input",
    "emailinput": "govuk-input",
    "numberinput": "govuk-input govuk-input--width-4",
    "dateinput": "govuk-input govuk-input--width-10",
    "datetimeinput": "govuk-input govuk-input--width-20",
    "datetimelocalinput": "govuk-input govuk-input--width-20",
    "timeinput": "govuk-input govuk-input--width-5",
    "passwordinput": "govuk-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
}
ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
}


def _required_message(field, name: str) -> str:
    """Say which answer is missing ("Enter person spoken to"), not Django's bare "required"."""
    label = str(field.label or name.replace("_", " "))
    choosing = isinstance(field.widget, (forms.Select, forms.RadioSelect, forms.CheckboxInput))
    return f"{'Select' if choosing else 'Enter'} {label[:1].lower()}{label[1:]}"


class GovukFormRenderer(TemplatesSetting):
    """Renders each field as a GOV.UK form group (label, hint, error message, input)."""

    field_template_name = "forms/govuk_field.html"


class GovukFormMixin:
    """Adds GOV.UK classes to widgets, error classes to invalid fields, and strips NUL bytes.

    Also describes each input by its hint and error message for screen readers.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget_type = field.widget.__class__.__name__.lower()
            css = WIDGET_CLASSES.get(widget_type)
            if css and "class" not in field.widget.attrs:
                field.widget.attrs["class"] = css
            if field.help_text:
                field.widget.attrs.setdefault("aria-describedby", f"id_{self.add_prefix(name)}-hint")
            if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
                field.error_messages["required"] = _required_message(field, name)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            classes = widget.attrs.get("class", "")
            base = classes.split(" ")[0] if classes else ""
            error_class = ERROR_CLASSES.get(base)
            if error_class and error_class not in classes:
                widget.attrs["class"] = f"{classes} {error_class}"
            described = [f"id_{self.add_prefix(name)}-error"]
            if self.fields[name].help_text:
                described.insert(0, f"id_{self.add_prefix(name)}-hint")
            widget.attrs["aria-describedby"] = " ".join(described)


class Form(GovukFormMixin, forms.Form):
    pass


class ModelForm(GovukFormMixin, forms.ModelForm):
    pass


class InlineRadioSelect(forms.RadioSelect):
    """Radios side by side: for two to four short options."""


class ColumnsRadioSelect(forms.RadioSelect):
    """Radios in two columns: for longer lists, so forms stay short."""
