"""Every date has a plausible range and every text a length limit, said on the form (issue 10,
item 13): years 1, 1066 and 1899 in child-protection forms, follow-ups in 9999 and a policy of a
million characters are refused with a message, keeping what was typed."""

import html

import pytest
from django import forms
from django.urls import reverse

from cases.forms import CaseContactForm, ChildForm
from pps import forms as pps_forms
from pps.models import ConfidentialityPolicy
from safeguarding.forms import ConcernForm, ConcernWithoutCaseForm, DiscussionForm, ReferralForm
from safeguarding.models import Concern
from tests.conftest import client_for
from tests.dates import dated


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("year", ["0001", "1066", "1899"])
def test_a_concern_from_long_ago_is_refused_and_kept(as_caseworker, case, year):
    response = as_caseworker.post(
        reverse("safeguarding:concern_raise", args=[case.pk]),
        dated({"what": "What the caller said", "happened_at": f"{year}-05-01T10:00"}),
    )
    assert response.status_code == 200
    text = page(response)
    assert "Enter a date on or after" in text
    assert "What the caller said" in text
    assert not Concern.objects.exists()


def test_a_concern_in_the_future_is_refused(as_caseworker, case):
    response = as_caseworker.post(
        reverse("safeguarding:concern_raise", args=[case.pk]),
        dated({"what": "What the caller said", "happened_at": "9999-01-01T10:00"}),
    )
    assert "The date cannot be in the future" in page(response)
    assert not Concern.objects.exists()


def test_the_raise_form_says_the_range(as_caseworker, case):
    text = page(as_caseworker.get(reverse("safeguarding:concern_raise", args=[case.pk])))
    assert "to today." in text
    assert "Up to 10,000 characters." in text


def test_a_follow_up_in_9999_is_refused(as_caseworker, case):
    from tests.cases.test_case_work import contact_form

    response = as_caseworker.post(
        reverse("cases:case_contact_log", args=[case.pk]),
        contact_form(case.service, follow_up_on="9999-12-31"),
    )
    assert response.status_code == 200
    assert "Enter a date on or before" in page(response)
    assert not case.contacts.exists()


def test_a_policy_of_a_million_characters_is_refused_and_nothing_published(head, service):
    before = ConfidentialityPolicy.objects.count()
    response = client_for(head).post(
        reverse("policy_manage"), {"text": "x" * 1_000_000, "confirm": "on", "based_on": 1}
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 50000 characters" in page(response)
    assert ConfidentialityPolicy.objects.count() == before
    assert "Up to 50,000 characters." in page(client_for(head).get(reverse("policy_manage")))


class Unbounded(pps_forms.Form):
    note = forms.CharField(widget=forms.Textarea)
    on = forms.DateField()


def test_a_text_with_no_limit_gets_one_and_a_date_with_no_range_gets_one():
    form = Unbounded({"note": "x" * (pps_forms.DEFAULT_TEXT_MAX_LENGTH + 1), "on": "9999-01-01"})
    assert not form.is_valid()
    assert "note" in form.errors and "on" in form.errors
    assert Unbounded({"note": "fine", "on": "2020-02-02"}).is_valid()
    assert Unbounded().fields["note"].widget.attrs["maxlength"] == str(pps_forms.DEFAULT_TEXT_MAX_LENGTH)


@pytest.mark.parametrize(
    "form_class,kwargs",
    [
        (ConcernWithoutCaseForm, {}),
        (ReferralForm, {}),
        (DiscussionForm, {"service_id": None}),
        (CaseContactForm, "service"),
        (ChildForm, {}),
    ],
)
def test_every_date_and_text_of_these_forms_is_bounded(form_class, kwargs, service):
    form = form_class(service=service) if kwargs == "service" else form_class(**kwargs)
    for name, field in form.fields.items():
        if isinstance(field, forms.CharField) and not field.widget.is_hidden:
            assert field.max_length, name
        if isinstance(field, pps_forms.DATE_FIELDS):
            earliest, latest = pps_forms.date_range_of(field)
            assert earliest < latest, name
            assert " to " in str(field.help_text), name


def test_the_concern_form_is_bounded_too(case):
    form = ConcernForm(case=case)
    earliest, latest = pps_forms.date_range_of(form.fields["happened_at"])
    assert earliest < latest
    assert " to today." in str(form.fields["happened_at"].help_text)
