"""A case is worked through contacts, shown as a timeline, closed and reopened with a reason."""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases import services
from cases.models import CaseEvent, Contact, Outcome, Topic
from tests.conftest import client_for
from tests.dates import dated
from tests.factories import contact_details


def contact_form(service, **overrides):
    when = timezone.localtime() - timezone.timedelta(hours=1)
    data = {
        "date": when.strftime("%Y-%m-%d"),
        "time": when.strftime("%H:%M"),
        "channel": "email",
        "direction": "out",
        "duration_minutes": "25",
        "topics": [str(Topic.objects.get(service=service, name="EHC plan").pk)],
        "outcome": str(Outcome.objects.get(service=service, name="Advice given").pk),
        "notes": "Explained how to ask for section F to be specified and quantified.",
        "follow_up_on": (timezone.localdate() + timezone.timedelta(days=3)).isoformat(),
    }
    data.update(overrides)
    return dated(data)


def test_a_contact_logged_on_a_case_shows_on_its_timeline(as_caseworker, case, service):
    url = reverse("cases:case_contact_log", args=[case.pk])
    response = as_caseworker.post(url, contact_form(service))
    assert response.status_code == 302
    contact = Contact.objects.get(case=case)
    assert contact.notes.startswith("Explained how to ask")
    assert contact.follow_up_on == timezone.localdate() + timezone.timedelta(days=3)
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Explained how to ask for section F" in page
    assert "Email to the parent" in page
    assert "Follow up by" in page


def test_the_case_contact_form_gives_the_simple_message_to_leave(as_caseworker, caseworker, case, service):
    page = as_caseworker.get(reverse("cases:case_contact_log", args=[case.pk])).content.decode()
    assert "Simple message only" in page
    expected = (
        f"Hello, this is {caseworker.first_name} from {service.name}. Please call us back on {service.phone}."
    )
    assert escape(expected) in page


def test_a_volunteers_own_number_is_never_in_the_message(volunteer, case, service):
    from cases.access import assign_to_case

    volunteer.work_phone = "07700 900999"
    volunteer.save()
    assign_to_case(volunteer, case)
    services.log_case_contact(
        by=volunteer,
        case=case,
        details=contact_details(service),
        follow_up_on=timezone.localdate() + timezone.timedelta(days=1),
    )
    client = client_for(volunteer)
    for url in (reverse("cases:case_contact_log", args=[case.pk]), reverse("cases:dashboard")):
        page = client.get(url).content.decode()
        assert escape(f"Please call us back on {service.phone}.") in page
        assert "07700 900999" not in page


def test_a_follow_up_before_the_contact_is_refused_and_notes_are_kept(as_caseworker, case, service):
    data = contact_form(service, follow_up_on="2001-01-01")
    response = as_caseworker.post(reverse("cases:case_contact_log", args=[case.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The follow-up date cannot be before the contact" in page
    assert "Explained how to ask for section F" in page
    assert not Contact.objects.filter(case=case).exists()


def test_closing_and_reopening_need_a_reason_and_show_on_the_timeline(as_caseworker, case):
    close = reverse("cases:case_close", args=[case.pk])
    response = as_caseworker.post(close, {"reason": ""})
    assert response.status_code == 200 and "Give a reason" in response.content.decode()
    case.refresh_from_db()
    assert case.is_open

    assert as_caseworker.post(close, {"reason": "Plan finalised; parent happy."}).status_code == 302
    case.refresh_from_db()
    assert not case.is_open and case.closed_at is not None
    page = as_caseworker.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Case closed" in page and "Plan finalised; parent happy." in page
    assert "Reopen case" in page

    again = as_caseworker.post(close, {"reason": "twice"})
    assert "already closed" in again.content.decode()

    reopen = reverse("cases:case_reopen", args=[case.pk])
    assert as_caseworker.post(reopen, {"reason": "School has issued a new exclusion."}).status_code == 302
    case.refresh_from_db()
    assert case.is_open and case.closed_at is None
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["opened", "closed", "reopened"]


def test_a_closed_case_cannot_be_closed_through_a_get(as_caseworker, case):
    as_caseworker.get(reverse("cases:case_close", args=[case.pk]))
    case.refresh_from_db()
    assert case.is_open


def test_follow_ups_due_show_on_the_dashboard_and_can_be_marked_done(as_caseworker, caseworker, case):
    today = timezone.localdate()
    contact = services.log_case_contact(
        by=caseworker, case=case, details=contact_details(case.service), follow_up_on=today
    )
    page = as_caseworker.get(reverse("cases:dashboard")).content.decode()
    assert "Follow-ups due" in page and "Sarah Jones" in page and "Today" in page
    response = as_caseworker.post(reverse("cases:follow_up_done", args=[contact.pk]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.follow_up_done
    assert "No follow-ups due" in as_caseworker.get(reverse("cases:dashboard")).content.decode()


def test_the_dashboard_shows_open_cases_and_recent_contacts(as_caseworker, caseworker, case):
    services.log_nng_contact(by=caseworker, details=contact_details(case.service))
    page = as_caseworker.get(reverse("cases:dashboard")).content.decode()
    assert "Your open cases" in page
    assert case.reference in page
    assert "No name given" in page


def test_a_second_case_can_be_opened_for_a_parent(as_caseworker, case):
    url = reverse("cases:case_open", args=[case.parent.pk])
    assert "Say briefly" in as_caseworker.post(url, {"summary": ""}).content.decode()
    response = as_caseworker.post(url, {"summary": "Transport to the new school."})
    assert response.status_code == 302
    assert case.parent.cases.count() == 2


def test_parent_details_can_be_changed_and_search_follows(as_caseworker, caseworker, case):
    url = reverse("cases:parent_edit", args=[case.parent.pk])
    data = {
        "first_name": "Sarah",
        "last_name": "Jones-Patel",
        "phone": "07700 900123",
        "email": "",
        "address": "",
        "postcode": "",
        "preferred_contact": "phone",
        "detailed_message_ok": "on",
        "parental_responsibility": "yes",
        "correction_reason": "Married name",
    }
    assert as_caseworker.post(url, data).status_code == 302
    case.parent.refresh_from_db()
    assert case.parent.detailed_message_ok
    assert [p.pk for p in services.find_parents(caseworker, "jones-pat")] == [case.parent.pk]


def test_a_child_can_be_added_and_changed(as_caseworker, case):
    url = reverse("cases:child_add", args=[case.parent.pk])
    bad = as_caseworker.post(url, {"first_name": "", "provision": "none"})
    assert "Enter the child&#x27;s first name" in bad.content.decode()
    assert as_caseworker.post(url, {"first_name": "Ola", "provision": "sen_support"}).status_code == 302
    (child,) = [c for c in case.parent.children.all() if c.first_name == "Ola"]
    edit = reverse("cases:child_edit", args=[child.pk])
    data = {"first_name": "Ola", "need": "SEMH", "provision": "assessment", "correction_reason": "Assessed"}
    response = as_caseworker.post(edit, data)
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.need == "SEMH"


def test_the_menu_offers_casework_only_to_those_who_do_it(as_caseworker, senior, coordinator):
    from tests.conftest import client_for

    assert "Log a contact" in as_caseworker.get(reverse("cases:dashboard")).content.decode()
    senior_page = client_for(senior).get(reverse("cases:dashboard")).content.decode()
    assert reverse("manage") in senior_page  # the lists and the staff are under Manage
    manage = client_for(senior).get(reverse("manage")).content.decode()
    assert reverse("cases:reference_data") in manage and reverse("cases:staff_list") in manage
    page = client_for(coordinator).get(reverse("cases:dashboard")).content.decode()
    assert "Log a contact" not in page and reverse("cases:parent_search") not in page


def test_a_closed_case_takes_no_new_contact_until_it_is_reopened(as_caseworker, caseworker, case, service):
    services.close_case(by=caseworker, case=case, reason="Support finished")
    url = reverse("cases:case_contact_log", args=[case.pk])

    page = as_caseworker.get(url).content.decode()
    assert "This case is closed." in page
    assert reverse("cases:case_reopen", args=[case.pk]) in page

    response = as_caseworker.post(url, contact_form(service))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Case {case.reference} is closed: reopen it, with the reason" in page
    assert "Explained how to ask for section F" in page
    assert not Contact.objects.filter(case=case).exists()

    services.reopen_case(by=caseworker, case=case, reason="The parent called again")
    assert as_caseworker.post(url, contact_form(service)).status_code == 302
    assert Contact.objects.filter(case=case).count() == 1


def test_a_follow_up_marked_done_in_place_can_be_undone(as_caseworker, caseworker, case, service):
    contact = services.log_case_contact(
        by=caseworker, case=case, details=contact_details(service), follow_up_on=timezone.localdate()
    )
    htmx = {"HTTP_HX_REQUEST": "true"}

    line = as_caseworker.post(reverse("cases:follow_up_done", args=[contact.pk]), **htmx).content.decode()

    contact.refresh_from_db()
    assert contact.follow_up_done
    assert line.lstrip().startswith("<li") and "Done" in line and "Undo" in line and "<html" not in line
    line = as_caseworker.post(reverse("cases:follow_up_undo", args=[contact.pk]), **htmx).content.decode()
    contact.refresh_from_db()
    assert not contact.follow_up_done and "Mark done" in line


def test_without_javascript_undo_comes_back_to_the_dashboard(as_caseworker, caseworker, case, service):
    contact = services.log_case_contact(
        by=caseworker, case=case, details=contact_details(service), follow_up_on=timezone.localdate()
    )
    services.mark_follow_up_done(by=caseworker, contact=contact)
    response = as_caseworker.post(reverse("cases:follow_up_undo", args=[contact.pk]))
    assert response.status_code == 302 and response.url == reverse("cases:dashboard")
    page = as_caseworker.get(response.url).content.decode()
    assert "The follow-up is due again." in page and "Mark done" in page
