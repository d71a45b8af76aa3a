"""PDFs of the data-rights workbench, drawn with fpdf2 (pure Python, from PyPI alone).

Every page carries the request's reference and "Page n of N". Text is drawn in DejaVu Sans
(vendored in ``pps/fonts`` under its free licence), so that any name, in any alphabet, prints
as typed; the black bars of redactions are its full-block glyph.
"""

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from pps.pdf_fonts import FONT, FONTS
from rights.pack import redacted_text


class _Document(FPDF):
    def __init__(self, reference: str, service_name: str):
        super().__init__(format="A4")
        self.reference = reference
        self.service_name = service_name
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=22)
        self.set_title(f"{service_name}: {reference}")
        self.set_creator(service_name)
        self.alias_nb_pages()

    def header(self):
        self.set_font(FONT, "", 8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 5, f"{self.service_name} · Reference {self.reference} · Confidential", align="R")
        self.ln(10)
        self.set_text_color(0, 0, 0)

    def footer(self):
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 5, f"Reference {self.reference}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: int = 16, *, section: bool = False):
        if section:
            self.start_section(text)
        self.set_x(self.l_margin)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def paragraph(self, text: str, size: int = 10):
        self.set_font(FONT, "", size)
        self.multi_cell(0, 5.2, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.ln(2)

    def labelled(self, label: str, text: str):
        self.set_font(FONT, "B", 9)
        self.multi_cell(0, 4.6, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 10)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.ln(1.5)


def _contents(pdf: _Document, outline) -> None:
    pdf.heading("Contents", 16)
    pdf.set_font(FONT, "", 10)
    for section in outline:
        pdf.cell(150, 7, section.name, new_x=XPos.RIGHT)
        pdf.cell(0, 7, str(section.page_number), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _day(moment) -> str:
    moment = timezone.localdate(moment) if hasattr(moment, "hour") else moment
    return f"{moment.day} {moment:%B %Y}"


def subject_access_pack(sar, sections, *, letter: dict, files=()) -> tuple[bytes, int]:
    """The pack's PDF and its page count: cover letter, contents, then each section with
    redactions as black bars.

    ``letter`` holds ``to`` (the requester's name), ``signed_by`` and ``extra`` (paragraphs).
    ``files``: ``(name, bytes)`` of the documents kept on the cases, attached to the PDF.
    """
    service = sar.service
    pdf = _Document(sar.reference, service.name)
    pdf.add_page()
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 6, service.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    if service.phone:
        pdf.multi_cell(0, 5, f"Telephone {service.phone}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.paragraph(_day(timezone.now()))
    pdf.paragraph(f"Our reference: {sar.reference}")
    pdf.paragraph(f"Dear {letter['to']},")
    pdf.heading("Your request for a copy of the information we hold about you", 12)
    pdf.paragraph(
        f"You asked us on {_day(sar.received_at)} for a copy of the information we hold about you. "
        "This pack is our answer. It holds everything our records hold about you: your record, "
        "your children's records where you asked as their parent, and each case with its contacts, "
        "notes, consents and the information we shared with others, with whom and when."
    )
    pdf.paragraph(
        "Where our records name or describe other people (for example school staff, relatives or "
        "other professionals), those passages are blacked out and marked with a reference such as "
        "[R1], because the law protects their information too."
    )
    if files:
        pdf.paragraph(
            "The documents and letters we keep on your case are attached to this PDF as files: "
            "open the attachments panel of your PDF reader to see them."
        )
    for paragraph in letter.get("extra", []):
        pdf.paragraph(paragraph)
    pdf.paragraph(
        "If you are unhappy with this answer, please contact us first. You may also complain to the "
        "Information Commissioner's Office (ico.org.uk, 0303 123 1113)."
    )
    pdf.paragraph("Yours sincerely,")
    pdf.paragraph(f"{letter['signed_by']}\nHead of service, {service.name}")
    _contents_then_sections(pdf, sections)
    if not sections:
        pdf.heading("What we hold about you", 14, section=True)
        pdf.paragraph("We hold no record about you as a parent or young person we support.")
    for name, data in files:
        pdf.embed_file(bytes=data, basename=name)
    document = bytes(pdf.output())
    return document, pdf.pages_count


def _contents_then_sections(pdf: _Document, sections) -> None:
    """A contents page of its own, then each section from a new page."""
    pdf.add_page()
    # The contents are drawn at the end, here; the placeholder moves on to a fresh page.
    pdf.insert_toc_placeholder(_contents, pages=1, allow_extra_pages=True, reset_page_indices=False)
    for index, section in enumerate(sections):
        if index:
            pdf.add_page()
        pdf.heading(section.title, 14, section=True)
        for entry in section.entries:
            pdf.set_font(FONT, "B", 11)
            pdf.multi_cell(0, 6, entry.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1)
            for line in entry.lines:
                pdf.labelled(line.label, redacted_text(line))
            pdf.ln(3)


def legal_extract(legal, sections, *, signed_by: str) -> tuple[bytes, int]:
    """The extract for a legal or local-authority request, and its page count: a covering letter
    to the officer (copied to the parent), contents, then the parts chosen."""
    service = legal.service
    document = _Document(legal.reference, service.name)
    document.add_page()
    document.set_font(FONT, "B", 12)
    document.multi_cell(0, 6, service.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.ln(6)
    document.paragraph(_day(timezone.now()))
    document.paragraph(f"Our reference: {legal.reference}")
    if legal.their_reference:
        document.paragraph(f"Your reference: {legal.their_reference}")
    document.paragraph(f"To {legal.officer}, {legal.role}, {legal.organisation}")
    document.paragraph("Copy to the parent")
    document.heading("Extract from our records", 12)
    document.paragraph(
        f"You asked on {_day(legal.received_on)} for information from our records for this legal "
        f"reason: {legal.legal_reason}"
    )
    document.paragraph(
        "The parent has given permission for this extract to be shared with you, and receives a "
        "copy of it. It holds only the parts of the file listed on the next page. Please keep it "
        "securely and use it only for the purpose stated."
    )
    document.paragraph(f"Yours sincerely,\n\n{signed_by}\n{service.name}")
    _contents_then_sections(document, sections)
    return bytes(document.output()), document.pages_count
