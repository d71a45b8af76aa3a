"""Senior staff read their service's confidentiality policy, publish a new version that everyone
must agree to before reaching any record again, and see who has agreed (R17)."""

import datetime as dt
import html
import re
from urllib.parse import quote

import pytest
import time_machine
from auditlog import get_logentry_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from pps import services
from pps.models import ConfidentialityPolicy, Role, User
from tests.conftest import POLICY_TEXT, client_for
from tests.pps.test_step_up import make_stale

PAGE = "/service/confidentiality-policy/"
NEW_TEXT = "Everything a parent tells us stays within the service.\r\n\r\nNo names in emails, ever."


def text(response) -> str:
    return html.unescape(response.content.decode())


def publish(client, policy_text=NEW_TEXT, *, confirm=True, based_on=1):
    fields = {"text": policy_text, "based_on": based_on}
    if confirm:
        fields["confirm"] = "on"
    return client.post(PAGE, fields)


def row_of(page: str, member) -> str:
    """The agreement table's row for ``member``, tags stripped."""
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", page, re.S):
        if member.display_name in row:
            return " ".join(re.sub(r"<[^>]+>", " ", row).split())
    raise AssertionError(f"no row for {member.display_name}")


def versions(service):
    return list(ConfidentialityPolicy.objects.filter(service=service).values_list("version", flat=True))


def test_the_url():
    assert reverse("policy_manage") == PAGE


def test_the_head_sees_the_current_policy_and_the_read_is_audited(head, service):
    response = client_for(head).get(PAGE)
    assert response.status_code == 200
    page = text(response)
    assert "Version 1" in page
    assert f"by {head.display_name}" in page
    assert POLICY_TEXT in page
    assert "Due for review" not in page
    assert f">{POLICY_TEXT}</textarea>" in page.replace("\r\n", "\n").replace("\n", "")
    entry = get_logentry_model()
    policy = ConfidentialityPolicy.objects.get(service=service)
    read = entry.objects.get_for_object(policy).get(action=entry.Action.ACCESS)
    assert read.actor == head
    assert read.additional_data == {"how": "policy page"}


def test_the_table_shows_who_has_agreed_and_who_not_yet(head, caseworker, coordinator, outsider):
    client_for(caseworker)  # agrees
    coordinator.first_name, coordinator.last_name = "Cora", "Notyet"
    coordinator.save()
    page = text(client_for(head).get(PAGE))
    today = timezone.localdate().strftime("%-d %B %Y")
    assert row_of(page, caseworker) == f"{caseworker.display_name} Caseworker {today}"
    assert row_of(page, coordinator) == "Cora Notyet Coordinator Not yet"
    assert row_of(page, head).endswith(today)
    assert outsider.display_name not in page
    assert "2 of 3 active staff have agreed" in page


def test_closed_accounts_are_not_in_the_table(head, volunteer):
    volunteer.is_active = False
    volunteer.save()
    assert volunteer.display_name not in text(client_for(head).get(PAGE))


def test_the_head_publishes_a_new_version_which_everyone_must_then_agree_to(head, caseworker, service):
    as_head, as_caseworker = client_for(head), client_for(caseworker)
    dashboard = reverse("cases:dashboard")
    assert as_caseworker.get(dashboard).status_code == 200

    response = publish(as_head)
    assert response.status_code == 302
    assert response.url == PAGE
    new = ConfidentialityPolicy.objects.get(service=service, version=2)
    assert new.published_by == head
    assert new.text == NEW_TEXT.replace("\r\n", "\n")

    asked = as_head.get(PAGE)  # the head too agrees before seeing the page again
    assert asked.url == f"{reverse('policy_agree')}?next={quote(PAGE, safe='')}"
    assert "Version 2 of the confidentiality policy is published" in text(as_head.get(asked.url))
    for client in (as_head, as_caseworker):
        asked = client.get(dashboard)
        assert asked.status_code == 302
        assert asked.url.startswith(reverse("policy_agree"))
        assert "No names in emails, ever." in text(client.get(asked.url))

    back = as_head.post(reverse("policy_agree"), {"policy": new.pk, "next": PAGE})
    assert back.url == PAGE
    page = text(as_head.get(PAGE))
    assert "Version 2" in page
    assert row_of(page, caseworker).endswith("Not yet")
    assert "Not yet" not in row_of(page, head)


def test_a_senior_manager_may_publish_too(non_lead_senior, service):
    client = client_for(non_lead_senior)
    assert client.get(PAGE).status_code == 200
    assert publish(client).status_code == 302
    assert versions(service) == [2, 1]


@pytest.mark.parametrize("blank", ["", "   \r\n  "])
def test_empty_text_is_refused_with_a_message(head, service, blank):
    response = publish(client_for(head), blank)
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert "Enter the text of the confidentiality policy" in text(response)
    assert versions(service) == [1]


def test_unchanged_text_is_refused_and_kept(head, service):
    unchanged = f"  {POLICY_TEXT}\r\n"
    response = publish(client_for(head), unchanged)
    assert response.status_code == 200
    page = text(response)
    assert "The text is the same as version 1. Change it to publish a new version" in page
    assert POLICY_TEXT in page.split("<textarea", 1)[1]
    assert versions(service) == [1]


def test_without_the_confirmation_nothing_is_published_and_the_text_is_kept(head, service):
    response = publish(client_for(head), confirm=False)
    assert response.status_code == 200
    page = text(response)
    assert "Confirm that everyone will have to agree to this version" in page
    assert "No names in emails, ever." in page.split("<textarea", 1)[1]
    assert versions(service) == [1]


def test_a_version_published_while_editing_is_not_overwritten_unseen(head, non_lead_senior, service):
    as_head = client_for(head)
    assert publish(client_for(non_lead_senior), "Version two by someone else.").status_code == 302
    services.agree_to_policy(head, ConfidentialityPolicy.objects.get(service=service, version=2))
    response = publish(as_head, "Version two by the head.", based_on=1)
    assert response.status_code == 200
    page = text(response)
    assert "Version 2 was published while you were editing" in page
    assert "Version two by the head." in page.split("<textarea", 1)[1]
    assert 'name="based_on" value="2"' in page
    assert versions(service) == [2, 1]
    assert publish(as_head, "Version two by the head.", based_on=2).status_code == 302
    assert versions(service) == [3, 2, 1]


@pytest.mark.parametrize("persona", ["caseworker", "volunteer", "coordinator", "maintainer", "outsider"])
def test_anyone_who_may_not_publish_gets_404(request, service, other_service, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 404
    assert publish(client).status_code == 404
    assert versions(service) == [1]
    assert versions(other_service) == [1]


def test_another_services_head_sees_and_publishes_only_their_own_services_policy(head, other_service):
    other_head = User.objects.get(service=other_service, role=Role.HEAD_OF_SERVICE)
    client = client_for(other_head)
    page = text(client.get(PAGE))
    assert other_service.name in page
    assert head.service.name not in page
    assert head.display_name not in page
    assert publish(client).status_code == 302
    assert versions(other_service) == [2, 1]
    assert versions(head.service) == [1]


def test_a_closed_account_of_a_head_may_not_publish(head, service):
    head.is_active = False
    head.save()
    with pytest.raises(PermissionDenied):
        services.publish_policy(head, service, "Closed accounts publish nothing.")


def test_a_stale_session_is_asked_for_the_code_and_a_stale_post_publishes_nothing(head, service):
    client = make_stale(client_for(head))
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url == f"{reverse('step_up')}?next={quote(PAGE, safe='')}"
    sent = publish(client)
    assert sent.status_code == 200
    assert "Confirm it is you" in text(sent)
    assert versions(service) == [1]


def test_the_staff_page_links_to_it_for_senior_staff(head):
    page = text(client_for(head).get(reverse("cases:staff_list")))
    assert f'href="{PAGE}"' in page


def test_after_a_year_the_policy_is_due_for_review_on_the_page_and_the_dashboard(head, caseworker):
    policy = ConfidentialityPolicy.objects.get(service=head.service)
    published = timezone.localtime(policy.published_at)
    with time_machine.travel(published + dt.timedelta(days=364), tick=False):
        assert "Due for review" not in text(client_for(head).get(PAGE))
        assert "due for its yearly review" not in text(client_for(head).get(reverse("cases:dashboard")))
    with time_machine.travel(published + dt.timedelta(days=366), tick=False):
        page = text(client_for(head).get(PAGE))
        assert "Due for review" in page
        dashboard = text(client_for(head).get(reverse("cases:dashboard")))
        assert "The confidentiality policy is due for its yearly review" in dashboard
        assert f'href="{PAGE}"' in dashboard
        assert "yearly review" not in text(client_for(caseworker).get(reverse("cases:dashboard")))


def test_a_review_with_no_changes_clears_the_warning_for_a_year(head, caseworker):
    policy = ConfidentialityPolicy.objects.get(service=head.service)
    published = timezone.localtime(policy.published_at)
    with time_machine.travel(published + dt.timedelta(days=366), tick=False):
        client = client_for(head)
        response = client.post(reverse("policy_reviewed"), {"policy": policy.pk})
        assert response.url == PAGE
        page = text(client.get(PAGE))
        assert "recorded as reviewed with no changes" in page and "Due for review" not in page
        assert "Last reviewed" in page
        assert client_for(caseworker).get(reverse("cases:dashboard")).status_code == 200  # no new agreement
    policy.refresh_from_db()
    assert (
        policy.reviewed_by == head and ConfidentialityPolicy.objects.filter(service=head.service).count() == 1
    )
    with time_machine.travel(published + dt.timedelta(days=366 + 364), tick=False):
        assert "Due for review" not in text(client_for(head).get(PAGE))
    with time_machine.travel(published + dt.timedelta(days=366 + 367), tick=False):
        assert "Due for review" in text(client_for(head).get(PAGE))


def test_only_those_who_publish_it_review_it(caseworker, head):
    policy = ConfidentialityPolicy.objects.get(service=head.service)
    assert client_for(caseworker).post(reverse("policy_reviewed"), {"policy": policy.pk}).status_code == 404
    policy.refresh_from_db()
    assert policy.reviewed_at is None


def test_reviewing_a_version_replaced_meanwhile_records_nothing(head):
    policy = ConfidentialityPolicy.objects.get(service=head.service)
    client = client_for(head)
    client.post(reverse("policy_reviewed"), {"policy": "not-the-current-one"})
    assert "changed while this page was open" in text(client.get(PAGE))
    policy.refresh_from_db()
    assert policy.reviewed_at is None


def test_two_publishes_from_the_same_version_do_not_both_succeed(head, non_lead_senior, service):
    """The version is checked under the service's row lock, not only by the form beforehand."""
    services.publish_policy(non_lead_senior, service, "Version two by the senior.", based_on=1)
    with pytest.raises(services.StalePolicyVersion) as stale:
        services.publish_policy(head, service, "Version two by the head.", based_on=1)
    assert stale.value.current.version == 2
    assert versions(service) == [2, 1]


def test_a_publish_that_loses_the_race_keeps_the_text_and_says_so(
    head, non_lead_senior, service, monkeypatch
):
    """Someone publishes between the form's check and the lock: the page says so, keeps the text."""
    from pps import policy_views

    real_publish = services.publish_policy

    def someone_else_first(by, service_, text, **kwargs):
        real_publish(non_lead_senior, service_, "Published a moment earlier.", based_on=1)
        return real_publish(by, service_, text, **kwargs)

    monkeypatch.setattr(policy_views.services, "publish_policy", someone_else_first)
    response = publish(client_for(head), "Version two by the head.", based_on=1)
    assert response.status_code == 200
    page = text(response)
    assert "Version 2 was published while you were editing" in page
    assert "Version two by the head." in page.split("<textarea", 1)[1]
    assert versions(service) == [2, 1]
