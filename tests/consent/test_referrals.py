"""Referrals from a third party are taken on only with the parent's recorded agreement (R4);
until then they are requests to contact the parent holding only what that needs."""

import pytest
from auditlog import get_logentry_model
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import Consent, Referral
from tests.conftest import client_for
from tests.dates import dated


def make_referral(by, **overrides) -> Referral:
    values = {
        "referrer_organisation": "Oak Tree Primary School",
        "referrer_name": "Ms Patel, SENCo",
        "how": Referral.How.PHONE,
        "referred_at": timezone.now() - timezone.timedelta(hours=1),
        "parent_first_name": "Priya",
        "parent_last_name": "Shah",
        "contact_by": Referral.ContactBy.PHONE,
        "contact_detail": "07700 900555",
    }
    values.update(overrides)
    return services.receive_referral(by=by, **values)


def form_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "referrer_organisation": "Oak Tree Primary School",
        "referrer_name": "Ms Patel",
        "how": "phone",
        "referred_on": today.isoformat(),
        "parent_first_name": "Priya",
        "parent_last_name": "Shah",
        "contact_by": "phone",
        "contact_detail": "07700 900555",
        "parent_agreed": "no",
        "consent_method": "",
        "consent_on": "",
    }
    data.update(overrides)
    return data


PERSONAL = [
    "referrer_organisation",
    "referrer_name",
    "parent_first_name",
    "parent_last_name",
    "contact_detail",
]


def stored(referral) -> dict:
    """What the database holds, as stored (tokens, not plaintext)."""
    return Referral.objects.filter(pk=referral.pk).values(*PERSONAL, "data_key").get()


def test_a_referral_without_consent_holds_only_what_is_needed_to_contact_the_parent(
    caseworker, as_caseworker
):
    response = as_caseworker.get(reverse("consent:referral_new"))
    page = response.content.decode()
    for field in ("child", "school_name", "need", "summary", "situation", "date_of_birth"):
        assert f'name="{field}' not in page
    response = as_caseworker.post(
        reverse("consent:referral_new"),
        dated(form_data(child_name="Ravi", summary="Exclusion SECRET-SITUATION")),
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.status == Referral.Status.PENDING and not referral.has_consent
    field_names = {f.name for f in Referral._meta.concrete_fields}
    assert not field_names & {"child", "summary", "situation", "notes", "need", "school"}
    assert "SECRET-SITUATION" not in str(Referral.objects.values().get())
    row = stored(referral)
    assert "Priya" not in str(row) and "07700" not in str(row)  # encrypted with its own key
    assert referral.parent_name == "Priya Shah" and referral.contact_detail == "07700 900555"


def test_a_referral_without_consent_cannot_be_taken_on(caseworker, as_caseworker):
    referral = make_referral(caseworker)
    page = as_caseworker.get(reverse("consent:referral_detail", args=[referral.pk])).content.decode()
    assert reverse("consent:referral_convert", args=[referral.pk]) not in page
    response = as_caseworker.post(reverse("consent:referral_convert", args=[referral.pk]))
    assert response.status_code == 200
    assert "The parent has not agreed to this referral" in response.content.decode()
    assert reverse("cases:parent_new") not in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    with pytest.raises(services.ConsentError):
        services.convert_referral(by=caseworker, referral=referral)


def test_with_the_parents_agreement_recorded_the_referral_is_taken_on(caseworker, as_caseworker):
    referral = make_referral(caseworker)
    response = as_caseworker.post(
        reverse("consent:referral_agree", args=[referral.pk]),
        dated({"consent_method": "oral_phone", "consent_on": timezone.localdate().isoformat()}),
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AGREED
    assert referral.consent_by == caseworker and referral.consent_method == Consent.Method.ORAL_PHONE
    response = as_caseworker.post(reverse("consent:referral_convert", args=[referral.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("cases:parent_new") in page and 'value="Priya Shah"' in page
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CONVERTED


def test_a_referral_recorded_with_consent_can_be_taken_on_at_once(caseworker, as_caseworker):
    today = timezone.localdate().isoformat()
    response = as_caseworker.post(
        reverse("consent:referral_new"),
        dated(form_data(parent_agreed="yes", consent_method="written_meeting", consent_on=today)),
    )
    referral = Referral.objects.get()
    assert response.url == reverse("consent:referral_detail", args=[referral.pk])
    assert referral.status == Referral.Status.AGREED and referral.consent_at is not None


def test_saying_the_parent_agreed_needs_how_and_when_and_keeps_what_was_typed(as_caseworker):
    response = as_caseworker.post(reverse("consent:referral_new"), dated(form_data(parent_agreed="yes")))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Select how the parent agreed" in page
    assert 'value="Oak Tree Primary School"' in page
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"referred_on": "2099-01-01"},
        {"referred_on": "31/02/2026"},
        {"how": "pigeon"},
        {"contact_detail": ""},
        {"parent_first_name": ""},
        {"parent_agreed": "maybe"},
        {"parent_agreed": "yes", "consent_method": "telepathy", "consent_on": "2026-01-01"},
        {"parent_agreed": "yes", "consent_method": "oral_phone", "consent_on": "2099-01-01"},
    ],
)
def test_bad_input_is_refused_with_a_message_not_an_error_page(as_caseworker, overrides):
    response = as_caseworker.post(
        reverse("consent:referral_new"), dated(form_data(**overrides), "referred_on")
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_declined_referral_is_closed_and_its_personal_data_destroyed(caseworker, as_caseworker):
    referral = make_referral(caseworker)
    response = as_caseworker.post(
        reverse("consent:referral_close", args=[referral.pk]), {"because": "declined"}
    )
    assert response.url == reverse("consent:referral_list")
    row = stored(referral)
    assert all(value == "" for value in row.values())
    closed = Referral.objects.get(pk=referral.pk)
    assert closed.status == Referral.Status.CLOSED and closed.closed_by == caseworker
    assert closed.closed_because == Referral.ClosedBecause.DECLINED
    assert closed.household_key() is None
    assert as_caseworker.get(reverse("consent:referral_detail", args=[referral.pk])).status_code == 404
    assert "Priya" not in as_caseworker.get(reverse("consent:referral_list")).content.decode()


def test_closing_needs_a_reason(caseworker, as_caseworker):
    referral = make_referral(caseworker)
    response = as_caseworker.post(reverse("consent:referral_close", args=[referral.pk]), {"because": "bored"})
    assert response.status_code == 200 and "Select why the request is closed" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.PENDING


def test_the_list_shows_waiting_referrals_to_who_took_them_and_senior_staff(caseworker, senior):
    referral = make_referral(caseworker)
    for user in (caseworker, senior):
        page = client_for(user).get(reverse("consent:referral_list")).content.decode()
        assert "Priya Shah" in page and str(referral.pk) in page


@pytest.mark.parametrize(
    "persona", ["outsider", "second_caseworker", "volunteer", "coordinator", "maintainer"]
)
def test_others_see_nothing_of_a_referral(request, caseworker, persona):
    referral = make_referral(caseworker)
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse("consent:referral_list"))
    assert response.status_code in (200, 404)
    assert "Priya" not in response.content.decode() and str(referral.pk) not in response.content.decode()
    assert client.get(reverse("consent:referral_detail", args=[referral.pk])).status_code == 404
    for name in ("consent:referral_agree", "consent:referral_close", "consent:referral_convert"):
        assert client.post(reverse(name, args=[referral.pk]), {"because": "declined"}).status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.PENDING


@pytest.mark.parametrize("persona", ["volunteer", "coordinator", "maintainer"])
def test_only_caseworkers_and_senior_staff_record_referrals(request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("consent:referral_new")).status_code == 404
    assert client.post(reverse("consent:referral_new"), dated(form_data())).status_code == 404
    assert not Referral.objects.exists()


def test_viewing_a_referral_is_audited_and_its_fields_masked(caseworker, as_caseworker):
    referral = make_referral(caseworker)
    entry = get_logentry_model()
    as_caseworker.get(reverse("consent:referral_detail", args=[referral.pk]))
    assert entry.objects.filter(
        action=entry.Action.ACCESS, actor=caseworker, object_pk=str(referral.pk)
    ).exists()
    assert "Priya" not in str(list(entry.objects.values("changes", "object_repr")))


def test_the_list_costs_a_fixed_number_of_queries(caseworker, django_assert_max_num_queries):
    for n in range(5):
        make_referral(caseworker, parent_first_name=f"Parent{n}")
    client = client_for(caseworker)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("consent:referral_list")).content.decode()
    assert "Parent4" in page


def test_the_dashboard_says_how_many_referrals_wait(caseworker, as_caseworker):
    make_referral(caseworker)
    page = as_caseworker.get(reverse("cases:dashboard")).content.decode()
    assert "1 referral waiting for the parent to be contacted" in page
