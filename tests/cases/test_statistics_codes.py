"""The codes statistics count are stored in clear when records are written (R15): intervention
level and referral source on the case, who the contact was with, and each child's school phase,
need and provision at the time of a contact."""

from datetime import date

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, Contact, ContactChild
from tests.conftest import client_for
from tests.factories import contact_details


@pytest.mark.parametrize(
    "born, on, phase",
    [
        (date(2021, 9, 1), date(2025, 10, 1), "early_years"),  # 4 on 31 Aug 2026: still nursery
        (date(2021, 8, 31), date(2025, 10, 1), "primary"),  # 4 on 31 Aug 2025: Reception
        (date(2014, 9, 1), date(2025, 10, 1), "primary"),  # 10 on 31 Aug 2025: Year 6
        (date(2014, 8, 31), date(2025, 10, 1), "secondary"),  # 11: Year 7
        (date(2009, 8, 31), date(2025, 9, 1), "post_16"),  # 16 on 31 Aug 2025: Year 12
        (date(2009, 8, 31), date(2025, 8, 31), "secondary"),  # 31 Aug is the last day of Year 11
        (date(2006, 8, 31), date(2025, 10, 1), "post_19"),
        (None, date(2025, 10, 1), "unknown"),
    ],
)
def test_a_childs_school_phase_comes_from_the_age_on_31_august(born, on, phase):
    assert ContactChild.phase_for(born, on) == phase


def test_a_contact_on_a_case_stores_each_childs_codes_without_the_date_of_birth(caseworker):
    from tests.factories import make_case

    case = make_case(caseworker, children=2)
    contact = services.log_case_contact(
        by=caseworker, case=case, details=contact_details(case.service, person="young_person")
    )
    codes = list(ContactChild.objects.filter(contact=contact).order_by("child__created_at"))
    assert len(codes) == 2
    assert {c.need for c in codes} == {"ASD"}
    assert {c.provision for c in codes} == {"sen_support"}
    assert all(c.phase == "primary" for c in codes)  # the factory's children are 8 and 9
    assert codes[0].service_id == case.service_id and codes[0].occurred_at == contact.occurred_at
    assert Contact.objects.get(pk=contact.pk).person == "young_person"


def test_a_contact_with_no_name_given_stores_no_child_codes(caseworker):
    contact = services.log_nng_contact(
        by=caseworker, details=contact_details(caseworker.service, person="professional")
    )
    assert contact.person == "professional"
    assert not ContactChild.objects.filter(contact=contact).exists()


def test_an_unknown_person_is_refused(caseworker):
    with pytest.raises(services.CaseworkError, match="who the contact was with"):
        services.log_nng_contact(by=caseworker, details=contact_details(caseworker.service, person="cat"))


def test_the_caseworker_sets_the_intervention_level_and_sees_it_on_the_timeline(caseworker, case):
    client = client_for(caseworker)
    url = reverse("cases:case_codes", args=[case.pk])
    response = client.post(url, {"intervention_level": "3", "referral_source": "school"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.intervention_level, case.referral_source) == ("3", "school")
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Intervention level set" in page and "Now: Level 3: individual casework" in page
    assert "Now: School, college or early years setting" in page

    client.post(url, {"intervention_level": "tribunal", "referral_source": "school"})
    events = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.LEVEL).order_by("at")
    assert [e.code for e in events] == ["3", "tribunal"]
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.SOURCE).count() == 1


def test_a_level_not_on_the_list_is_refused_with_a_message(caseworker, case):
    response = client_for(caseworker).post(
        reverse("cases:case_codes", args=[case.pk]), {"intervention_level": "9", "referral_source": ""}
    )
    assert response.status_code == 200
    assert "Choose an intervention level from the list" in response.content.decode()
    assert Case.objects.get(pk=case.pk).intervention_level == ""


def test_someone_not_on_the_case_gets_404(second_caseworker, outsider, case):
    for user in (second_caseworker, outsider):
        response = client_for(user).post(
            reverse("cases:case_codes", args=[case.pk]), {"intervention_level": "1", "referral_source": ""}
        )
        assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).intervention_level == ""
