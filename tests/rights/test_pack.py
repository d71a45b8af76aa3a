"""The pack: everything held about the requester, nothing of anyone else; redactions and
withheld child-protection files never reach the PDF (R5, R6, R11)."""

import pytest

from cases import services as case_services
from consent import services as consent_services
from consent.models import SubjectAccessRequest
from pps.models import Role
from rights import pack, services
from rights.models import AccessPack
from tests.factories import UserFactory, make_case
from tests.rights.helpers import fill_household, parent_request, pdf_text, raise_concern, ready_to_assemble


@pytest.fixture
def household(caseworker, case):
    return fill_household(caseworker, case, marker="OURS")


def _pdf(head, senior, sar, concerns=()):
    sar = ready_to_assemble(head, senior, sar, concerns)
    sar = services.assemble(by=head, sar=sar)
    services.approve(by=head, sar=sar)
    sar = SubjectAccessRequest.objects.get(pk=sar.pk)  # refresh_from_db skips encrypted fields
    return sar, pdf_text(services.pack_pdf(sar))


def test_the_pack_holds_every_kind_of_record_of_the_household(caseworker, head, senior, household):
    sar = parent_request(caseworker, household)
    sar, text = _pdf(head, senior, sar)
    for expected in (
        "Sarah Jones",
        "07700 900123",
        household.parent.children.first().first_name,
        "Example Primary School",
        household.reference,
        "Help with an EHC needs assessment request",
        "OURS-NOTE",
        "OURS-TOLD",
        "OURS-SHARED",
        "permission form and statement given or sent",
        "OURS-CLOSED",
    ):
        assert expected in text, expected
    assert sar.reference in text and "Contents" in text
    assert sar.page_count == AccessPack.objects.get(request=sar).page_count > 2


def test_nothing_of_a_household_with_the_same_surname_enters(caseworker, head, senior, household):
    other = make_case(caseworker, first_name="Peter", last_name="Jones", phone="07700 900999")
    fill_household(caseworker, other, marker="THEIRS")
    sar = parent_request(caseworker, household)
    _, text = _pdf(head, senior, sar)
    assert "OURS-NOTE" in text
    assert "THEIRS" not in text and "Peter Jones" not in text and other.reference not in text
    assert "900999" not in text


def test_separated_parents_each_get_only_their_own_case(caseworker, head, senior, household, service):
    other_worker = UserFactory(username="olly", role=Role.CASEWORKER, service=service)
    marks = make_case(other_worker, first_name="Mark", last_name="Jones", phone="07700 900555")
    fill_household(other_worker, marks, marker="MARKS")
    case_services.link_separated_parents(by=senior, case=household, other=marks)

    sarahs = parent_request(caseworker, household)
    _, text = _pdf(head, senior, sarahs)
    assert "OURS-NOTE" in text and "MARKS" not in text and "Mark Jones" not in text and "900555" not in text

    # Mark asks the caseworker on Sarah's case: the pack comes from his own case, never hers.
    marks_request = consent_services.record_other_parent_request(
        by=caseworker,
        case=household,
        requester="Mark Jones",
        how="phone",
        received_at=sarahs.received_at,
        asked_for="Everything",
    )
    assert pack.pack_case(marks_request) == marks
    _, text = _pdf(head, senior, marks_request)
    assert "MARKS-NOTE" in text and "Mark Jones" in text
    assert "OURS" not in text and "Sarah Jones" not in text and household.reference not in text
    assert "900123" not in text


def test_another_parent_the_service_does_not_support_gets_a_pack_saying_so(
    caseworker, head, senior, household
):
    sar = consent_services.record_other_parent_request(
        by=caseworker,
        case=household,
        requester="Mark Jones",
        how="phone",
        received_at=household.opened_at,
        asked_for="Everything",
    )
    _, text = _pdf(head, senior, sar)
    assert "We hold no record about you" in text
    assert "OURS" not in text and "Sarah Jones" not in text and "900123" not in text


def test_redacted_passages_never_reach_the_pdf(caseworker, head, senior, household):
    sar = parent_request(caseworker, household)
    sar = ready_to_assemble(head, senior, sar)
    sar = services.assemble(by=head, sar=sar)
    sections = pack.gather(head, sar)
    contact_key = next(key for key in pack.entry_keys(sections) if key.startswith("contact:"))
    redaction = services.mark_redaction(
        by=head,
        sar=sar,
        sections=sections,
        item=contact_key,
        passage="Mrs Teacher-OURS",
        reason="school_staff",
        explanation="Names a teacher",
    )
    services.approve(by=head, sar=sar)
    text = pdf_text(services.pack_pdf(sar))
    assert "Teacher-OURS" not in text
    assert f"[{redaction.reference}]" in text and "\u2588" in text
    assert "OURS-NOTE Spoke to" in text  # the rest of the note is there
    redaction = type(redaction).objects.get(pk=redaction.pk)
    assert redaction.passage == "Mrs Teacher-OURS"  # the record keeps what was redacted
    assert "Teacher-OURS" not in str(
        type(redaction).objects.values("passage", "explanation").get()
    )  # encrypted


def test_a_passage_not_in_that_part_of_the_pack_is_refused(caseworker, head, senior, household):
    sar = services.assemble(
        by=head, sar=ready_to_assemble(head, senior, parent_request(caseworker, household))
    )
    sections = pack.gather(head, sar)
    with pytest.raises(services.WorkbenchError, match="not in that part"):
        services.mark_redaction(
            by=head,
            sar=sar,
            sections=sections,
            item=f"parent:{household.parent_id}",
            passage="Mrs Teacher-OURS",
            reason="school_staff",
        )


def test_withheld_child_protection_files_never_appear_and_disclosed_ones_do(
    caseworker, head, senior, household
):
    withheld = raise_concern(caseworker, household, "WITHHELD-CONCERN the uncle shouts")
    disclosed = raise_concern(caseworker, household, "DISCLOSED-CONCERN missed appointments")
    sar = parent_request(caseworker, household)
    sar, text = _pdf(head, senior, sar, [(withheld, "withhold", "serious_harm"), (disclosed, "disclose", "")])
    assert "WITHHELD-CONCERN" not in text and "uncle" not in text
    assert "DISCLOSED-CONCERN" in text and "Child-protection records" in text
    assert "withheld (Likely to cause serious harm" in sar.withheld


def test_the_pack_is_stored_encrypted_and_destroyed_with_the_household(caseworker, head, senior, household):
    sar = parent_request(caseworker, household)
    _pdf(head, senior, sar)
    raw = AccessPack.objects.values_list("pdf", flat=True).get()
    assert raw.startswith("v") or "JVBERi" not in raw  # not the base64 of "%PDF"
    case_services.destroy_household(by=senior, parent=household.parent)
    stored = AccessPack.objects.get()
    from pps.encryption import HouseholdDestroyed

    with pytest.raises(HouseholdDestroyed):
        stored.pdf  # noqa: B018
    assert not SubjectAccessRequest.objects.exclude(case__status="destroyed").exists()


def test_a_young_persons_pack_holds_their_own_record_not_their_parents_details(
    caseworker, head, senior, household
):
    child = household.parent.children.get()
    sar = parent_request(caseworker, household, kind="young_person", child=child)
    sar, text = _pdf(head, senior, sar)
    assert f"Dear {child.full_name}" in text and "Example Primary School" in text and "OURS-NOTE" in text
    assert "07700 900123" not in text and "parent" + "1@example.org" not in text


def test_nothing_personal_reaches_the_audit_log_of_the_new_records(caseworker, head, senior, household):
    from auditlog import get_logentry_model

    concern = raise_concern(caseworker, household, "CANARY-CP")
    sar = parent_request(caseworker, household)
    sar = services.assemble(
        by=head, sar=ready_to_assemble(head, senior, sar, [(concern, "withhold", "crime")])
    )
    sections = pack.gather(head, sar)
    services.mark_redaction(
        by=head,
        sar=sar,
        sections=sections,
        item=next(k for k in pack.entry_keys(sections) if "contact" in k),
        passage="Mrs Teacher-OURS",
        reason="school_staff",
        explanation="CANARY-WHY",
    )
    services.approve(by=head, sar=sar)
    entries = get_logentry_model().objects.filter(content_type__app_label__in=["rights", "consent"])
    dumped = str(list(entries.values("changes", "object_repr", "serialized_data")))
    assert entries.filter(content_type__model="redaction", action=0).exists()
    assert entries.filter(content_type__model="accesspack", action=0).exists()
    assert entries.filter(content_type__model="childprotectiondecision", action=0).exists()
    for canary in ("Teacher-OURS", "CANARY-WHY", "CANARY-CP", "Sarah Jones", "JVBERi", "Passport seen"):
        assert canary not in dumped, canary
