"""A subject access pack holds the household's documents: listed with the case, and their files
attached to the pack's PDF."""

import io

from pypdf import PdfReader

from consent.models import SubjectAccessRequest
from rights import services
from tests.documents.helpers import PDF, TEXT, attach
from tests.rights.helpers import parent_request, pdf_text, ready_to_assemble


def test_the_pack_lists_the_documents_and_attaches_their_files(caseworker, head, senior, case):
    attach(caseworker, case, "plan.pdf", PDF, kind="ehc_plan", title="Varnsworth plan")
    attach(caseworker, case, "review.txt", TEXT, kind="school_report", title="Varnsworth review")
    sar = ready_to_assemble(head, senior, parent_request(caseworker, case))
    sar = services.assemble(by=head, sar=sar)
    services.approve(by=head, sar=sar)
    pdf = services.pack_pdf(SubjectAccessRequest.objects.get(pk=sar.pk))
    text = pdf_text(pdf)
    assert "ehc plan, Varnsworth plan" in text and "school report, Varnsworth review" in text
    assert "attached to this PDF as a file" in text
    attachments = PdfReader(io.BytesIO(pdf)).attachments
    assert attachments == {"plan.pdf": [PDF], "review.txt": [TEXT]}
