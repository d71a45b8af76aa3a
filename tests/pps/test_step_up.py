"""Step-up (SECURITY control 22): child-protection files ask for the authenticator code again
when the session last passed the second factor more than ``PPS_STEP_UP_MINUTES`` ago."""

import datetime as dt
import html
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pps import otp
from safeguarding import services
from safeguarding.models import Discussion
from tests.conftest import client_for
from tests.dates import dated

CANARY = "CANARY-ZEBEDEE bruise on the arm"
STEP_UP = "/confirm-it-is-you/"


@pytest.fixture
def concern(caseworker, case):
    return services.raise_concern(
        by=caseworker,
        case=case,
        child=case.parent.children.get(),
        what=CANARY,
        happened_at=timezone.now() - timezone.timedelta(hours=2),
    )


def make_stale(client):
    """The session passed the second factor longer ago than the step-up limit."""
    session = client.session
    when = timezone.now() - dt.timedelta(minutes=settings.PPS_STEP_UP_MINUTES + 1)
    session[otp.VERIFIED_AT_SESSION_KEY] = when.isoformat()
    session.save()
    return client


def stale_client(user):
    return make_stale(client_for(user))


def detail(concern):
    return reverse("safeguarding:concern_detail", args=[concern.pk])


def queue():
    return reverse("safeguarding:concern_queue")


def asks_for_code(path):
    return f"{STEP_UP}?next={quote(path, safe='')}"


def code_of(user):
    return otp.code_for(otp.confirmed_device(user))


def text(response) -> str:
    return html.unescape(response.content.decode())


def discussion_fields(senior):
    return dated(
        {
            "participants": "Lee and Casey",
            "senior_manager": str(senior.pk),
            "held_at": (timezone.localtime() - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            "decision": "monitor",
            "notes": "NOTES-WOMBAT agreed to monitor",
        }
    )


def test_the_step_up_url():
    assert reverse("step_up") == STEP_UP


def test_a_stale_session_is_asked_for_the_code_before_the_queue_and_a_concern(senior, concern):
    client = stale_client(senior)
    for path in (queue(), detail(concern)):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == asks_for_code(path)
        assert CANARY not in response.content.decode()
    page = client.get(asks_for_code(detail(concern)))
    assert page.status_code == 200
    assert "Confirm it is you" in text(page)
    assert CANARY not in text(page)


def test_a_recent_session_is_not_asked(senior, concern):
    client = client_for(senior)
    assert client.get(queue()).status_code == 200
    response = client.get(detail(concern))
    assert response.status_code == 200
    assert CANARY in text(response)


def test_a_non_lead_with_a_stale_session_still_gets_404(caseworker, non_lead_senior, concern):
    for user in (caseworker, non_lead_senior):
        client = stale_client(user)
        assert client.get(detail(concern)).status_code == 404
        assert client.get(queue()).status_code == 404
        response = client.post(
            reverse("safeguarding:discussion_record", args=[concern.pk]), {"participants": "x"}
        )
        assert response.status_code == 404


def test_a_stale_post_is_carried_through_the_confirmation_and_nothing_is_stored(senior, concern):
    client = stale_client(senior)
    fields = discussion_fields(senior)
    response = client.post(reverse("safeguarding:discussion_record", args=[concern.pk]), fields)
    assert response.status_code == 200
    page = text(response)
    assert "Confirm it is you" in page
    for name, value in fields.items():
        assert f'name="carry:{name}" value="{value}"' in page, name
    assert 'name="carry:csrfmiddlewaretoken"' not in page
    assert not Discussion.objects.exists()


def test_a_wrong_code_is_refused(senior, concern):
    client = stale_client(senior)
    right = code_of(senior)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(reverse("step_up"), {"code": wrong, "next": detail(concern)})
    assert response.status_code == 200
    assert "The code is not right" in text(response)
    assert client.get(detail(concern)).url == asks_for_code(detail(concern))


def test_the_right_code_returns_to_the_page_which_then_opens_without_asking(senior, concern):
    client = stale_client(senior)
    asked = client.get(detail(concern))
    assert asked.url == asks_for_code(detail(concern))
    response = client.post(reverse("step_up"), {"code": code_of(senior), "next": detail(concern)})
    assert response.status_code == 302
    assert response.url == detail(concern)
    page = client.get(detail(concern))
    assert page.status_code == 200
    assert CANARY in text(page)
    assert client.get(queue()).status_code == 200


def test_after_the_code_a_carried_form_can_be_sent_again(senior, concern):
    client = stale_client(senior)
    url = reverse("safeguarding:discussion_record", args=[concern.pk])
    fields = discussion_fields(senior)
    client.post(url, fields)
    carried = {f"carry:{name}": value for name, value in fields.items()}
    response = client.post(reverse("step_up"), {"code": code_of(senior), "next": url, **carried})
    assert response.status_code == 200
    page = text(response)
    assert "Send what you were saving" in page
    assert f'action="{url}"' in page
    for name, value in fields.items():
        assert f'name="{name}" value="{value}"' in page, name
    assert not Discussion.objects.exists()

    resent = client.post(url, fields)
    assert resent.status_code == 302
    assert resent.url == detail(concern)
    discussion = Discussion.objects.get()
    assert discussion.participants == "Lee and Casey"
    assert discussion.notes == fields["notes"]


def test_an_external_next_is_ignored(senior, concern):
    client = stale_client(senior)
    response = client.post(reverse("step_up"), {"code": code_of(senior), "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil" not in response.url
    assert response.url.startswith("/")
    # With a recent session the page sends straight on: not off the site either.
    response = client.get(reverse("step_up"), {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil" not in response.url


def test_a_code_cannot_be_used_twice(senior, concern, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client = stale_client(senior)
    code = code_of(senior)
    assert client.post(reverse("step_up"), {"code": code, "next": detail(concern)}).url == detail(concern)

    make_stale(client)
    again = client.post(reverse("step_up"), {"code": code, "next": detail(concern)})
    assert again.status_code == 200
    assert re.search(r"The code is not right, or was used already", text(again))
    assert client.get(detail(concern)).url == asks_for_code(detail(concern))
