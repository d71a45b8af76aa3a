"""Break glass (SECURITY control 27): a senior manager who is not a designated safeguarding lead
opens a case's child-protection file by stating a reason. It is recorded, lasts
``PPS_BREAK_GLASS_MINUTES``, is shown on the file, the leads are alerted and review it."""

import datetime as dt
import html
import re

import pytest
from auditlog import get_logentry_model
from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from pps.models import Role
from safeguarding import services
from safeguarding.models import Alert, BreakGlassAccess
from tests.conftest import client_for
from tests.dates import dated
from tests.factories import UserFactory

CANARY = "CANARY-ZEBEDEE bruise on the arm"
EXPLANATION = "EXPLAIN-QUOKKA the police are on the phone about this family now"
REASON = BreakGlassAccess.Reason.AGENCY_ENQUIRY


@pytest.fixture
def concern(caseworker, case):
    return services.raise_concern(
        by=caseworker,
        case=case,
        child=case.parent.children.get(),
        what=CANARY,
        happened_at=timezone.now() - timezone.timedelta(hours=2),
    )


@pytest.fixture
def second_lead(service):
    return UserFactory(service=service, role=Role.CASEWORKER, is_safeguarding_lead=True, username="lena")


@pytest.fixture
def lead_without_email(service):
    return UserFactory(
        service=service, role=Role.SENIOR_MANAGER, is_safeguarding_lead=True, username="lou", email=""
    )


@pytest.fixture
def other_lead(other_service):
    return UserFactory(
        service=other_service, role=Role.SENIOR_MANAGER, is_safeguarding_lead=True, username="olly"
    )


@pytest.fixture
def other_senior(other_service):
    return UserFactory(service=other_service, role=Role.SENIOR_MANAGER, username="oscar")


def detail(concern):
    return reverse("safeguarding:concern_detail", args=[concern.pk])


def case_file(case):
    return reverse("safeguarding:case_file", args=[case.pk])


def break_glass_url(case):
    return reverse("safeguarding:break_glass", args=[case.pk])


def text(response) -> str:
    return html.unescape(response.content.decode())


def open_by_break_glass(user, case):
    return services.break_glass(user, case, reason=REASON, explanation=EXPLANATION)


# Before breaking glass


def test_a_non_lead_senior_gets_404_on_a_concern_and_is_sent_to_break_glass_from_the_file(
    non_lead_senior, case, concern
):
    client = client_for(non_lead_senior)
    assert client.get(detail(concern)).status_code == 404
    response = client.get(case_file(case))
    assert response.status_code == 302
    assert response.url == break_glass_url(case)
    form = client.get(response.url)
    assert form.status_code == 200
    assert "Open the child-protection file" in text(form)
    assert CANARY not in text(form)


@pytest.mark.parametrize("with_concern", [True, False])
def test_the_case_page_offers_break_glass_to_non_lead_seniors_on_every_case(
    request, non_lead_senior, case, with_concern
):
    if with_concern:
        request.getfixturevalue("concern")
    response = client_for(non_lead_senior).get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "open it by break glass" in page
    assert break_glass_url(case) in page


@pytest.mark.parametrize("persona", ["caseworker", "coordinator", "senior"])
def test_the_case_page_does_not_offer_break_glass_to_anyone_else(request, case, concern, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("cases:case_detail", args=[case.pk]))
    page = text(response)
    assert "open it by break glass" not in page
    assert break_glass_url(case) not in page


# The form


def test_without_a_reason_the_form_says_so_and_keeps_the_explanation(non_lead_senior, case, concern):
    response = client_for(non_lead_senior).post(break_glass_url(case), {"explanation": EXPLANATION})
    assert response.status_code == 200
    page = text(response)
    assert "Select why you need to open the file" in page
    assert 'href="#id_reason_0"' in page
    assert EXPLANATION in page
    assert not BreakGlassAccess.objects.exists()
    assert not Alert.objects.filter(kind=Alert.Kind.BREAK_GLASS).exists()


def test_a_too_short_explanation_is_refused_and_kept(non_lead_senior, case, concern):
    response = client_for(non_lead_senior).post(
        break_glass_url(case), {"reason": REASON, "explanation": "urgent"}
    )
    assert response.status_code == 200
    page = text(response)
    assert "Explain why you need to open it now, in a sentence or more." in page
    assert re.search(r"<textarea[^>]*>\s*urgent</textarea>", page)
    assert not BreakGlassAccess.objects.exists()
    assert CANARY not in page


def test_an_empty_explanation_is_refused(non_lead_senior, case, concern):
    response = client_for(non_lead_senior).post(break_glass_url(case), {"reason": REASON, "explanation": ""})
    assert response.status_code == 200
    assert "Explain why it cannot wait for a designated lead" in text(response)
    assert 'href="#id_explanation"' in text(response)
    assert not BreakGlassAccess.objects.exists()


# Breaking glass


def test_breaking_glass_is_recorded_alerts_the_leads_and_opens_the_file(
    non_lead_senior,
    senior,
    second_lead,
    lead_without_email,
    other_lead,
    case,
    concern,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    Alert.objects.all().delete()  # the alerts about the concern itself
    mailoutbox.clear()
    client = client_for(non_lead_senior)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(break_glass_url(case), {"reason": REASON, "explanation": EXPLANATION})
    assert response.status_code == 302
    assert response.url == case_file(case)

    opening = BreakGlassAccess.objects.get()
    assert opening.case_id == case.pk
    assert opening.opened_by == non_lead_senior
    assert opening.reason == REASON
    assert opening.explanation == EXPLANATION
    assert opening.reviewed_at is None
    expected = before + dt.timedelta(minutes=settings.PPS_BREAK_GLASS_MINUTES)
    assert abs(opening.expires_at - expected) < dt.timedelta(seconds=30)

    # The audit entry of its creation holds the reason, not the explanation.
    entry_model = get_logentry_model()
    created = entry_model.objects.get(
        action=entry_model.Action.CREATE, object_pk=str(opening.pk), content_type__model="breakglassaccess"
    )
    changes = created.changes_dict
    assert REASON in str(changes["reason"])
    assert "explanation" in changes
    assert "QUOKKA" not in str(changes["explanation"])
    for entry in entry_model.objects.all():
        assert "QUOKKA" not in f"{entry.object_repr} {entry.changes} {entry.serialized_data}"

    # Every active lead of the service is alerted; no one else.
    alerts = Alert.objects.filter(kind=Alert.Kind.BREAK_GLASS, break_glass=opening)
    assert {alert.recipient for alert in alerts} == {senior, second_lead, lead_without_email}

    # Leads with an address get an email, holding nothing about the family or the reason.
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == sorted([senior.email, second_lead.email])
    child = case.parent.children.get()
    for message in mailoutbox:
        body = f"{message.subject}\n{message.body}"
        assert "break glass" in body
        for secret in ("Sarah", "Jones", child.first_name, "CANARY", "QUOKKA", case.reference):
            assert secret not in body

    # The file lists the concern, which now opens for them; opening it is recorded.
    file_page = client.get(response.url)
    assert file_page.status_code == 200
    assert detail(concern) in text(file_page)
    assert "You opened this file by break glass" in text(file_page)
    page = client.get(detail(concern))
    assert page.status_code == 200
    assert CANARY in text(page)
    assert entry_model.objects.filter(
        actor=non_lead_senior, action=entry_model.Action.ACCESS, object_pk=str(concern.pk)
    ).exists()


def test_the_opening_expires(non_lead_senior, case, concern, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    open_by_break_glass(non_lead_senior, case)
    assert client_for(non_lead_senior).get(detail(concern)).status_code == 200
    time_machine.shift(dt.timedelta(minutes=settings.PPS_BREAK_GLASS_MINUTES - 1))
    assert client_for(non_lead_senior).get(detail(concern)).status_code == 200
    time_machine.shift(dt.timedelta(minutes=2))
    client = client_for(non_lead_senior)
    assert client.get(detail(concern)).status_code == 404
    assert client.get(case_file(case)).url == break_glass_url(case)


def test_breaking_glass_on_one_case_opens_no_other(non_lead_senior, caseworker, case, concern):
    from tests.factories import make_case

    other_case = make_case(caseworker)
    other = services.raise_concern(
        by=caseworker, case=other_case, child=None, what="other", happened_at=timezone.now()
    )
    open_by_break_glass(non_lead_senior, case)
    client = client_for(non_lead_senior)
    assert client.get(detail(concern)).status_code == 200
    assert client.get(detail(other)).status_code == 404


# Shown on the file, reviewed by a lead


def test_the_opening_is_shown_prominently_on_the_file(non_lead_senior, senior, case, concern):
    open_by_break_glass(non_lead_senior, case)
    for user in (senior, non_lead_senior):
        client = client_for(user)
        for url in (detail(concern), case_file(case)):
            response = client.get(url)
            assert response.status_code == 200, (user, url)
            page = text(response)
            assert "Opened by break glass" in page
            assert non_lead_senior.display_name in page
            assert REASON.label in page


def test_a_lead_reviews_the_opening_from_the_queue(non_lead_senior, senior, case, concern):
    opening = open_by_break_glass(non_lead_senior, case)
    client = client_for(senior)
    queue = text(client.get(reverse("safeguarding:concern_queue")))
    assert "Break-glass openings to review" in queue
    review = reverse("safeguarding:break_glass_review", args=[opening.pk])
    assert review in queue
    assert non_lead_senior.display_name in queue

    response = client.post(review)
    assert response.status_code == 302
    assert response.url == reverse("safeguarding:concern_queue")
    opening.refresh_from_db()
    assert opening.reviewed_by == senior
    assert opening.reviewed_at is not None
    assert not Alert.objects.filter(break_glass=opening, seen_at__isnull=True).exists()
    queue = text(client.get(reverse("safeguarding:concern_queue")))
    assert "Break-glass openings to review" not in queue
    assert review not in queue
    # Still shown on the file, as reviewed.
    file_page = text(client.get(case_file(case)))
    assert "Opened by break glass" in file_page and f"Reviewed by {senior.display_name}" in file_page


@pytest.mark.parametrize("persona", ["non_lead_senior", "caseworker"])
def test_only_a_lead_may_review_an_opening(request, non_lead_senior, case, concern, persona):
    opening = open_by_break_glass(non_lead_senior, case)
    client = client_for(request.getfixturevalue(persona))
    assert client.post(reverse("safeguarding:break_glass_review", args=[opening.pk])).status_code == 404
    opening.refresh_from_db()
    assert opening.reviewed_at is None and opening.reviewed_by is None


def test_a_lead_of_another_service_cannot_review_or_see_it(non_lead_senior, other_lead, case, concern):
    opening = open_by_break_glass(non_lead_senior, case)
    client = client_for(other_lead)
    review = reverse("safeguarding:break_glass_review", args=[opening.pk])
    assert review not in text(client.get(reverse("safeguarding:concern_queue")))
    assert client.post(review).status_code == 404
    opening.refresh_from_db()
    assert opening.reviewed_at is None


# Who may break glass


@pytest.mark.parametrize("persona", ["caseworker", "coordinator", "second_caseworker", "other_senior"])
def test_nobody_else_may_break_glass(request, case, concern, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(break_glass_url(case)).status_code == 404
    response = client.post(break_glass_url(case), {"reason": REASON, "explanation": EXPLANATION})
    assert response.status_code == 404
    assert not BreakGlassAccess.objects.exists()
    assert not Alert.objects.filter(kind=Alert.Kind.BREAK_GLASS).exists()
    assert client.get(detail(concern)).status_code == 404


def test_a_lead_asking_to_break_glass_is_sent_to_the_file(senior, case, concern):
    client = client_for(senior)
    response = client.get(break_glass_url(case))
    assert response.status_code == 302
    assert response.url == case_file(case)
    response = client.post(break_glass_url(case), {"reason": REASON, "explanation": EXPLANATION})
    assert response.status_code == 302 and response.url == case_file(case)
    assert not BreakGlassAccess.objects.exists()


def test_the_service_refuses_a_caseworker(caseworker, case, concern):
    with pytest.raises(Http404):
        open_by_break_glass(caseworker, case)
    assert not BreakGlassAccess.objects.exists()


def test_the_service_refuses_a_lead(senior, case, concern):
    with pytest.raises(Http404):
        open_by_break_glass(senior, case)
    assert not BreakGlassAccess.objects.exists()


def test_breaking_glass_on_a_case_without_a_file_reveals_nothing_either_way(non_lead_senior, senior, case):
    client = client_for(non_lead_senior)
    response = client.post(break_glass_url(case), {"reason": REASON, "explanation": EXPLANATION})
    assert response.status_code == 302 and response.url == case_file(case)
    page = text(client.get(response.url))
    assert "No child-protection concern has been raised about this case." in page
    assert Alert.objects.filter(kind=Alert.Kind.BREAK_GLASS, recipient=senior).exists()


def discussion_data(senior):
    return {
        "participants": "Nell and the duty social worker",
        "senior_manager": str(senior.pk),
        "held_on": timezone.localdate().isoformat(),
        "held_time": timezone.localtime().strftime("%H:%M"),
        "decision": "social_care",
        "notes": "",
    }


def test_a_senior_who_broke_glass_may_record_the_discussion_while_it_lasts(
    non_lead_senior, head, case, concern, time_machine
):
    """Break glass is for when no lead can act: while it lasts, the senior manager may record the
    decisions a lead would (``safeguarding.services.record_discussion``); before it or after it
    has expired, they get 404 like anyone else."""
    client = client_for(non_lead_senior)
    url = reverse("safeguarding:discussion_record", args=[concern.pk])
    assert client.post(url, dated(discussion_data(head))).status_code == 404

    open_by_break_glass(non_lead_senior, case)
    services.record_discussion(
        non_lead_senior,
        concern,
        participants="Nell and the duty social worker",
        senior_manager=head,
        held_at=timezone.now(),
        decision="social_care",
    )
    concern.refresh_from_db()
    assert concern.status == "discussed"

    time_machine.move_to(timezone.now() + timezone.timedelta(minutes=61))
    with pytest.raises(Http404):
        services.close_concern(non_lead_senior, concern)
