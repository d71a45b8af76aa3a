"""The subject access workbench, through its pages: recording, the list, each step with who and
when, permissions and audit (R8, R11)."""

from datetime import date

import pytest
import time_machine
from auditlog import get_logentry_model
from django.urls import reverse
from django.utils import timezone

from consent.models import SubjectAccessRequest
from rights.models import ChildProtectionDecision, RequestStep
from tests.conftest import client_for
from tests.dates import dated
from tests.rights.helpers import (
    aware,
    fill_household,
    parent_request,
    pdf_text,
    raise_concern,
    ready_to_assemble,
)

Entry = get_logentry_model()


def url(name, sar, *args):
    return reverse(f"rights:{name}", args=[sar.pk, *args])


def get_sar(sar):
    return SubjectAccessRequest.objects.get(pk=sar.pk)


# Recording


def test_a_caseworker_records_a_parents_request_from_the_case_and_cannot_open_it(
    caseworker, as_caseworker, case
):
    response = as_caseworker.post(
        reverse("rights:request_new", args=[case.pk]),
        dated(
            {"who": "parent", "how": "letter", "received_on": "2026-12-01", "asked_for": "A copy of my file"}
        ),
    )
    sar = SubjectAccessRequest.objects.get()
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    assert sar.requester_kind == "parent" and sar.requester == "Sarah Jones" and sar.recorded_by == caseworker
    assert sar.due_on == date(2027, 1, 4)  # 1 January a bank holiday, then a weekend
    assert as_caseworker.get(url("request_detail", sar)).status_code == 404
    assert as_caseworker.get(reverse("rights:request_list")).status_code == 404


def test_a_young_person_may_ask_for_their_own_record(head, case):
    child = case.parent.children.get()
    response = client_for(head).post(
        reverse("rights:request_new", args=[case.pk]),
        dated(
            {
                "who": str(child.pk),
                "how": "email",
                "received_on": timezone.localdate().isoformat(),
                "asked_for": "Mine",
            }
        ),
    )
    sar = SubjectAccessRequest.objects.get()
    assert response.url == url("request_detail", sar)
    assert sar.requester_kind == "young_person" and sar.child == child and sar.requester == child.full_name


@pytest.mark.parametrize(
    "overrides",
    [{"who": ""}, {"who": "nobody"}, {"how": "pigeon"}, {"received_on": "2099-01-01"}, {"asked_for": " "}],
)
def test_bad_input_says_what_is_wrong_and_keeps_what_was_typed(as_caseworker, case, overrides):
    data = {"who": "parent", "how": "letter", "received_on": "2026-11-30", "asked_for": "KEEP-THIS please"}
    data.update(overrides)
    response = as_caseworker.post(reverse("rights:request_new", args=[case.pk]), dated(data))
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "KEEP-THIS" in page or overrides.get("asked_for")
    assert not SubjectAccessRequest.objects.exists()


# The list


@time_machine.travel("2026-12-02 10:00Z")
def test_the_list_shows_due_dates_days_left_and_overdue_in_red(caseworker, head, case):
    soon = parent_request(caseworker, case, received=aware(date(2026, 11, 20)))
    late = parent_request(caseworker, case, received=aware(date(2026, 10, 1)))
    page = client_for(head).get(reverse("rights:request_list")).content.decode()
    assert soon.reference in page and "Mon 21 Dec 2026" in page and "19 days" in page
    assert late.reference in page and "Overdue by 30 days" in page and "govuk-tag--red" in page
    assert page.index(late.reference) < page.index(soon.reference)


def test_the_list_costs_a_fixed_number_of_queries(caseworker, head, django_assert_max_num_queries):
    from tests.factories import make_case

    for _ in range(5):
        parent_request(caseworker, make_case(caseworker))
    client = client_for(head)
    with django_assert_max_num_queries(20):
        client.get(reverse("rights:request_list"))


# Who reaches what


@pytest.mark.parametrize(
    "persona", ["caseworker", "second_caseworker", "volunteer", "coordinator", "maintainer", "outsider"]
)
def test_only_senior_staff_of_the_service_reach_a_request(request, caseworker, case, persona):
    sar = parent_request(caseworker, case)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url("request_detail", sar)).status_code == 404
    assert (
        client.post(
            url("identity_check", sar), dated({"seen": "x", "confirmed_on": "2026-12-01"})
        ).status_code
        == 404
    )
    assert client.post(url("refuse", sar), {"reason": "no"}).status_code == 404
    assert get_sar(sar).status == "received" and not RequestStep.objects.exists()


def test_another_services_head_gets_404(caseworker, case, other_service):
    from pps.models import Role, User

    sar = parent_request(caseworker, case)
    head = User.objects.get(service=other_service, role=Role.HEAD_OF_SERVICE)
    assert client_for(head).get(url("request_detail", sar)).status_code == 404


def test_a_senior_manager_works_on_a_request_but_only_the_head_of_service_approves_or_refuses(
    caseworker, non_lead_senior, head, senior, case
):
    sar = parent_request(caseworker, case)
    manager = client_for(non_lead_senior)
    assert manager.get(url("request_detail", sar)).status_code == 200
    sar = services_ready_and_assembled(head, senior, sar)
    assert manager.post(url("approve", sar), {}).status_code == 404
    assert manager.post(url("refuse", sar), {"reason": "Excessive"}).status_code == 404
    assert get_sar(sar).status == "assembled"
    assert client_for(head).post(url("approve", sar), {}).status_code == 302
    assert get_sar(sar).status == "reviewed"


def services_ready_and_assembled(head, lead, sar, concerns=()):
    from rights import services

    return services.assemble(by=head, sar=ready_to_assemble(head, lead, sar, concerns))


def test_the_detail_page_is_audited(caseworker, head, case):
    sar = parent_request(caseworker, case)
    client_for(head).get(url("request_detail", sar))
    assert Entry.objects.filter(action=Entry.Action.ACCESS, actor=head, object_pk=str(sar.pk)).count() == 1


# The steps


def test_each_step_is_recorded_with_who_and_when_and_shown_in_the_history(caseworker, head, senior, case):
    sar = parent_request(caseworker, case, received=aware(timezone.localdate() - timezone.timedelta(days=3)))
    client = client_for(head)
    today = timezone.localdate().isoformat()
    assert (
        client.post(
            url("identity_check", sar), dated({"seen": "Passport SEEN-IT", "confirmed_on": today})
        ).status_code
        == 302
    )
    page = client.get(url("request_detail", sar)).content.decode()
    assert "Identity checked" in page and "Passport SEEN-IT" in page and head.display_name in page
    step = RequestStep.objects.get(kind="identity")
    assert step.by == head and step.at is not None
    assert "SEEN-IT" not in str(RequestStep.objects.values("note").get())  # encrypted
    change = Entry.objects.filter(action=Entry.Action.UPDATE, object_pk=str(sar.pk)).latest("timestamp")
    assert change.actor == head and "SEEN-IT" not in str(change.changes)


@time_machine.travel("2026-12-02 10:00Z")
def test_stopping_the_clock_from_receipt_starts_the_month_when_identity_arrives(caseworker, head, case):
    sar = parent_request(caseworker, case, received=aware(date(2026, 11, 2)))
    client = client_for(head)
    client.post(
        url("clock_pause", sar), dated({"reason": "identity", "on": "2026-11-02", "note": "Asked for ID"})
    )
    assert get_sar(sar).status == "paused"
    page = client.get(reverse("rights:request_list")).content.decode()
    assert "Clock stopped" in page
    client.post(url("identity_check", sar), dated({"seen": "Driving licence", "confirmed_on": "2026-11-16"}))
    sar = get_sar(sar)
    assert sar.status == "received" and sar.clock_started_on == date(2026, 11, 16)
    assert sar.due_on == date(2026, 12, 16)


@time_machine.travel("2026-12-02 10:00Z")
def test_stopping_the_clock_later_moves_the_due_date_by_the_days_stopped(caseworker, head, case):
    sar = parent_request(caseworker, case, received=aware(date(2026, 11, 2)))
    assert sar.due_on == date(2026, 12, 2)
    client = client_for(head)
    client.post(url("clock_pause", sar), dated({"reason": "clarification", "on": "2026-11-10"}))
    response = client.post(
        url("clock_restart", sar), dated({"on": "2026-11-17", "note": "They said: only 2025"})
    )
    assert response.status_code == 302
    sar = get_sar(sar)
    assert sar.paused_days == 7 and sar.due_on == date(2026, 12, 9)
    page = client.get(url("request_detail", sar)).content.decode()
    assert "Clock restarted" in page and "Stopped for 7 days" in page and "9 December 2026" in page


@time_machine.travel("2026-12-02 10:00Z")
def test_one_extension_of_up_to_two_months_with_a_reason(caseworker, head, case):
    sar = parent_request(caseworker, case, received=aware(date(2026, 11, 25)))
    client = client_for(head)
    assert client.post(url("extension", sar), {"months": "3", "reason": "Complex"}).status_code == 200
    page = client.post(url("extension", sar), {"months": "2", "reason": ""}).content.decode()
    assert "Give the reason for the extension" in page
    assert client.post(url("extension", sar), {"months": "2", "reason": "Many records"}).status_code == 302
    sar = get_sar(sar)
    assert sar.extension_months == 2 and sar.extension_reason == "Many records"
    assert sar.due_on == date(2027, 2, 25)
    page = client.post(url("extension", sar), {"months": "1", "reason": "More"}).content.decode()
    assert "only one extension is allowed" in page
    assert get_sar(sar).due_on == date(2027, 2, 25)


@time_machine.travel("2026-12-20 10:00Z")
def test_an_extension_after_the_due_date_is_refused(caseworker, head, case):
    sar = parent_request(caseworker, case, received=aware(date(2026, 11, 2)))
    page = client_for(head).post(url("extension", sar), {"months": "1", "reason": "Late"}).content.decode()
    assert "too late to extend" in page and get_sar(sar).extension_months == 0


def test_the_pack_cannot_be_assembled_before_identity_and_the_child_protection_review(caseworker, head, case):
    sar = parent_request(caseworker, case)
    client = client_for(head)
    page = client.post(url("assemble", sar), follow=True).content.decode()
    assert "Check the requester&#x27;s identity" in page
    client.post(
        url("identity_check", sar), dated({"seen": "Known", "confirmed_on": timezone.localdate().isoformat()})
    )
    page = client.post(url("assemble", sar), follow=True).content.decode()
    assert "designated safeguarding lead must review" in page
    assert get_sar(sar).status == "received"


def test_a_refusal_needs_its_reason(caseworker, head, case):
    sar = parent_request(caseworker, case)
    client = client_for(head)
    page = client.post(url("refuse", sar), {"reason": " "}).content.decode()
    assert "Give the reason the request is refused" in page and get_sar(sar).status == "received"
    client.post(url("refuse", sar), {"reason": "Manifestly excessive: the fifth request this month"})
    sar = get_sar(sar)
    assert sar.status == "refused" and sar.refusal_reason.startswith("Manifestly")
    page = client.get(url("request_detail", sar)).content.decode()
    assert "Request refused" in page and "Manifestly excessive" in page


def test_a_partial_refusal_needs_its_reason_and_is_told_in_the_letter(caseworker, head, senior, case):
    from rights import services

    sar = services_ready_and_assembled(head, senior, parent_request(caseworker, case))
    client = client_for(head)
    page = client.post(url("approve", sar), {"partly_refused": "on", "reason": ""}).content.decode()
    assert "Give the reason the request is partly refused" in page
    client.post(
        url("approve", sar), {"partly_refused": "on", "reason": "PART-REFUSED legal advice is privileged"}
    )
    sar = get_sar(sar)
    assert sar.partly_refused and "PART-REFUSED" in sar.refusal_reason
    assert "PART-REFUSED" in pdf_text(services.pack_pdf(sar))


# Child-protection review: leads only


def test_only_a_designated_lead_sees_and_decides_the_child_protection_files(caseworker, head, senior, case):
    concern = raise_concern(caseworker, case, "CP-CONTENT bruises seen")
    sar = parent_request(caseworker, case)
    head_page = client_for(head).get(url("request_detail", sar)).content.decode()
    assert "CP-CONTENT" not in head_page and "Child-protection files (designated leads only)" not in head_page
    assert (
        client_for(head)
        .post(url("child_protection_decide", sar, concern.pk), {f"cp-{concern.pk}-decision": "disclose"})
        .status_code
        == 404
    )
    lead = client_for(senior)
    assert "CP-CONTENT" in lead.get(url("request_detail", sar)).content.decode()
    page = lead.post(
        url("child_protection_decide", sar, concern.pk), {f"cp-{concern.pk}-decision": "withhold"}
    ).content.decode()
    assert "Select the exemption relied on" in page
    page = lead.post(url("child_protection_done", sar), follow=True).content.decode()
    assert "1 still to decide" in page
    lead.post(
        url("child_protection_decide", sar, concern.pk),
        {f"cp-{concern.pk}-decision": "withhold", f"cp-{concern.pk}-exemption": "serious_harm"},
    )
    decision = ChildProtectionDecision.objects.get()
    assert decision.decided_by == senior and decision.exemption == "serious_harm"
    lead.post(url("child_protection_done", sar))
    assert get_sar(sar).child_protection_reviewed_at is not None
    head_page = client_for(head).get(url("request_detail", sar)).content.decode()
    assert (
        "Done by a designated lead" in head_page
        and "CP-CONTENT" not in head_page
        and "Withheld" not in head_page
    )


def test_the_review_page_asks_a_lead_for_the_code_again_when_it_is_old(caseworker, senior, case):
    from pps.otp import VERIFIED_AT_SESSION_KEY

    raise_concern(caseworker, case, "CP-CONTENT")
    sar = parent_request(caseworker, case)
    client = client_for(senior)
    session = client.session
    session[VERIFIED_AT_SESSION_KEY] = (timezone.now() - timezone.timedelta(hours=1)).isoformat()
    session.save()
    response = client.get(url("request_detail", sar))
    assert response.status_code == 302 and reverse("step_up") in response.url


# The PDF


def test_the_pdf_downloads_as_an_attachment_for_senior_staff_only_and_each_download_is_audited(
    caseworker, head, senior, non_lead_senior, case
):
    from rights import services

    fill_household(caseworker, case, marker="OURS")
    sar = services_ready_and_assembled(head, senior, parent_request(caseworker, case))
    services.approve(by=head, sar=sar)
    for user in (head, non_lead_senior):
        response = client_for(user).get(url("download", sar))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{sar.reference}.pdf"'
        assert "Sarah" not in response["Content-Disposition"]
        assert "OURS-NOTE" in pdf_text(response.content)
    assert RequestStep.objects.filter(kind="downloaded").count() == 2
    assert (
        Entry.objects.filter(
            action=Entry.Action.ACCESS, object_pk=str(sar.pk), additional_data__how="download pack"
        ).count()
        == 2
    )
    assert client_for(caseworker).get(url("download", sar)).status_code == 404


def test_sent_and_closed_are_recorded(caseworker, head, senior, case):
    from rights import services

    sar = services_ready_and_assembled(head, senior, parent_request(caseworker, case))
    client = client_for(head)
    page = client.post(
        url("sent", sar), dated({"how": "post", "sent_on": timezone.localdate().isoformat()})
    ).content.decode()
    assert "approved by the head of service" in page
    services.approve(by=head, sar=sar)
    client.post(url("sent", sar), dated({"how": "post", "sent_on": timezone.localdate().isoformat()}))
    assert get_sar(sar).status == "sent" and get_sar(sar).sent_how == "post"
    client.post(url("close", sar), {"note": "Parent confirmed receipt"})
    page = client.get(url("request_detail", sar)).content.decode()
    assert get_sar(sar).status == "closed" and "Request closed" in page and "Pack sent" in page


def test_access_histories_show_the_request_but_no_trace_of_the_leads_decisions_to_others(
    caseworker, head, senior, case
):
    concern = raise_concern(caseworker, case, "CP-CONTENT")
    sar = parent_request(caseworker, case)
    lead = client_for(senior)
    lead.post(
        url("child_protection_decide", sar, concern.pk),
        {f"cp-{concern.pk}-decision": "withhold", f"cp-{concern.pk}-exemption": "serious_harm"},
    )
    decision = ChildProtectionDecision.objects.get()
    head_client = client_for(head)
    staff_page = head_client.get(reverse("cases:staff_access_log", args=[senior.pk])).content.decode()
    case_page = head_client.get(reverse("cases:case_access_log", args=[case.pk])).content.decode()
    assert str(decision.pk) not in staff_page and "child-protection decision" not in staff_page
    assert "subject access request" in case_page.lower()
    lead_page = lead.get(reverse("cases:staff_access_log", args=[senior.pk])).content.decode()
    assert "child-protection decision" in lead_page
