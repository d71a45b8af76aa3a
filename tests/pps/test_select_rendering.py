"""Selects are rendered in Python by the form renderer (``pps.forms.select_html``), not through
Django's select templates: the HTML must be the templates' own, character for character."""

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeString

from cases.forms import CaseCodesForm
from pps.forms import GovukFormMixin, GovukFormRenderer


def through_the_templates(bound_field) -> str:
    """The field's widget as Django renders it with its own renderer and templates."""
    form = bound_field.form
    ours, form.renderer = form.renderer, TemplatesSetting()
    try:
        return str(bound_field.as_widget())
    finally:
        form.renderer = ours


class Choices(GovukFormMixin, forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "Not known"), ("a", "A & <b>"), ("b", 'Quote "b"')],
        help_text="A hint",
        error_messages={"required": "Choose a plain thing"},
    )
    grouped = forms.ChoiceField(
        choices=[("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")],
        required=False,
        widget=forms.Select(attrs={"disabled": True, "data-x": SafeString("a&amp;b"), "hidden": False}),
    )
    several = forms.MultipleChoiceField(
        choices=[(1, "One"), (2, "Two")], required=False, widget=forms.SelectMultiple
    )
    unsure = forms.NullBooleanField(required=False)


@pytest.mark.parametrize(
    "form",
    [
        Choices(),
        Choices(data={"plain": "b", "grouped": "y", "several": ["1", "2"], "unsure": "true"}),
        Choices(data={"plain": "nonsense"}),  # with an error: the error class and description
        CaseCodesForm(initial={"intervention_level": "2", "referral_source": ""}),
    ],
    ids=["empty", "answered", "with an error", "case codes"],
)
def test_each_select_is_the_html_djangos_templates_make(form):
    if form.is_bound:
        form.is_valid()
    selects = [field for field in form if isinstance(field.field.widget, forms.Select)]
    assert selects
    for field in selects:
        assert str(field) == through_the_templates(field), field.name


def test_what_is_typed_in_a_label_is_escaped_and_the_chosen_option_selected():
    form = Choices(data={"plain": "a"})
    html = str(form["plain"])
    assert '<option value="a" selected>A &amp; &lt;b&gt;</option>' in html
    assert '<option value="b">Quote &quot;b&quot;</option>' in html
    assert 'aria-describedby="id_plain-hint"' in html
    grouped = str(form["grouped"])
    assert '<optgroup label="Group &lt;1&gt;">' in grouped
    assert " disabled" in grouped and "hidden" not in grouped
    assert 'data-x="a&amp;b"' in grouped  # already safe: not escaped twice


def test_other_widgets_still_go_through_their_templates():
    context = forms.TextInput().get_context("q", "x <y>", {"id": "id_q"})
    html = GovukFormRenderer().render("django/forms/widgets/input.html", context)
    assert html == '<input type="text" name="q" value="x &lt;y&gt;" id="id_q">'
