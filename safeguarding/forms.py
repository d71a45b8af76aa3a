"""Forms for child-protection files. They check shape only; the rules are in ``services``."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from consent.models import Disclosure
from pps.form_fields import DateTimeField
from pps.forms import Form, InlineRadioSelect, plausible, today, years_ago
from pps.models import SENIOR_ROLES, User
from safeguarding.models import BreakGlassAccess, Discussion, ExternalReferral


def _now():
    return timezone.localtime().replace(second=0, microsecond=0)


def _when(label, earliest=None):
    """A moment in the past: from ``earliest`` (default 1 January 2000) to today. Pre-filled with
    now, the likely answer (it is being told, or was just done)."""
    return plausible(DateTimeField(label=label, initial=_now), earliest=earliest, latest=today)


#: What a child lived through may be told years later: up to 30 years back (support is for
#: children and young people up to 25).
HAPPENED_EARLIEST = years_ago(30)


class ConcernForm(Form):
    child = forms.ModelChoiceField(
        label="Which child is it about?", queryset=None, required=False, empty_label="Not one child"
    )
    what = forms.CharField(
        label="What was said or seen",
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": "Enter what was said or seen"},
    )
    happened_at = _when("When it happened", earliest=HAPPENED_EARLIEST)
    immediate_danger = forms.BooleanField(label="The child is in immediate danger", required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        children = list(case.parent.children.all())
        self.fields["child"].queryset = case.parent.children.all()
        self.fields["child"].label_from_instance = lambda child: child.full_name
        if not children:
            del self.fields["child"]


class ConcernWithoutCaseForm(Form):
    """A concern from a call where the caller gave no name: no case to attach it to."""

    child_name = forms.CharField(
        label="The child's name, if the caller gave it", max_length=200, required=False
    )
    caller = forms.CharField(
        label="Who called, if they said",
        help_text="For example “a neighbour” or “the child's aunt”. Leave empty if they did not say.",
        max_length=200,
        required=False,
    )
    what = forms.CharField(
        label="What was said or seen",
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": "Enter what was said or seen"},
    )
    happened_at = _when("When it happened", earliest=HAPPENED_EARLIEST)
    immediate_danger = forms.BooleanField(label="The child is in immediate danger", required=False)


class DiscussionForm(Form):
    participants = forms.CharField(
        label="Who took part",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "Enter who took part in the discussion"},
    )
    senior_manager = forms.ModelChoiceField(
        label="Senior manager or designated lead who took part",
        queryset=User.objects.none(),
        error_messages={"required": "Select the senior manager or designated lead who took part"},
    )
    held_at = _when("When the discussion took place")
    decision = forms.ChoiceField(
        label="What was decided",
        choices=Discussion.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what was decided"},
    )
    notes = forms.CharField(widget=forms.Textarea, max_length=10000, required=False)

    def __init__(self, *args, service_id, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["senior_manager"]
        field.queryset = User.objects.filter(service_id=service_id, is_active=True).filter(
            Q(role__in=SENIOR_ROLES) | Q(is_safeguarding_lead=True)
        )
        field.label_from_instance = lambda user: user.display_name


class ReferralForm(Form):
    agency = forms.ChoiceField(
        label="Referred to",
        choices=ExternalReferral.Agency.choices,
        widget=InlineRadioSelect,
        error_messages={"required": "Select who the concern was referred to"},
    )
    made_at = _when("Date and time of the referral")
    how = forms.ChoiceField(
        label="How",
        choices=Disclosure.How.choices,
        widget=InlineRadioSelect,
        error_messages={"required": "Select how the referral was made"},
    )
    person_spoken_to = forms.CharField(
        max_length=200, error_messages={"required": "Enter the name of the person you spoke to"}
    )
    their_reference = forms.CharField(max_length=100, required=False)
    what_was_shared = forms.CharField(
        widget=forms.Textarea, max_length=10000, error_messages={"required": "Enter what was shared"}
    )


class BreakGlassForm(Form):
    reason = forms.ChoiceField(
        label="Why do you need to open this case's child-protection file?",
        choices=BreakGlassAccess.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you need to open the file"},
    )
    explanation = forms.CharField(
        label="Explain why it cannot wait for a designated lead",
        help_text="The designated leads will read this.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Explain why it cannot wait for a designated lead"},
    )
