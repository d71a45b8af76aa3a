"""Nothing reveals that a child-protection file exists to anyone who is not a designated lead (R6).

Seen from the outside: for a second caseworker on the case, a senior manager who is not a lead and
a coordinator, a case with a concern (discussed and referred) looks exactly like an identical case
without one, and the case list, dashboard and search look the same before and after the concern
was raised. The person who raised it sees its status only, never what they wrote.
"""

import difflib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import access as cases_access
from pps.models import Role
from safeguarding import services
from tests.conftest import client_for
from tests.factories import UserFactory, make_case

CANARY = "CANARY-QUILLBY mark on the neck"
SHARED = "CANARY-SHARED what went to social care"
SPOKEN_TO = "CANARY-SPOKEN duty social worker"
THEIR_REFERENCE = "CANARY-MASH-4471"
DISCUSSED = "CANARY-DISCUSSED Lee, Casey and the head of service"

PARENT = {
    "first_name": "Sarah",
    "last_name": "Jones",
    "phone": "07700 900123",
    "email": "sarah.jones@example.org",
    "address": "1 Example Street\nExampletown",
}
PERSONAS = ["second_caseworker", "non_lead_senior", "coordinator"]
TOKENS = re.compile(r'(name="csrfmiddlewaretoken" value="|nonce="|"X-CSRFToken": ")[^"]+"')
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CLOCK = re.compile(r'datetime="[^"]*"|\b\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\b')


@pytest.fixture
def non_lead_senior(service):
    return UserFactory(service=service, role=Role.SENIOR_MANAGER, username="nell")


@pytest.fixture
def case(caseworker, second_caseworker):
    case = make_case(caseworker, **PARENT)
    cases_access.assign_to_case(second_caseworker, case)
    return case


@pytest.fixture
def twin(caseworker, second_caseworker):
    """A case like ``case`` in every way but the concern."""
    twin = make_case(caseworker, **PARENT)
    cases_access.assign_to_case(second_caseworker, twin)
    return twin


def raise_and_refer(senior, caseworker, case):
    """The whole file: a concern, its discussion, and a referral to social care."""
    now = timezone.now()
    concern = services.raise_concern(
        by=caseworker,
        case=case,
        child=case.parent.children.get(),
        what=CANARY,
        happened_at=now - timezone.timedelta(hours=1),
    )
    services.record_discussion(
        senior,
        concern,
        participants=DISCUSSED,
        senior_manager=senior,
        held_at=now,
        decision="social_care",
        notes=DISCUSSED,
    )
    services.record_external_referral(
        senior,
        concern,
        agency="social_care",
        made_at=now,
        how="phone",
        person_spoken_to=SPOKEN_TO,
        their_reference=THEIR_REFERENCE,
        what_was_shared=SHARED,
    )
    concern.refresh_from_db()
    return concern


def normalised(response, *cases) -> tuple[int, str]:
    """Status and page with what differs between two identical cases (ids, references, the
    children's made-up names, times, per-response tokens) replaced by placeholders."""
    page = response.content.decode()
    for case in cases:
        page = page.replace(case.reference, "<reference>")
        for child in case.parent.children.all():
            page = page.replace(child.first_name, "<child>")
    page = TOKENS.sub(r'\1<token>"', page)
    page = UUID.sub("<uuid>", page)
    return response.status_code, CLOCK.sub("<time>", page)


def assert_same(one: tuple[int, str], other: tuple[int, str]) -> None:
    """Equal status and page; on failure, the lines that differ."""
    diff = "\n".join(difflib.unified_diff(one[1].splitlines(), other[1].splitlines(), lineterm="", n=1))
    assert (one[0], diff) == (other[0], "")


def assert_nothing_of_the_file(page: str) -> None:
    assert "CANARY" not in page
    lowered = page.lower()
    for words in ("you raised a concern", "child-protection concerns", "concern raised", "child protection"):
        assert words not in lowered


def case_page(client, case):
    return client.get(reverse("cases:case_detail", args=[case.pk]))


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_case_with_a_file_looks_like_one_without(request, senior, caseworker, case, twin, persona):
    raise_and_refer(senior, caseworker, case)
    client = client_for(request.getfixturevalue(persona))

    with_file = case_page(client, case)
    without = case_page(client, twin)

    assert_same(normalised(with_file, case, twin), normalised(without, case, twin))
    assert_nothing_of_the_file(with_file.content.decode())


def test_the_second_caseworker_reaches_the_case_page(second_caseworker, case):
    # So that the comparison above compares two pages, not two 404s.
    assert case_page(client_for(second_caseworker), case).status_code == 200


def test_the_non_lead_senior_reaches_the_case_page(non_lead_senior, case):
    assert case_page(client_for(non_lead_senior), case).status_code == 200


def lists(client):
    """The case list (every status), the dashboard, and a search that finds both parents."""
    return [
        client.get(reverse("cases:case_list"), {"status": "all"}),
        client.get(reverse("cases:dashboard")),
        client.post(reverse("cases:parent_search"), {"q": "sarah jones"}, follow=True),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_dashboard_and_search_look_the_same_before_and_after(
    request, senior, caseworker, case, twin, persona
):
    client = client_for(request.getfixturevalue(persona))
    before = [normalised(response, case, twin) for response in lists(client)]

    raise_and_refer(senior, caseworker, case)
    after = lists(client)

    for response, earlier in zip(after, before, strict=True):
        assert_same(normalised(response, case, twin), earlier)
    for response in after:
        assert_nothing_of_the_file(response.content.decode())


def test_the_second_caseworker_finds_both_parents(second_caseworker, case, twin):
    case_list, dashboard, search = lists(client_for(second_caseworker))
    assert case_list.status_code == dashboard.status_code == search.status_code == 200
    assert "2 parents found" in search.content.decode()
    assert case.reference in case_list.content.decode() and twin.reference in case_list.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_concern_pages_are_404(request, senior, caseworker, case, persona):
    concern = raise_and_refer(senior, caseworker, case)
    client = client_for(request.getfixturevalue(persona))

    assert client.get(reverse("safeguarding:concern_detail", args=[concern.pk])).status_code == 404
    assert client.get(reverse("safeguarding:concern_queue")).status_code == 404
    assert client.get(reverse("safeguarding:concern_receipt", args=[concern.pk])).status_code == 404
    for name in ("safeguarding:discussion_record", "safeguarding:referral_record"):
        assert client.post(reverse(name, args=[concern.pk])).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_has_no_child_protection_link(request, persona):
    page = client_for(request.getfixturevalue(persona)).get(reverse("cases:dashboard")).content.decode()
    assert reverse("safeguarding:concern_queue") not in page


def test_the_raiser_sees_the_status_on_the_case_page_and_never_the_text(senior, caseworker, case, twin):
    concern = raise_and_refer(senior, caseworker, case)
    client = client_for(caseworker)

    page = case_page(client, case).content.decode()
    assert "You raised a concern on" in page and "Referred" in page
    assert reverse("safeguarding:concern_receipt", args=[concern.pk]) in page
    assert reverse("safeguarding:concern_detail", args=[concern.pk]) not in page
    for secret in (CANARY, SHARED, SPOKEN_TO, THEIR_REFERENCE, DISCUSSED, "social care", "Child protection"):
        assert secret not in page
    assert "You raised a concern" not in case_page(client, twin).content.decode()

    receipt = client.get(reverse("safeguarding:concern_receipt", args=[concern.pk])).content.decode()
    assert "Referred" in receipt
    for secret in (CANARY, SHARED, SPOKEN_TO, THEIR_REFERENCE, DISCUSSED, "social care"):
        assert secret not in receipt


def test_for_the_raiser_lists_and_search_look_the_same_before_and_after(senior, caseworker, case, twin):
    client = client_for(caseworker)
    before = [normalised(response, case, twin) for response in lists(client)]

    raise_and_refer(senior, caseworker, case)

    for response, earlier in zip(lists(client), before, strict=True):
        assert_same(normalised(response, case, twin), earlier)


@pytest.mark.parametrize("whose", ["case", "raiser", "lead"])
def test_the_access_histories_show_a_non_lead_senior_nothing_of_the_file(
    senior, non_lead_senior, caseworker, case, whose
):
    concern = raise_and_refer(senior, caseworker, case)
    client_for(senior).get(reverse("safeguarding:concern_detail", args=[concern.pk]))
    url = {
        "case": reverse("cases:case_access_log", args=[case.pk]),
        "raiser": reverse("cases:staff_access_log", args=[caseworker.pk]),
        "lead": reverse("cases:staff_access_log", args=[senior.pk]),
    }[whose]

    response = client_for(non_lead_senior).get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "concern" not in page.lower()
    for record in (concern, concern.discussions.get(), concern.referrals.get().disclosure):
        assert str(record.pk)[:8] not in page


SHORT_ID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{0,3}…")


def use_the_file_through_its_pages(senior, non_lead_senior, caseworker, case):
    """Everything the child-protection pages do around a case: the raise-concern page, the file,
    the concern, the referral, and a break-glass opening by a senior manager who is not a lead."""
    client_for(caseworker).get(reverse("safeguarding:concern_raise", args=[case.pk]))
    concern = raise_and_refer(senior, caseworker, case)
    lead = client_for(senior)
    assert lead.get(reverse("safeguarding:case_file", args=[case.pk])).status_code == 200
    assert lead.get(reverse("safeguarding:concern_detail", args=[concern.pk])).status_code == 200
    breaker = client_for(non_lead_senior)
    breaker.post(
        reverse("safeguarding:break_glass", args=[case.pk]),
        {"reason": "agency", "explanation": "The duty social worker is on the phone now."},
    )
    assert breaker.get(reverse("safeguarding:case_file", args=[case.pk])).status_code == 200
    return concern


def history(client, url, *cases):
    status, page = normalised(client.get(url), *cases)
    return status, SHORT_ID.sub("<id>", page)


def test_the_case_history_with_a_file_looks_like_one_without(
    senior, non_lead_senior, head, caseworker, case, twin
):
    """The head of service (not a lead) sees the same history on a case whose file was opened,
    discussed, referred and broken into as on an identical case without a file."""
    use_the_file_through_its_pages(senior, non_lead_senior, caseworker, case)
    client = client_for(head)

    with_file = history(client, reverse("cases:case_access_log", args=[case.pk]), case, twin)
    without = history(client, reverse("cases:case_access_log", args=[twin.pk]), case, twin)

    assert with_file[0] == 200
    assert_same(with_file, without)
    assert_nothing_of_the_file(with_file[1])
    for words in ("disclosure", "break glass", "raise concern"):
        assert words not in with_file[1].lower()


@pytest.mark.parametrize("whose", ["lead", "raiser", "breaker"])
def test_staff_histories_look_the_same_before_and_after_the_file_is_used(
    senior, non_lead_senior, head, caseworker, case, whose
):
    member = {"lead": senior, "raiser": caseworker, "breaker": non_lead_senior}[whose]
    url = reverse("cases:staff_access_log", args=[member.pk])
    client = client_for(head)
    before = history(client, url, case)

    use_the_file_through_its_pages(senior, non_lead_senior, caseworker, case)
    after = history(client, url, case)

    # The head's own earlier look at this page is the one new entry in either history of theirs,
    # never in the member's: the member's history is the same as before.
    assert_same(after, before)
    assert_nothing_of_the_file(after[1])


def test_a_lead_sees_the_child_protection_activity_in_the_case_history(
    senior, non_lead_senior, caseworker, case
):
    use_the_file_through_its_pages(senior, non_lead_senior, caseworker, case)
    page = client_for(senior).get(reverse("cases:case_access_log", args=[case.pk])).content.decode()
    for how in ("raise concern", "child-protection file", "break glass"):
        assert how in page
    assert "Child-protection concern" in page or "Concern" in page


def test_the_head_of_service_cannot_reach_a_file_by_designating_themselves(senior, head, caseworker, case):
    concern = raise_and_refer(senior, caseworker, case)
    client = client_for(head)
    client.post(reverse("safeguarding:lead_designation", args=[head.pk]), {"designated": "yes"})

    for url in (
        reverse("safeguarding:concern_detail", args=[concern.pk]),
        reverse("safeguarding:concern_queue"),
    ):
        assert client.get(url).status_code == 404
    # Not a lead, and not a break-glass opening either: the case file sends them to break glass.
    response = client.get(reverse("safeguarding:case_file", args=[case.pk]))
    assert response.status_code == 302 and "break-glass" in response.url
