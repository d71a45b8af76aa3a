"""Before calling back (R16): the dashboard's follow-ups give the number, the preferred way of
contact and whether a detailed message may be left; "Mark done" can be undone; senior staff see
whose follow-up it is; the list says when it shows only the first 20."""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases import services
from cases.models import Contact
from tests.conftest import client_for
from tests.factories import contact_details, make_case

DASHBOARD = reverse("cases:dashboard")


def follow_up(by, case, days=0):
    return services.log_case_contact(
        by=by,
        case=case,
        details=contact_details(case.service),
        follow_up_on=timezone.localdate() + timezone.timedelta(days=days),
    )


def test_each_follow_up_says_how_to_call_back(caseworker, as_caseworker):
    simple = make_case(caseworker, first_name="Ottoline", last_name="Brackenfield", phone="01632 960 001")
    detailed = make_case(
        caseworker, first_name="Peregrine", last_name="Wolstenholme", phone="", email="p@example.org",
        preferred_contact="email", detailed_message_ok=True,
    )  # fmt: skip
    first, second = follow_up(caseworker, simple), follow_up(caseworker, detailed, days=2)
    page = as_caseworker.get(DASHBOARD).content.decode()
    line = page.split(f'id="follow-up-{first.pk}"')[1].split("</li>")[0]
    assert 'href="tel:01632960001"' in line and "01632 960 001</a>" in line
    assert "Prefers phone" in line and "Simple message only" in line
    line = page.split(f'id="follow-up-{second.pk}"')[1].split("</li>")[0]
    assert "No phone number" in line and "Prefers email" in line and "A detailed message may be left" in line


def test_mark_done_without_javascript_can_be_undone(caseworker, as_caseworker):
    case = make_case(caseworker, first_name="Ottoline", last_name="Brackenfield")
    contact = follow_up(caseworker, case)
    response = as_caseworker.post(reverse("cases:follow_up_done", args=[contact.pk]))
    assert response.url == f"{DASHBOARD}?done={contact.pk}"
    assert Contact.objects.get(pk=contact.pk).follow_up_done
    page = as_caseworker.get(response.url).content.decode()
    assert "Marked as done" in page
    assert reverse("cases:follow_up_undo", args=[contact.pk]) in page
    named = f"follow-up for Ottoline Brackenfield, case {case.reference}"
    assert f'Undo<span class="govuk-visually-hidden">: {named}' in page
    as_caseworker.post(reverse("cases:follow_up_undo", args=[contact.pk]))
    assert not Contact.objects.get(pk=contact.pk).follow_up_done
    page = as_caseworker.get(DASHBOARD).content.decode()
    assert "Marked as done" not in page
    assert f'Mark done<span class="govuk-visually-hidden">: {named}' in page


def test_someone_elses_done_follow_up_is_not_shown_by_its_id(caseworker, second_caseworker):
    case = make_case(caseworker, first_name="Ottoline", last_name="Brackenfield")
    contact = follow_up(caseworker, case)
    services.mark_follow_up_done(by=caseworker, contact=contact)
    page = client_for(second_caseworker).get(DASHBOARD, {"done": str(contact.pk)}).content.decode()
    assert "Brackenfield" not in page and "Marked as done" not in page
    assert client_for(second_caseworker).get(DASHBOARD, {"done": "nonsense"}).status_code == 200


def test_senior_staff_see_whose_follow_up_it_is(caseworker, as_caseworker, senior):
    follow_up(caseworker, make_case(caseworker, first_name="Ottoline", last_name="Brackenfield"))
    caseworker.last_name = "O'Neill"  # a name the page escapes
    caseworker.save(update_fields=["last_name"])
    mine = f"{escape(caseworker.display_name)}'s"  # the "'s" is the page's own text
    assert mine in client_for(senior).get(DASHBOARD).content.decode()
    assert mine not in as_caseworker.get(DASHBOARD).content.decode()


def test_the_list_says_when_it_shows_only_the_first_20(caseworker, as_caseworker):
    case = make_case(caseworker)
    for day in range(21):
        follow_up(caseworker, case, days=day % 7)
    page = as_caseworker.get(DASHBOARD).content.decode()
    assert "Showing the first 20 of 21 follow-ups due, the most urgent first." in page
    assert page.count("Mark done<span") == 20


def test_beyond_its_bound_the_list_says_more_than(caseworker, as_caseworker, monkeypatch):
    from cases import views

    monkeypatch.setattr(views, "FOLLOW_UPS_COUNTED", 22)
    case = make_case(caseworker)
    for day in range(24):
        follow_up(caseworker, case, days=day % 7)
    page = as_caseworker.get(DASHBOARD).content.decode()
    assert "Showing the first 20 of more than 22 follow-ups due, the most urgent first." in page
    monkeypatch.setattr(views, "FOLLOW_UPS_COUNTED", 24)
    page = as_caseworker.get(DASHBOARD).content.decode()
    assert "Showing the first 20 of 24 follow-ups due, the most urgent first." in page
