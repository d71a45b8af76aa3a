"""A missing answer is named in the error, not reported as Django's bare "This field is required"."""

from django import forms

from pps.forms import Form


class ExampleForm(Form):
    person_spoken_to = forms.CharField()
    agency = forms.ChoiceField(label="Agency", choices=[("a", "A")], widget=forms.RadioSelect)
    explicit = forms.CharField(error_messages={"required": "Say what was shared"})


def test_missing_answers_are_named():
    form = ExampleForm({})
    assert not form.is_valid()
    assert form.errors["person_spoken_to"] == ["Enter person spoken to"]
    assert form.errors["agency"] == ["Select agency"]
    assert form.errors["explicit"] == ["Say what was shared"]
