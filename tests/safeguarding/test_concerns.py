"""Child-protection concerns (R6, SECURITY control 27): raised from a case, kept apart from it,
reachable only by the service's designated safeguarding leads."""

import pytest
from auditlog import get_logentry_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Contact
from consent.models import Disclosure
from pps.models import Role
from safeguarding import services
from safeguarding.models import Concern
from tests.conftest import client_for
from tests.dates import dated
from tests.factories import UserFactory

CANARY = "CANARY-ZEBEDEE bruise on the arm"
NOW = timezone.now


def when(minutes_ago=60):
    return (timezone.localtime() - timezone.timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def concern(caseworker, case):
    return services.raise_concern(
        by=caseworker,
        case=case,
        child=case.parent.children.get(),
        what=CANARY,
        happened_at=NOW() - timezone.timedelta(hours=2),
    )


@pytest.fixture
def urgent(caseworker, case):
    return services.raise_concern(
        by=caseworker, case=case, child=None, what=CANARY, happened_at=NOW(), immediate_danger=True
    )


@pytest.fixture
def non_lead_senior(service):
    return UserFactory(service=service, role=Role.SENIOR_MANAGER, username="nell")


@pytest.fixture
def other_lead(other_service):
    return UserFactory(
        service=other_service, role=Role.SENIOR_MANAGER, is_safeguarding_lead=True, username="olly"
    )


def detail(concern):
    return reverse("safeguarding:concern_detail", args=[concern.pk])


def receipt(concern):
    return reverse("safeguarding:concern_receipt", args=[concern.pk])


def discuss(by, concern, decision="social_care"):
    return services.record_discussion(
        by,
        concern,
        participants="Lee and Casey",
        senior_manager=by,
        held_at=NOW(),
        decision=decision,
        notes="Agreed to refer",
    )


def refer(by, concern):
    return services.record_external_referral(
        by,
        concern,
        agency="social_care",
        made_at=NOW(),
        person_spoken_to="Duty social worker",
        their_reference="MASH-1",
        what_was_shared="The concern",
    )


# Raising


def test_a_caseworker_raises_a_concern_and_sees_the_receipt(as_caseworker, case):
    child = case.parent.children.get()
    response = as_caseworker.post(
        reverse("safeguarding:concern_raise", args=[case.pk]),
        dated({"child": child.pk, "what": CANARY, "happened_at": when()}),
    )
    concern = Concern.objects.get()
    assert response.status_code == 302 and response.url == receipt(concern)
    page = as_caseworker.get(response.url).content.decode()
    assert "Concern received" in page and "New" in page
    assert CANARY not in page


def test_the_concern_never_goes_into_the_case_notes(caseworker, case, concern):
    assert not Contact.objects.filter(case=case).exists()
    assert concern.status == Concern.Status.NEW


def test_the_raise_form_keeps_what_was_typed_on_error(as_caseworker, case):
    response = as_caseworker.post(
        reverse("safeguarding:concern_raise", args=[case.pk]),
        dated({"what": CANARY, "happened_at": "not a date"}, "happened_at"),
    )
    assert response.status_code == 200
    assert CANARY in response.content.decode()
    assert not Concern.objects.exists()


def test_a_colleague_not_on_the_case_cannot_raise_one_there(second_caseworker, case):
    response = client_for(second_caseworker).get(reverse("safeguarding:concern_raise", args=[case.pk]))
    assert response.status_code == 404


# Who reaches the file


def test_the_lead_opens_the_concern_and_the_access_is_recorded(senior, concern):
    entries = get_logentry_model().objects.filter(actor=senior, action=get_logentry_model().Action.ACCESS)
    response = client_for(senior).get(detail(concern))
    assert response.status_code == 200
    assert CANARY in response.content.decode()
    assert entries.filter(object_pk=str(concern.pk)).exists()


@pytest.mark.parametrize(
    "persona",
    ["caseworker", "second_caseworker", "volunteer", "non_lead_senior", "coordinator", "maintainer",
     "outsider", "other_lead"],
)  # fmt: skip
def test_everyone_but_the_services_leads_gets_404_on_the_file(request, concern, persona):
    user = request.getfixturevalue(persona)
    user.is_superuser = persona == "maintainer"
    user.save()
    client = client_for(user)
    assert client.get(detail(concern)).status_code == 404
    queue = client.get(reverse("safeguarding:concern_queue"))
    # Another service's lead has a queue of their own, without this concern in it.
    assert queue.status_code == (200 if persona == "other_lead" else 404)
    assert detail(concern) not in queue.content.decode()
    for name in ("safeguarding:discussion_record", "safeguarding:referral_record"):
        assert client.post(reverse(name, args=[concern.pk])).status_code == 404


def test_an_inactive_lead_reaches_nothing(senior, concern):
    senior.is_active = False
    senior.save()
    assert not Concern.objects.visible_to(senior).exists()


@pytest.mark.parametrize("persona", ["second_caseworker", "non_lead_senior", "coordinator", "outsider"])
def test_only_the_raiser_sees_the_receipt(request, concern, persona):
    assert client_for(request.getfixturevalue(persona)).get(receipt(concern)).status_code == 404


def test_the_queue_shows_open_concerns_oldest_first_with_the_wait(senior, caseworker, case, concern):
    later = services.raise_concern(by=caseworker, case=case, child=None, what="x", happened_at=NOW())
    closed = services.raise_concern(by=caseworker, case=case, child=None, what="y", happened_at=NOW())
    discuss(senior, closed, decision="nfa")
    Concern.objects.filter(pk=concern.pk).update(raised_at=NOW() - timezone.timedelta(hours=2, minutes=5))
    response = client_for(senior).get(reverse("safeguarding:concern_queue"))
    page = response.content.decode()
    assert response.status_code == 200
    queue = page.split("Open concerns", 1)[1]
    assert queue.index(detail(concern)) < queue.index(detail(later))
    assert detail(closed) not in page  # its alert went once a lead discussed it
    assert "2\xa0hours" in queue and "Just now" in queue
    assert CANARY not in page


# Nothing shows elsewhere


def test_the_case_page_shows_the_raiser_only_the_status(as_caseworker, case, concern):
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "You raised a concern on" in page and "New" in page
    assert CANARY not in page
    assert detail(concern) not in page


def test_the_case_page_shows_other_staff_nothing_of_a_concern(senior, non_lead_senior, case, concern):
    page = client_for(non_lead_senior).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "You raised a concern" not in page and "Child-protection concerns" not in page
    assert CANARY not in page
    lead_page = client_for(senior).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert detail(concern) in lead_page and CANARY not in lead_page


def test_search_results_show_nothing_of_a_concern(as_caseworker, case, concern):
    page = as_caseworker.post(reverse("cases:parent_search"), {"q": "jones"}, follow=True).content.decode()
    assert "Sarah Jones" in page
    assert CANARY not in page and "concern" not in page.lower()


def test_the_audit_log_and_the_database_hold_no_plaintext(senior, concern):
    discuss(senior, concern)
    refer(senior, concern)
    for entry in get_logentry_model().objects.all():
        assert "CANARY" not in f"{entry.object_repr} {entry.changes} {entry.serialized_data}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT what FROM safeguarding_concern")
        assert "CANARY" not in cursor.fetchone()[0]


def test_the_case_page_does_not_reveal_a_child_protection_referral(senior, as_caseworker, case, concern):
    discuss(senior, concern)
    refer(senior, concern)
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Child protection" not in page


# Discussion before referral


def test_a_referral_before_any_discussion_is_refused(senior, concern):
    with pytest.raises(services.SafeguardingError, match="internal discussion"):
        refer(senior, concern)
    assert not Disclosure.objects.exists()


def test_the_concern_page_explains_the_refusal_and_keeps_what_was_typed(senior, concern):
    client = client_for(senior)
    assert "referral-refused" in client.get(detail(concern)).content.decode()
    response = client.post(
        reverse("safeguarding:referral_record", args=[concern.pk]),
        dated({"agency": "police", "made_at": when(), "how": "phone", "person_spoken_to": "PC Plum",
         "what_was_shared": "Typed text"}),
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "Record the internal discussion with a senior manager before" in page
    assert "PC Plum" in page and "Typed text" in page


def test_the_discussion_form_keeps_what_was_typed_on_error(senior, concern):
    response = client_for(senior).post(
        reverse("safeguarding:discussion_record", args=[concern.pk]),
        dated({"participants": "Lee and Casey", "held_at": when(), "decision": "bogus"}),
    )
    assert response.status_code == 200 and "Lee and Casey" in response.content.decode()
    assert not concern.discussions.exists()


def test_a_discussion_needs_a_senior_manager_or_lead(senior, caseworker, concern):
    with pytest.raises(services.SafeguardingError, match="senior manager"):
        services.record_discussion(
            senior, concern, participants="x", senior_manager=caseworker, held_at=NOW(), decision="monitor"
        )


def test_after_the_discussion_the_referral_is_recorded_as_a_disclosure(senior, concern):
    client = client_for(senior)
    response = client.post(
        reverse("safeguarding:discussion_record", args=[concern.pk]),
        dated({"participants": "Lee and Casey", "senior_manager": senior.pk, "held_at": when(),
         "decision": "social_care", "notes": ""}),
    )  # fmt: skip
    assert response.status_code == 302
    response = client.post(
        reverse("safeguarding:referral_record", args=[concern.pk]),
        dated({"agency": "social_care", "made_at": when(5), "how": "phone", "person_spoken_to": "Duty worker",
         "their_reference": "MASH-1", "what_was_shared": "The concern"}),
    )  # fmt: skip
    assert response.status_code == 302
    concern.refresh_from_db()
    referral = concern.referrals.get()
    assert concern.status == Concern.Status.REFERRED and not concern.discussion_outstanding
    assert referral.disclosure.basis == Disclosure.Basis.CHILD_PROTECTION
    assert referral.disclosure.case_id == concern.case_id
    assert not referral.before_discussion


def test_the_raiser_sees_the_status_change_but_not_the_decision(senior, as_caseworker, concern):
    discuss(senior, concern, decision="monitor")
    page = as_caseworker.get(receipt(concern)).content.decode()
    assert "Monitoring" in page and "Agreed to refer" not in page and "Lee and Casey" not in page


# Immediate danger


def test_immediate_danger_allows_a_referral_first_and_flags_the_concern(senior, urgent):
    referral = refer(senior, urgent)
    urgent.refresh_from_db()
    assert referral.before_discussion
    assert urgent.discussion_outstanding and urgent.status == Concern.Status.REFERRED
    page = client_for(senior).get(reverse("safeguarding:concern_queue")).content.decode()
    assert "Discussion still to be recorded" in page


def test_a_later_discussion_clears_the_flag(senior, urgent):
    refer(senior, urgent)
    discuss(senior, urgent)
    urgent.refresh_from_db()
    assert not urgent.discussion_outstanding
    assert urgent.status == Concern.Status.REFERRED


def test_the_queue_costs_the_same_queries_however_long_it_is(senior, caseworker, case, concern):
    client = client_for(senior)
    url = reverse("safeguarding:concern_queue")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        services.raise_concern(by=caseworker, case=case, child=None, what="x", happened_at=NOW())
    with CaptureQueriesContext(connection) as five:
        client.get(url)
    assert len(five) == len(one)
