"""The service's settings page for its head of service (the policies of the services differ in
detail, and those differences are these settings): see them, each explained, and change them,
each change in the audit log and listed on the page.

Changing how long records are kept or how sessions lock is a sensitive action: the page asks for
the authenticator code again when it was last entered more than ``PPS_STEP_UP_MINUTES`` ago,
after the access check, so that anyone else gets the same 404 as for a page that does not exist.
"""

from auditlog import get_logentry_model
from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core import validators
from django.http import Http404
from django.shortcuts import redirect, render

from pps import access, services, step_up
from pps.audit import record_access
from pps.forms import InlineRadioSelect, ModelForm
from pps.models import Service

#: What each setting does, in the words of the page.
EXPLAINED = {
    "phone": "Given to parents in the simple message left when they are not reachable, and "
    "on letters. Never a member of staff's own number.",
    "address": "The office's address, for letters and the permission form.",
    "consent_renewal_months": "How long a parent's consent to share lasts before it must be renewed. "
    "Policies say 12 months of support.",
    "retention_months_after_closure": "How long a household is kept after its last case was "
    "closed; the nightly retention job then destroys it. Reading keeps one year.",
    "child_protection_retention_years": "How long a child-protection file is kept after its concern "
    "was closed. Never less than the case file: a file is destroyed only after its case.",
    "nng_allowed": "Whether a contact can be logged with no name given. A service that makes "
    "no record when a parent declines to give details answers Yes.",
    "why_we_keep_statement": "Read out or sent to a parent before their details are kept, and "
    "printed on the permission form.",
    "contact_correction_days": "How long the member of staff who logged a contact may correct it "
    "themselves. Senior managers may correct any contact at any time.",
    "idle_timeout_minutes": "After this many minutes without use a session locks and asks for the "
    "password again. Never more than 15 for designated safeguarding leads.",
    "document_max_megabytes": "Each file attached to a case may be up to this size; a larger one "
    "is refused before it is read in full.",
}


class ServiceSettingsForm(ModelForm):
    class Meta:
        model = Service
        fields = list(services.SERVICE_SETTINGS)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "why_we_keep_statement": forms.Textarea(attrs={"rows": 8}),
            "nng_allowed": InlineRadioSelect(choices=[(True, "Yes"), (False, "No")]),
        }
        labels = {
            "consent_renewal_months": "Months a consent to share lasts",
            "retention_months_after_closure": "Months a household is kept after its last case closed",
            "child_protection_retention_years": (
                "Years a child-protection file is kept after its concern closed"
            ),
            "nng_allowed": "Contacts may be logged with no name given (NNG)",
            "why_we_keep_statement": "\u201cWhy we keep information about you\u201d statement",
            "idle_timeout_minutes": "Minutes before an idle session locks",
            "contact_correction_days": "Days the person who logged a contact may correct it",
            "document_max_megabytes": "Largest file attached to a case (MB)",
        }

    RANGES = {
        "consent_renewal_months": (1, 36),
        "retention_months_after_closure": (1, 240),
        "child_protection_retention_years": (1, 100),
        "idle_timeout_minutes": (5, 30),
        "contact_correction_days": (1, 90),
        "document_max_megabytes": (1, 100),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.help_text = EXPLAINED[name]
        for name, (low, high) in self.RANGES.items():
            field = self.fields[name]
            field.min_value, field.max_value = low, high
            field.widget.attrs.update(min=low, max=high)
            field.help_text += f" From {low} to {high}."
            field.error_messages.update(
                {
                    "min_value": f"Enter a number from {low} to {high}",
                    "max_value": f"Enter a number from {low} to {high}",
                    "invalid": f"Enter a whole number from {low} to {high}",
                    "required": f"Enter a number from {low} to {high}",
                }
            )
            field.validators = [v for v in field.validators if not hasattr(v, "limit_value")]
            field.validators += [
                validators.MinValueValidator(low, message=f"Enter a number from {low} to {high}"),
                validators.MaxValueValidator(high, message=f"Enter a number from {low} to {high}"),
            ]
        self.fields["nng_allowed"].required = False
        self.fields["why_we_keep_statement"].max_length = 5000
        statement = self.fields["why_we_keep_statement"]
        statement.error_messages["required"] = "Enter the statement read to parents"

    def clean_why_we_keep_statement(self):
        text = self.cleaned_data["why_we_keep_statement"].strip()
        if len(text) > 5000:
            raise forms.ValidationError("Keep the statement to 5,000 characters or fewer")
        return text

    def clean(self):
        cleaned = super().clean()
        years = cleaned.get("child_protection_retention_years")
        months = cleaned.get("retention_months_after_closure")
        if years and months and years * 12 < months:
            self.add_error(
                "child_protection_retention_years",
                "Keep child-protection files at least as long as the case file "
                f"({months} months is more than {years} years)",
            )
        return cleaned


def _recent_changes(service, limit=20):
    """The latest changes of the service's settings, from the audit log: when, who, which."""
    entries = get_logentry_model().objects.filter(
        content_type=ContentType.objects.get_for_model(Service), object_pk=str(service.pk), action=1
    )
    labels = {name: str(Service._meta.get_field(name).verbose_name) for name in services.SERVICE_SETTINGS}
    changes = []
    for entry in entries.select_related("actor").order_by("-timestamp")[:limit]:
        names = [labels[name] for name in entry.changes_dict if name in labels]
        if names:
            changes.append({"at": entry.timestamp, "by": entry.actor, "what": names})
    return changes


def service_settings(request):
    """The head of service sees and changes the service's settings."""
    if not access.may_change_service_settings(request.user):
        raise Http404
    if challenge := step_up.challenge(request):
        return challenge
    service = Service.objects.get(pk=request.user.service_id)
    form = ServiceSettingsForm(request.POST or None, instance=Service.objects.get(pk=service.pk))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.SERVICE_SETTINGS}
        values["nng_allowed"] = bool(values["nng_allowed"])
        try:
            changed = services.change_service_settings(request.user, service, **values)
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Settings saved." if changed else "Nothing was changed.")
            return redirect("service_settings")
    record_access(request.user, [service], how="service settings")
    context = {"form": form, "service": service, "changes": _recent_changes(service)}
    return render(request, "pps/service_settings.html", context)
