from django import forms
from django.core.validators import RegexValidator

from pps.forms import Form
from pps.models import Role

USERNAME = RegexValidator(
    r"^[A-Za-z0-9.@+_-]+$",
    "A username has only letters, numbers and . @ + - _ (no spaces)",
)
PHONE = RegexValidator(r"^[0-9 +()]*(ext\.? ?[0-9]+)?$", "Enter a phone number, like 01234 567890 ext 123")


def _name_field(label, missing):
    return forms.CharField(
        label=label,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": missing, "max_length": f"{label} has at most 150 characters"},
    )


def _email_field(required=True):
    return forms.EmailField(
        label="Email address",
        required=required,
        max_length=254,
        help_text="Their work address: the set-up link and notices about their account go there.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address like name@example.org",
            "max_length": "An email address has at most 254 characters",
        },
    )


def _work_phone_field():
    return forms.CharField(
        label="Work phone (optional)",
        required=False,
        max_length=40,
        validators=[PHONE],
        help_text="A number or extension colleagues can reach them on now. Designated safeguarding "
        "leads' numbers are shown to staff raising a child-protection concern. Never given to parents.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20", "autocomplete": "off"}),
        error_messages={"max_length": "A phone number has at most 40 characters"},
    )


def _role_field(roles):
    return forms.ChoiceField(
        label="Role",
        choices=[(role, Role(role).label) for role in roles],
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role", "invalid_choice": "Select one of the roles listed"},
    )


class DetailsForm(Form):
    first_name = _name_field("First name", "Enter their first name")
    last_name = _name_field("Last name", "Enter their last name")
    email = _email_field()
    work_phone = _work_phone_field()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class AddMemberForm(DetailsForm):
    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[USERNAME],
        help_text="What they type to sign in, for example firstname.lastname.",
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-20", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter a username",
            "max_length": "A username has at most 150 characters",
        },
    )
    field_order = ["first_name", "last_name", "username", "email", "role", "work_phone"]

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = _role_field(roles)
        self.order_fields(self.field_order)


class RoleForm(Form):
    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = _role_field(roles)
        self.fields["role"].label = "New role"


class ConfirmForm(Form):
    confirmed = forms.BooleanField(
        error_messages={"required": "Tick the box to confirm"},
    )

    def __init__(self, *args, label, missing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirmed"].label = label
        self.fields["confirmed"].error_messages["required"] = missing
