"""A missing answer is named in the error in plain English, in words written for that field: not
Django's bare "This field is required", and never a message made from the label ("Select sEN
provision")."""

import importlib
import re

import pytest
from django import forms
from django.apps import apps
from django.utils import timezone

from cases import services
from documents.services import templates_for
from pps.forms import UNNAMED_REQUIRED_MESSAGE, Form, GovukFormMixin, ModelForm
from pps.models import Role
from tests.factories import contact_details
from tests.imports.helpers import csv_bytes, previewed, row


class ExampleForm(Form):
    person_spoken_to = forms.CharField()
    explicit = forms.CharField(error_messages={"required": "Say what was shared"})


def test_a_field_without_its_own_message_is_not_given_one_made_from_its_label():
    form = ExampleForm({})
    assert not form.is_valid()
    assert form.errors["person_spoken_to"] == [UNNAMED_REQUIRED_MESSAGE]
    assert form.errors["explicit"] == ["Say what was shared"]


def every_form_class():
    for config in apps.get_app_configs():
        if config.path.startswith(str(apps.get_app_config("pps").path).rsplit("/", 1)[0]):
            for module in ("forms", "views", "service_settings", "password_reset", "policy_views"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError:
                    pass

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    found = {
        cls
        for cls in below(GovukFormMixin)
        if cls not in (Form, ModelForm) and not cls.__module__.startswith("tests.")
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def build(cls, arguments):
    """An instance of ``cls``, given the keyword arguments its ``__init__`` asks for."""
    given = {}
    for _ in range(5):
        try:
            return cls(**given)
        except TypeError as error:
            missing = re.search(r"keyword-only arguments?: '(\w+)'", str(error)) or re.search(
                r"positional argument: '(\w+)'", str(error)
            )
            if not missing or missing.group(1) not in arguments:
                raise
            given[missing.group(1)] = arguments[missing.group(1)]
    raise AssertionError(f"{cls.__name__} could not be built")


#: Dates and times get their messages from the GOV.UK date input (day, month and year boxes),
#: which names the part that is missing.
DATE_AND_TIME_FIELDS = (forms.DateField, forms.DateTimeField, forms.TimeField)


def reads_badly(message) -> bool:
    """Django's bare message, the fallback for a field with none of its own, or a label's
    capitals mangled by lower-casing its first letter ("Select sEN provision")."""
    return message in (UNNAMED_REQUIRED_MESSAGE, forms.Field.default_error_messages["required"]) or bool(
        re.search(r"\b[a-z][A-Z]", message)
    )


@pytest.mark.django_db
def test_every_required_answer_of_every_form_has_its_own_message(caseworker, head, case, service):
    contact = services.log_case_contact(by=caseworker, case=case, details=contact_details(service))
    arguments = {
        "service": service,
        "service_id": service.pk,
        "case": case,
        "contact": contact,
        "user": caseworker,
        "request": None,
        "today": timezone.localdate(),
        "templates": templates_for(service),
        "run": previewed(head, csv_bytes([row()])),
        "roles": list(Role.values),
        # A confirmation's label and message are the page's to give (staff accounts).
        "label": "Confirm",
        "missing": "Confirm that you want to do this",
    }
    classes = every_form_class()
    assert len(classes) > 30  # the walk found the apps' forms
    unnamed = []
    for cls in classes:
        form = build(cls, arguments)
        for name, field in form.fields.items():
            if not field.required or field.widget.is_hidden or isinstance(field, DATE_AND_TIME_FIELDS):
                continue
            message = str(field.error_messages.get("required", ""))
            if reads_badly(message):
                unnamed.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert unnamed == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form_path, field, message",
    [
        ("cases.forms.ContactForm", "channel", "Select how the contact happened"),
        ("cases.forms.ContactForm", "direction", "Select who made the contact"),
        ("cases.forms.ChildForm", "provision", "Select the child's SEN provision"),
        ("cases.forms.CorrectContactForm", "correction_reason", "Say why you are correcting this contact"),
        ("safeguarding.forms.ReferralForm", "person_spoken_to", "Enter the name of the person you spoke to"),
        ("pps.views.SignInForm", "username", "Enter your username"),
    ],
)
def test_a_sample_of_messages_read_well(form_path, field, message, caseworker, case, service):
    module, name = form_path.rsplit(".", 1)
    cls = getattr(importlib.import_module(module), name)
    contact = services.log_case_contact(by=caseworker, case=case, details=contact_details(service))
    if name == "SignInForm":
        form = cls(None, data={})
    elif name == "ContactForm":
        form = cls({}, service=service)
    elif name == "CorrectContactForm":
        form = cls({}, contact=contact)
    else:
        form = cls({})
    assert not form.is_valid()
    assert form.errors[field] == [message]
