"""A child-protection concern from a call where the caller gave no name (NNG): there is no case,
yet the concern reaches the leads like any other, and confidentiality is not a reason to lose it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import retention
from consent.models import Disclosure
from safeguarding.models import Alert, Concern
from tests.conftest import client_for
from tests.dates import dated

WHAT = "CANARY-CELANDINE: the caller said the boy next door is left alone for days"
RAISE = reverse("safeguarding:concern_raise_without_case")


def when(minutes_ago=30):
    return (timezone.localtime() - timezone.timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


def raise_one(client, **extra):
    data = dated({"child_name": "", "caller": "a neighbour", "what": WHAT, "happened_at": when(), **extra})
    return client.post(RAISE, data)


def test_the_contact_page_offers_it_in_a_new_tab(caseworker):
    page = client_for(caseworker).get(reverse("cases:contact_log")).content.decode()
    assert f'href="{RAISE}" target="_blank"' in page


def test_a_caseworker_raises_one_and_sees_only_the_receipt(caseworker, senior, service):
    client = client_for(caseworker)
    response = raise_one(client, child_name="Zebedee-Tom")
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("safeguarding:concern_receipt", args=[concern.pk])
    assert concern.case is None and concern.service == service
    assert (concern.what, concern.child_name, concern.parent_name) == (WHAT, "Zebedee-Tom", "a neighbour")
    receipt = client.get(response.url).content.decode()
    assert "Concern received" in receipt and "CANARY" not in receipt and "Zebedee" not in receipt
    assert client.get(reverse("safeguarding:concern_detail", args=[concern.pk])).status_code == 404
    assert Alert.objects.filter(recipient=senior, concern=concern).exists()


def test_a_caller_who_said_nothing_of_themselves_is_no_name_given(caseworker):
    raise_one(client_for(caseworker), caller="")
    assert Concern.objects.get().parent_name == "No name given"


def test_without_what_was_said_the_form_says_so_and_keeps_the_rest(caseworker):
    response = raise_one(client_for(caseworker), what="", child_name="Zebedee-Tom")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter what was said or seen" in page
    assert 'value="Zebedee-Tom"' in page and 'value="a neighbour"' in page
    assert not Concern.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator", "maintainer"])
def test_people_who_do_no_casework_cannot_raise_one(request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(RAISE).status_code == 404
    assert raise_one(client).status_code == 404
    assert not Concern.objects.exists()


def test_the_lead_sees_it_in_the_queue_and_refers_it_without_a_case_disclosure(caseworker, senior):
    raise_one(client_for(caseworker))
    concern = Concern.objects.get()
    lead = client_for(senior)
    queue = lead.get(reverse("safeguarding:concern_queue")).content.decode()
    assert "No name given" in queue
    page = lead.get(reverse("safeguarding:concern_detail", args=[concern.pk])).content.decode()
    assert WHAT in page and "raised from a call" in page and "a neighbour" in page
    lead.post(
        reverse("safeguarding:discussion_record", args=[concern.pk]),
        dated(
            {
                "participants": "Lee and Casey",
                "senior_manager": senior.pk,
                "held_at": when(10),
                "decision": "social_care",
                "notes": "",
            }
        ),
    )
    response = lead.post(
        reverse("safeguarding:referral_record", args=[concern.pk]),
        dated(
            {
                "agency": "social_care",
                "made_at": when(5),
                "how": "phone",
                "person_spoken_to": "Duty worker",
                "their_reference": "R1",
                "what_was_shared": "What the caller said",
            }
        ),
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Concern.Status.REFERRED
    assert concern.referrals.get().disclosure is None
    assert not Disclosure.objects.exists()


def test_a_lead_of_another_service_cannot_reach_it(caseworker, other_service):
    from pps.models import Role
    from tests.factories import UserFactory

    raise_one(client_for(caseworker))
    other_lead = UserFactory(service=other_service, role=Role.SENIOR_MANAGER, is_safeguarding_lead=True)
    concern = Concern.objects.get()
    assert (
        client_for(other_lead).get(reverse("safeguarding:concern_detail", args=[concern.pk])).status_code
        == 404
    )
    assert not Alert.objects.filter(recipient=other_lead).exists()


def test_it_is_destroyed_when_its_own_period_has_passed(caseworker, senior, service):
    raise_one(client_for(caseworker))
    concern = Concern.objects.get()
    client_for(senior).post(
        reverse("safeguarding:discussion_record", args=[concern.pk]),
        dated({"participants": "Lee", "senior_manager": senior.pk, "held_at": when(10), "decision": "nfa"}),
    )
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    years = service.child_protection_retention_years
    retention.apply_retention(now=retention.months_before(timezone.now(), -12 * years + 1))
    assert Concern.objects.get(pk=concern.pk).destroyed_at is None
    retention.apply_retention(now=retention.months_before(timezone.now(), -12 * years - 1))
    assert Concern.objects.get(pk=concern.pk).destroyed_at is not None
