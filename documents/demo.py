"""Demo documents: the seeded letter templates for each demo service, and a few documents (an
EHC plan, a school report, a letter sent) on the first open cases of each, stored encrypted as
any attached file is. Called from the demo loader (``demo.data``)."""

from django.utils import timezone

from documents.letters import as_pdf, seed_templates, values_for
from documents.models import Document
from documents.services import storage, store_document

CASES_PER_SERVICE = 3


def _report(case) -> bytes:
    child = case.parent.children.first()
    name = child.first_name if child else "The pupil"
    return (
        f"End of year report\n\n{name} has settled well this term and enjoys reading with an adult.\n"
        "Next steps: continue the small-group phonics sessions and review the support plan in spring.\n"
    ).encode()


def load(services, *, now=None) -> int:
    """Seed each service's letter templates and attach a few documents; returns how many."""
    today = timezone.localdate(now) if now else timezone.localdate()
    made = 0
    for service in services:
        seed_templates(service)
        cases = service.cases.filter(status="open").select_related("parent", "service", "opened_by")
        for case in cases.order_by("opened_at")[:CASES_PER_SERVICE]:
            by = case.opened_by
            values = values_for(case=case, by=by)
            plan = as_pdf(
                f"Education, Health and Care plan\n\nFor {values['child_name']}.\n\n"
                "Section B: special educational needs. Section F: special educational provision.",
                values,
            )
            letter = as_pdf(f"Dear {values['parent_name']}\n\nThank you for meeting us today.", values)
            for kind, title, name, data, content_type, days in (
                (Document.Kind.EHC_PLAN, "Final EHC plan", "ehc-plan.pdf", plan, "application/pdf", 60),
                (
                    Document.Kind.SCHOOL_REPORT,
                    "Summer term report",
                    "report.txt",
                    _report(case),
                    "text/plain",
                    30,
                ),
                (
                    Document.Kind.LETTER_SENT,
                    "Meeting confirmation",
                    "meeting-confirmation.pdf",
                    letter,
                    "application/pdf",
                    7,
                ),
            ):
                store_document(
                    by=by,
                    case=case,
                    kind=kind,
                    dated=today - timezone.timedelta(days=days),
                    title=title,
                    name=name,
                    data=data,
                    content_type=content_type,
                )
                made += 1
    return made


def delete(services) -> None:
    """Delete the demo services' documents and their stored files (templates go with the service)."""
    documents = Document.objects.filter(case__service__in=services)
    for name in documents.values_list("stored_name", flat=True):
        storage().delete(name)
    documents.delete()
