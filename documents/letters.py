"""Letters from the service's templates: filling in, the seeded templates, PDF and Word.

A template's text is staff-edited, so it is never rendered as a Django template (nor with
``str.format``, which reaches attributes): ``fill`` replaces each ``{name}`` of ``PLACEHOLDERS``
by its value, as plain text, and leaves anything else as typed.
"""

import io
import re

from django.utils import timezone
from docx import Document as WordDocument
from docx.shared import Pt
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from documents.models import LetterTemplate
from pps.pdf_fonts import FONT, FONTS

PLACEHOLDERS = {
    "parent_name": "the parent's full name",
    "parent_first_name": "the parent's first name",
    "parent_address": "the parent's address and postcode",
    "child_name": "the child's name (several children: joined with “and”)",
    "caseworker_name": "your name",
    "today": "today's date, for example 2 December 2026",
    "service_name": "the service's name",
    "service_phone": "the office's phone number",
    "service_address": "the office's address",
    "case_reference": "the case reference",
    "why_we_keep_statement": "the service's “why we keep information about you” statement",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

DEFAULT_TEMPLATES = [
    (
        "Meeting confirmation",
        "meeting",
        "Dear {parent_name}\n\n"
        "Thank you for meeting us about {child_name}. This letter confirms what we talked about "
        "and what was agreed.\n\n"
        "What we talked about:\n\n\n"
        "What was agreed, and who will do it:\n\n\n"
        "If anything here is not as you remember it, or you have a question, please call us on "
        "{service_phone}, quoting reference {case_reference}.\n\n"
        "Yours sincerely\n\n{caseworker_name}\n{service_name}",
    ),
    (
        "Case closure",
        "closure",
        "Dear {parent_name}\n\n"
        "We are writing to let you know that we have closed your case (reference "
        "{case_reference}) today, {today}.\n\n"
        "We hope our support with {child_name} has helped. If you need us again, please call "
        "{service_phone}: we will be glad to hear from you.\n\n"
        "We keep your information for a limited time after a case closes and then destroy it, "
        "as our confidentiality policy says.\n\n"
        "Yours sincerely\n\n{caseworker_name}\n{service_name}",
    ),
    (
        "Why we keep information about you",
        "statement",
        "Dear {parent_name}\n\n"
        "You asked us to help you, and we have agreed with you that we keep some information "
        "about you and {child_name}. This is why we keep it and what we do with it:\n\n"
        "{why_we_keep_statement}\n\n"
        "If you have any questions, or would like us to stop keeping your information, please "
        "call us on {service_phone}, quoting reference {case_reference}.\n\n"
        "Yours sincerely\n\n{caseworker_name}\n{service_name}",
    ),
]


def seed_templates(service) -> None:
    """Give ``service`` the common letter templates, if it has none yet."""

    if LetterTemplate.objects.filter(service=service).exists():
        return
    LetterTemplate.objects.bulk_create(
        [
            LetterTemplate(service=service, name=name, purpose=purpose, body=body)
            for name, purpose, body in DEFAULT_TEMPLATES
        ]
    )


def day(moment=None) -> str:
    moment = moment or timezone.localdate()
    return f"{moment.day} {moment:%B %Y}"


def values_for(*, case, by) -> dict:
    """The placeholders' values for a letter on ``case`` written by ``by``."""
    parent = case.parent
    children = [child.full_name for child in parent.children.all()]
    child_name = (
        " and ".join([", ".join(children[:-1]), children[-1]]) if len(children) > 1 else "".join(children)
    )
    address = "\n".join(part for part in (parent.address.strip(), parent.postcode.strip()) if part)
    service = case.service
    return {
        "parent_name": parent.full_name,
        "parent_first_name": parent.first_name,
        "parent_address": address,
        "child_name": child_name or "your child",
        "caseworker_name": by.display_name,
        "today": day(),
        "service_name": service.name,
        "service_phone": service.phone,
        "service_address": service.address,
        "case_reference": case.reference,
        "why_we_keep_statement": service.why_we_keep_statement,
    }


def fill(body: str, values: dict) -> str:
    """``body`` with each known ``{placeholder}`` replaced by its value; nothing else changed."""
    return _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), body)


def unknown_placeholders(body: str) -> list:
    return sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def _letter_head(values: dict) -> list:
    return [values["service_name"], *values["service_address"].splitlines(), values["service_phone"]]


def as_pdf(text: str, values: dict) -> bytes:
    """The letter as an A4 PDF: the service's name and address, the parent's, the date, the text."""
    pdf = FPDF(format="A4")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(f"{values['service_name']}: letter")
    pdf.set_creator(values["service_name"])
    pdf.add_page()
    pdf.set_font(FONT, "B", 12)
    head = _letter_head(values)
    pdf.multi_cell(0, 6, head[0], align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(
        0, 5, "\n".join(line for line in head[1:] if line), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(8)
    recipient = "\n".join(line for line in (values["parent_name"], values["parent_address"]) if line)
    pdf.multi_cell(0, 5, recipient, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.multi_cell(0, 5, values["today"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(0, 5.8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def as_word(text: str, values: dict) -> bytes:
    """The letter as a Word document (.docx), laid out as the PDF."""
    document = WordDocument()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    document.core_properties.title = f"{values['service_name']}: letter"
    document.core_properties.author = values["service_name"]
    for line in _letter_head(values):
        if line:
            document.add_paragraph(line).alignment = 2  # right
    document.add_paragraph(
        "\n".join(line for line in (values["parent_name"], values["parent_address"]) if line)
    )
    document.add_paragraph(values["today"])
    for paragraph in text.split("\n\n"):
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
