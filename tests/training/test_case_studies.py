"""Making a training case study from a case, checking it, approving it and reading it (R14)."""

from urllib.parse import urlencode

import pytest
from auditlog import get_logentry_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseEvent, Contact
from consent import services as consent_services
from pps.models import Role
from tests.conftest import client_for
from tests.factories import UserFactory, contact_details
from training import services
from training.models import CaseStudy, CaseStudyEvent

ENTRY = get_logentry_model()


def household_values(case, staff=()):
    parent = case.parent
    values = [
        parent.first_name,
        parent.last_name,
        parent.phone,
        parent.email,
        parent.postcode,
        case.reference,
    ]
    values += [part for part in parent.address.splitlines()]
    values += [parent.last_name.split("-")[0], "07700900456", "Foxglove Close", "Cranbrook", "TN17"]
    for child in parent.children.all():
        values += [child.first_name, child.school, child.school.split()[0]]
    for member in staff:
        values += [member.first_name, member.last_name]
    return values


def test_a_senior_manager_makes_a_draft_from_the_case_page(senior, family_case):
    page = client_for(senior).get(reverse("cases:case_detail", args=[family_case.pk])).content.decode()
    assert "Make a training case study" in page
    response = client_for(senior).post(reverse("training:study_make", args=[family_case.pk]))
    study = CaseStudy.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("training:study_edit", args=[study.pk])
    assert study.status == CaseStudy.Status.DRAFT and study.made_by == senior
    assert study.events.get().kind == CaseStudyEvent.Kind.MADE


def test_the_draft_holds_none_of_the_household_values(senior, caseworker, family_case, draft):
    content = draft.content.lower()
    for value in household_values(family_case, staff=[senior, caseworker]):
        assert value.lower() not in content, value
    study = draft.study
    assert "Parent A" in study["family"] and "Child 1" in study["family"] and "School X" in study["family"]
    notes = next(entry["text"] for entry in study["entries"] if entry["text"])
    assert notes.startswith("Parent A (Parent A) rang from [phone number removed] about Child 1’s plan.")
    assert "[email removed]" in notes and "[postcode removed]" in notes and "[reference removed]" in notes
    assert "Caseworker 1 to call School X back" in notes
    assert "Manager 1 agreed" in notes


def test_it_keeps_no_link_to_the_case_and_leaves_the_case_untouched(senior, family_case):
    before = (family_case.summary, family_case.status, Contact.objects.count(), CaseEvent.objects.count())
    study = services.make_case_study(by=senior, case=family_case)
    case = Case.objects.get(pk=family_case.pk)
    assert (case.summary, case.status, Contact.objects.count(), CaseEvent.objects.count()) == before
    fields = {field.name for field in CaseStudy._meta.get_fields()}
    assert not fields & {"case", "parent", "child", "reference", "household"}
    assert str(family_case.pk) not in study.content and family_case.reference not in study.content
    assert str(family_case.parent.pk) not in study.content


def test_the_content_is_stored_encrypted_under_its_own_key(draft):
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM training_casestudy")
        (stored,) = cursor.fetchone()
    assert "Parent A" not in stored and draft.title not in stored
    assert draft.data_key


def test_ages_are_bands_and_dates_are_weeks_of_the_case(draft):
    study = draft.study
    assert "aged 5 to 10 when the case opened" in study["family"]  # the factory's child is 8
    assert [entry["week"] for entry in study["entries"]] == [1, 1]
    assert "Case opened" in [entry["heading"] for entry in study["entries"]]


@pytest.mark.parametrize(
    "persona", ["caseworker", "second_caseworker", "volunteer", "head", "non_lead_senior"]
)
def test_a_draft_is_read_only_by_its_maker(request, draft, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("training:study_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("training:study_edit", args=[draft.pk])).status_code == 404
    assert draft.title not in client.get(reverse("training:study_list")).content.decode()


@pytest.mark.parametrize("persona", ["caseworker", "volunteer"])
def test_staff_cannot_read_it_while_it_waits_for_approval(request, submitted, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("training:study_detail", args=[submitted.pk])).status_code == 404
    assert submitted.title not in client.get(reverse("training:study_list")).content.decode()


def test_a_second_senior_person_sees_it_waiting_and_approves_it(head, submitted):
    client = client_for(head)
    listing = client.get(reverse("training:study_list")).content.decode()
    assert "Waiting for approval" in listing and submitted.title in listing
    page = client.get(reverse("training:study_detail", args=[submitted.pk])).content.decode()
    assert "Approve for training" in page and 'class="app-check"' in page
    response = client.post(reverse("training:study_approve", args=[submitted.pk]), {"checked": "on"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStudy.Status.APPROVED and submitted.approved_by == head


def test_approving_needs_the_confirmation_ticked(head, submitted):
    response = client_for(head).post(reverse("training:study_approve", args=[submitted.pk]), {})
    assert response.status_code == 200
    assert "Confirm that you have read it all" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == CaseStudy.Status.SUBMITTED


def test_the_maker_cannot_approve_their_own_case_study(senior, submitted):
    response = client_for(senior).post(
        reverse("training:study_approve", args=[submitted.pk]), {"checked": "on"}
    )
    assert response.status_code == 404
    with pytest.raises(services.CaseStudyError, match="second senior person"):
        services.approve_case_study(by=senior, study=submitted, checked=True)
    submitted.refresh_from_db()
    assert submitted.status == CaseStudy.Status.SUBMITTED


def test_a_caseworker_cannot_approve_or_make_one(caseworker, submitted, family_case):
    client = client_for(caseworker)
    assert (
        client.post(reverse("training:study_approve", args=[submitted.pk]), {"checked": "on"}).status_code
        == 404
    )
    assert client.post(reverse("training:study_make", args=[family_case.pk])).status_code == 404
    with pytest.raises(services.CaseStudyError):
        services.approve_case_study(by=caseworker, study=submitted, checked=True)
    with pytest.raises(services.CaseStudyError):
        services.make_case_study(by=caseworker, case=family_case)


def test_a_draft_cannot_be_approved_before_it_is_submitted(head, draft):
    with pytest.raises(services.CaseStudyError, match="waiting for approval"):
        services.approve_case_study(by=head, study=draft, checked=True)


@pytest.mark.parametrize("persona", ["caseworker", "second_caseworker", "volunteer", "non_lead_senior"])
def test_once_approved_the_services_staff_read_it_under_training(request, approved, persona):
    client = client_for(request.getfixturevalue(persona))
    listing = client.get(reverse("training:study_list")).content.decode()
    assert approved.title in listing
    page = client.get(reverse("training:study_detail", args=[approved.pk])).content.decode()
    assert "Parent A" in page and "Child 1" in page
    assert 'class="app-check"' not in page  # readers see the text, not the highlights


def test_the_menu_shows_training_to_casework_staff(caseworker):
    page = client_for(caseworker).get(reverse("cases:dashboard")).content.decode()
    assert reverse("training:study_list") in page


@pytest.mark.parametrize("persona", ["outsider", "coordinator", "maintainer"])
def test_outsiders_coordinators_and_maintainers_get_404_even_once_approved(request, approved, persona):
    user = request.getfixturevalue(persona)
    user.is_superuser = persona == "maintainer"
    user.save()
    client = client_for(user)
    assert client.get(reverse("training:study_detail", args=[approved.pk])).status_code == 404
    listing = client.get(reverse("training:study_list"))
    if persona == "outsider":  # their own service's Training, without this one
        assert approved.title not in listing.content.decode()
    else:
        assert listing.status_code == 404


def test_a_senior_of_another_service_gets_404(approved, other_service):
    other = UserFactory(service=other_service, role=Role.HEAD_OF_SERVICE, username="other.head")
    assert client_for(other).get(reverse("training:study_detail", args=[approved.pk])).status_code == 404


def test_the_maker_edits_the_draft_and_the_edit_is_recorded(senior, draft):
    parts = services.editable_parts(draft)
    parts["entry_0"] = "Parent A rang about the plan."
    parts["discussion"] = "What would you have said?"
    response = client_for(senior).post(reverse("training:study_edit", args=[draft.pk]), parts)
    assert response.status_code == 302
    draft = CaseStudy.objects.get(pk=draft.pk)
    assert draft.study["entries"][0]["text"] == "Parent A rang about the plan."
    assert draft.study["discussion"] == "What would you have said?"
    assert draft.events.filter(kind=CaseStudyEvent.Kind.EDITED, by=senior).exists()
    update = ENTRY.objects.filter(action=ENTRY.Action.UPDATE, object_pk=str(draft.pk)).latest("timestamp")
    assert update.actor == senior
    assert "rang about the plan" not in str(update.changes)


def test_a_title_that_is_too_long_or_missing_is_refused_with_a_message(senior, draft):
    parts = services.editable_parts(draft) | {"title": "x" * 300}
    response = client_for(senior).post(reverse("training:study_edit", args=[draft.pk]), parts)
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.content.decode()
    parts["title"] = ""
    response = client_for(senior).post(reverse("training:study_edit", args=[draft.pk]), parts)
    assert "Enter a title" in response.content.decode()


def test_submitting_needs_the_check_confirmed_and_saves_last_edits(senior, draft):
    client = client_for(senior)
    parts = services.editable_parts(draft) | {"title": "Refused assessment"}
    response = client.post(reverse("training:study_submit", args=[draft.pk]), parts)
    assert response.status_code == 200
    assert "Confirm that you have checked every highlighted word" in response.content.decode()
    response = client.post(reverse("training:study_submit", args=[draft.pk]), parts | {"checked": "on"})
    assert response.status_code == 302
    draft = CaseStudy.objects.get(pk=draft.pk)
    assert draft.status == CaseStudy.Status.SUBMITTED and draft.title == "Refused assessment"
    assert client.get(reverse("training:study_edit", args=[draft.pk])).status_code == 404


def test_a_second_senior_can_send_it_back_with_a_note(senior, head, submitted):
    response = client_for(head).post(
        reverse("training:study_send_back", args=[submitted.pk]), {"note": "Week 4 names the tribunal judge."}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStudy.Status.DRAFT
    page = client_for(senior).get(reverse("training:study_edit", args=[submitted.pk])).content.decode()
    assert "Week 4 names the tribunal judge." in page


def test_sending_back_needs_a_note(head, submitted):
    response = client_for(head).post(reverse("training:study_send_back", args=[submitted.pk]), {"note": ""})
    assert response.status_code == 200
    assert "Enter what needs changing" in response.content.decode()


def test_every_read_is_recorded_once_per_request(caseworker, approved):
    client = client_for(caseworker)
    client.get(reverse("training:study_detail", args=[approved.pk]))
    reads = ENTRY.objects.filter(action=ENTRY.Action.ACCESS, actor=caseworker, object_pk=str(approved.pk))
    assert reads.count() == 1
    client.get(reverse("training:study_list"))
    assert reads.count() == 2
    assert reads.latest("timestamp").additional_data == {"how": "training list"}


def test_making_editing_and_approving_are_in_the_audit_log(senior, head, family_case):
    client_for(senior).post(reverse("training:study_make", args=[family_case.pk]))
    study = CaseStudy.objects.get()
    case_reads = ENTRY.objects.filter(action=ENTRY.Action.ACCESS, actor=senior, object_pk=str(family_case.pk))
    assert case_reads.get().additional_data == {"how": "make training case study"}
    assert ENTRY.objects.filter(action=ENTRY.Action.CREATE, object_pk=str(study.pk), actor=senior).exists()
    services.submit_case_study(by=senior, study=study, checked=True)
    client_for(head).post(reverse("training:study_approve", args=[study.pk]), {"checked": "on"})
    approval = ENTRY.objects.filter(action=ENTRY.Action.UPDATE, object_pk=str(study.pk), actor=head).get()
    assert "status" in approval.changes
    for entry in ENTRY.objects.filter(object_pk=str(study.pk)):
        assert "Parent A" not in str(entry.changes) and "Parent A" not in entry.object_repr


def test_the_list_page_costs_the_same_few_queries_however_many_studies(
    senior, head, family_case, caseworker, django_assert_max_num_queries
):
    for _ in range(5):
        study = services.make_case_study(by=senior, case=family_case)
        services.submit_case_study(by=senior, study=study, checked=True)
        services.approve_case_study(by=head, study=study, checked=True)
    client = client_for(caseworker)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("training:study_list")).status_code == 200


def test_the_case_page_offers_a_case_study_to_senior_staff_only(caseworker, head, family_case):
    url = reverse("cases:case_detail", args=[family_case.pk])
    assert "Make a training case study" not in client_for(caseworker).get(url).content.decode()
    assert "Make a training case study" in client_for(head).get(url).content.decode()


def test_the_maker_sees_why_it_was_sent_back_in_the_history(senior, head, submitted):
    services.send_back_case_study(by=head, study=submitted, note="Take out the judge's name.")
    services.submit_case_study(by=senior, study=submitted, checked=True)
    page = client_for(head).get(reverse("training:study_detail", args=[submitted.pk])).content.decode()
    assert "Sent back for changes" in page and "Take out the judge&#x27;s name." in page
    assert [event.kind for event in submitted.events.all()] == ["made", "submitted", "returned", "submitted"]


def test_other_people_and_organisations_recorded_about_the_household_are_taken_out(
    caseworker, senior, family_case
):
    consent_services.record_other_parent_request(
        by=caseworker,
        case=family_case,
        requester="Desmond Reid",
        how="phone",
        received_at=timezone.now(),
        asked_for="Everything about Kai",
    )
    consent_services.record_consent(
        by=caseworker,
        case=family_case,
        method="oral_phone",
        parent_was_told="We would talk to the charity.",
        recipients=["other"],
        named_organisation="Weald Autism Parents Network",
    )
    case_services.log_case_contact(
        by=caseworker,
        case=family_case,
        details=contact_details(family_case.service),
        notes="Desmond Reid rang again. Suggested the Weald Autism Parents Network.",
    )
    study = services.make_case_study(by=senior, case=family_case)
    assert "Desmond" not in study.content and "Weald" not in study.content
    assert "Parent B rang again. Suggested the [organisation removed]." in study.content


def test_a_senior_withdraws_an_approved_case_study_and_its_text_is_destroyed(
    non_lead_senior, caseworker, approved
):
    client = client_for(non_lead_senior)
    page = client.get(reverse("training:study_detail", args=[approved.pk])).content.decode()
    assert "Withdraw this case study" in page
    response = client.post(reverse("training:study_withdraw", args=[approved.pk]))
    assert response.status_code == 302
    study = CaseStudy.objects.get(pk=approved.pk)
    assert study.status == CaseStudy.Status.WITHDRAWN
    assert study.data_key == "" and study.household_key() is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM training_casestudy")
        (stored,) = cursor.fetchone()
    assert stored == ""
    assert client_for(caseworker).get(reverse("training:study_detail", args=[approved.pk])).status_code == 404
    assert study.events.last().kind == CaseStudyEvent.Kind.WITHDRAWN


def test_only_its_maker_discards_a_draft_and_caseworkers_withdraw_nothing(
    senior, head, caseworker, family_case, approved
):
    draft = services.make_case_study(by=senior, case=family_case)
    assert client_for(head).post(reverse("training:study_withdraw", args=[draft.pk])).status_code == 404
    assert (
        client_for(caseworker).post(reverse("training:study_withdraw", args=[approved.pk])).status_code == 404
    )
    response = client_for(senior).post(reverse("training:study_withdraw", args=[draft.pk]), follow=True)
    assert "Draft discarded." in response.content.decode()
    assert CaseStudy.objects.get(pk=draft.pk).status == CaseStudy.Status.WITHDRAWN


@pytest.mark.parametrize(
    "value", ["\x00", "x" * 100_000, "<script>alert(1)</script>", "{{7*7}}", "\u202eevil"]
)
def test_bad_input_in_an_edit_is_never_a_server_error(senior, draft, value):
    parts = services.editable_parts(draft) | {"discussion": value, "entry_0": value}
    response = client_for(senior).post(reverse("training:study_edit", args=[draft.pk]), parts)
    assert response.status_code in (200, 302)
    page = client_for(senior).get(reverse("training:study_edit", args=[draft.pk])).content.decode()
    assert "<script>alert" not in page


def test_a_lone_surrogate_as_a_browser_would_send_it_is_never_a_server_error(senior, draft):
    body = urlencode(services.editable_parts(draft)) + "&discussion=%ED%A0%80"
    response = client_for(senior).post(
        reverse("training:study_edit", args=[draft.pk]),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 302)
