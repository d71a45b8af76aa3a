"""Forms for child-protection files. They check shape only; the rules are in ``services``."""

from django import forms
from django.db.models import Q

from consent.models import Disclosure
from pps.forms import Form
from pps.models import SENIOR_ROLES, User
from safeguarding.models import Discussion, ExternalReferral


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _when(label):
    return forms.DateTimeField(label=label, widget=DateTimeLocalInput())


class ConcernForm(Form):
    child = forms.ModelChoiceField(
        label="Which child is it about?", queryset=None, required=False, empty_label="Not one child"
    )
    what = forms.CharField(label="What was said or seen", widget=forms.Textarea, max_length=10000)
    happened_at = _when("When it happened")
    immediate_danger = forms.BooleanField(label="The child is in immediate danger", required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        children = list(case.parent.children.all())
        self.fields["child"].queryset = case.parent.children.all()
        self.fields["child"].label_from_instance = lambda child: child.full_name
        if not children:
            del self.fields["child"]


class DiscussionForm(Form):
    participants = forms.CharField(label="Who took part", widget=forms.Textarea, max_length=1000)
    senior_manager = forms.ModelChoiceField(
        label="Senior manager or designated lead who took part", queryset=User.objects.none()
    )
    held_at = _when("When")
    decision = forms.ChoiceField(label="What was decided", choices=Discussion.Decision.choices)
    notes = forms.CharField(widget=forms.Textarea, max_length=10000, required=False)

    def __init__(self, *args, service_id, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["senior_manager"]
        field.queryset = User.objects.filter(service_id=service_id, is_active=True).filter(
            Q(role__in=SENIOR_ROLES) | Q(is_safeguarding_lead=True)
        )
        field.label_from_instance = lambda user: user.display_name


class ReferralForm(Form):
    agency = forms.ChoiceField(choices=ExternalReferral.Agency.choices)
    made_at = _when("Date and time")
    how = forms.ChoiceField(label="How", choices=Disclosure.How.choices)
    person_spoken_to = forms.CharField(max_length=200)
    their_reference = forms.CharField(max_length=100, required=False)
    what_was_shared = forms.CharField(widget=forms.Textarea, max_length=10000)
