"""Making subject access requests and households full of records for the rights tests."""

import io
from datetime import datetime

from django.utils import timezone
from pypdf import PdfReader

from cases import services as case_services
from consent import services as consent_services
from rights import services
from safeguarding import services as safeguarding_services
from tests.factories import contact_details


def aware(day, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def fill_household(caseworker, case, *, marker: str):
    """Give ``case`` one of every kind of record, each holding ``marker`` where it holds text."""
    case_services.log_case_contact(
        by=caseworker,
        case=case,
        details=contact_details(case.service),
        notes=f"{marker}-NOTE Spoke to Mrs Teacher-{marker} at the school about the plan.",
    )
    consent = consent_services.record_consent(
        by=caseworker,
        case=case,
        method="oral_phone",
        parent_was_told=f"{marker}-TOLD We will share with the school.",
        recipients=["school"],
        given_at=timezone.now() - timezone.timedelta(days=1),
    )
    consent_services.record_disclosure(
        by=caseworker,
        case=case,
        what=f"{marker}-SHARED the draft EHC plan",
        recipient="school",
        organisation="",
        when=timezone.now() - timezone.timedelta(hours=1),
        how="email",
        basis="consent",
        consent=consent,
    )
    consent_services.record_statement_sent(by=caseworker, case=case, how="email")
    case_services.close_case(by=caseworker, case=case, reason=f"{marker}-CLOSED work finished")
    return case


def raise_concern(caseworker, case, what: str):
    return safeguarding_services.raise_concern(
        caseworker, case, case.parent.children.first(), what, timezone.now() - timezone.timedelta(hours=2)
    )


def parent_request(by, case, *, received=None, kind="parent", child=None):
    return services.record_request(
        by=by,
        case=case,
        requester_kind=kind,
        child=child,
        how="letter",
        received_at=received or timezone.now(),
        asked_for="Everything you hold about me",
    )


def ready_to_assemble(head, lead, sar, concerns=()):
    """Identity checked and the child-protection review done (``concerns``: (concern, decision,
    exemption) triples)."""
    sar = services.check_identity(
        by=head, sar=sar, seen="Passport seen at the office", confirmed_on=timezone.localdate()
    )
    for concern, decision, exemption in concerns:
        services.decide_child_protection_file(
            by=lead, sar=sar, concern=concern, decision=decision, exemption=exemption
        )
    return services.complete_child_protection_review(by=lead, sar=sar, concerns=[c for c, _, _ in concerns])


def pdf_text(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return "\n".join(page.extract_text() for page in reader.pages)


def answered_request(caseworker, case, concern):
    """A parent's request on ``case`` taken to an approved pack, with ``concern`` withheld by the
    service's lead and one passage redacted; returns the request and the redaction."""
    from pps.models import Role, User
    from rights import pack

    service = case.service
    head = User.objects.get(service=service, role=Role.HEAD_OF_SERVICE)
    lead = User.objects.filter(service=service, is_safeguarding_lead=True).first()
    sar = ready_to_assemble(
        head, lead, parent_request(caseworker, case), [(concern, "withhold", "serious_harm")]
    )
    sar = services.assemble(by=head, sar=sar)
    sections = pack.gather(head, sar)
    first_words = pack.entry_keys(sections)[f"case:{case.pk}"].lines[0].text.split()[0]
    redaction = services.mark_redaction(
        by=head,
        sar=sar,
        sections=sections,
        item=f"case:{case.pk}",
        passage=first_words,
        reason="other_person",
    )
    services.approve(by=head, sar=sar)
    return sar, redaction


def legal_request_with_extract(caseworker, case):
    """A legal request on ``case`` whose extract (the case part) the head of service made."""
    from pps.models import Role, User

    head = User.objects.get(service=case.service, role=Role.HEAD_OF_SERVICE)
    legal = services.record_legal_request(
        by=caseworker,
        case=case,
        officer="Pat Officer",
        organisation="Council Legal Services",
        role="Solicitor",
        legal_reason="Judicial review",
        their_reference="JR-1",
        asked_for="Notes",
        received_on=timezone.localdate(),
    )
    sections = services.legal_sections(head, legal, how="test")
    return services.make_legal_extract(
        by=head, legal=legal, sections=sections, parts=[f"Case {case.reference}"]
    )
