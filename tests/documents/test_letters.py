"""Letters from the service's templates: filled in from the case, edited, made as PDF or Word,
kept on the case as a letter sent; senior staff edit the templates."""

import io

import pytest
from django.urls import reverse
from docx import Document as WordDocument
from pypdf import PdfReader

from consent.models import StatementSent
from documents import letters, services
from documents.models import Document, LetterTemplate
from tests.conftest import client_for
from tests.factories import make_case


def template_named(service, name):
    return services.templates_for(service).get(name=name)


@pytest.fixture
def detailed_case(caseworker):
    return make_case(caseworker, first_name="Oriel", last_name="Quenby", detailed_message_ok=True)


def test_the_service_starts_with_the_common_letters(service):
    names = set(services.templates_for(service).values_list("name", flat=True))
    assert names == {"Meeting confirmation", "Case closure", "Why we keep information about you"}


def test_placeholders_are_filled_in_as_plain_text_and_nothing_else_is_touched():
    values = {"parent_name": "Oriel {child_name} Quenby", "child_name": "Tamsin"}
    body = "Dear {parent_name}, about {child_name}. {{ request.user }} {0.__class__} {unknown}"
    assert letters.fill(body, values) == (
        "Dear Oriel {child_name} Quenby, about Tamsin. {{ request.user }} {0.__class__} {unknown}"
    )


def test_a_caseworker_makes_a_pdf_letter_filled_in_from_the_case_and_it_is_kept(caseworker, detailed_case):
    case = detailed_case
    child = case.parent.children.get()
    template = template_named(case.service, "Meeting confirmation")
    client = client_for(caseworker)
    page = client.get(reverse("documents:letter_write", args=[case.pk, template.pk])).content.decode()
    assert "Dear Oriel Quenby" in page and child.full_name in page and case.reference in page
    text = f"Dear Oriel Quenby\n\nWe agreed that the school will review {child.first_name}'s support."
    response = client.post(
        reverse("documents:letter_write", args=[case.pk, template.pk]), {"text": text, "format": "pdf"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "will review" in pdf_text and case.service.name in pdf_text
    document = Document.objects.get(case=case)
    assert document.kind == Document.Kind.LETTER_SENT and document.title == "Meeting confirmation"
    assert services.read_document(document) == response.content
    timeline = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Letter sent: <a" in timeline


def test_a_letter_can_be_made_as_a_word_document(caseworker, detailed_case):
    template = template_named(detailed_case.service, "Case closure")
    document, data = services.send_letter(
        by=caseworker,
        case=detailed_case,
        template=template,
        text="Dear Oriel\n\nAll done.",
        file_format="docx",
    )
    words = "\n".join(p.text for p in WordDocument(io.BytesIO(data)).paragraphs)
    assert "All done." in words and document.file_name.endswith(".docx")


def test_the_statement_letter_records_that_the_statement_was_sent(caseworker, detailed_case):
    template = template_named(detailed_case.service, "Why we keep information about you")
    filled = letters.fill(template.body, letters.values_for(case=detailed_case, by=caseworker))
    assert detailed_case.service.why_we_keep_statement in filled
    client_for(caseworker).post(
        reverse("documents:letter_write", args=[detailed_case.pk, template.pk]),
        {"text": filled, "format": "pdf", "how": "email"},
    )
    sent = StatementSent.objects.get(case=detailed_case)
    assert sent.how == "email" and sent.sent_by == caseworker


def test_simple_messages_only_warns_before_the_letter_is_made(caseworker, case):
    assert not case.parent.detailed_message_ok
    template = template_named(case.service, "Case closure")
    client = client_for(caseworker)
    url = reverse("documents:letter_new", args=[case.pk])
    assert "agreed only to simple messages" in client.get(url).content.decode()
    response = client.post(url, {"template": template.pk})
    assert response.status_code == 200
    assert "confirm that you checked a letter is all right" in response.content.decode()
    response = client.post(url, {"template": template.pk, "simple_messages_checked": "on"})
    assert response.status_code == 302 and response.url.endswith("?checked=1")
    with pytest.raises(services.SimpleMessagesOnly):
        services.send_letter(by=caseworker, case=case, template=template, text="Hello", file_format="pdf")
    assert not Document.objects.exists()


def test_senior_staff_edit_a_template_and_unknown_placeholders_are_refused(senior, caseworker, service):
    template = template_named(service, "Case closure")
    url = reverse("documents:letter_template_edit", args=[template.pk])
    assert client_for(caseworker).get(url).status_code == 404
    client = client_for(senior)
    body = "Dear {parent_name}, {parent_secret_password}"
    response = client.post(
        url, {"name": "Case closure", "purpose": "closure", "body": body, "is_active": "on"}
    )
    assert "{parent_secret_password} is not a placeholder" in response.content.decode()
    assert body in response.content.decode()  # what was typed is kept
    response = client.post(
        url,
        {"name": "Case closure", "purpose": "closure", "body": "Goodbye {parent_name}", "is_active": "on"},
    )
    assert response.status_code == 302
    assert LetterTemplate.objects.get(pk=template.pk).body == "Goodbye {parent_name}"


def test_another_services_template_cannot_be_used(caseworker, detailed_case, other_service):
    foreign = services.templates_for(other_service).first()
    url = reverse("documents:letter_write", args=[detailed_case.pk, foreign.pk])
    assert client_for(caseworker).get(url).status_code == 404


def test_senior_staff_add_a_letter_and_caseworkers_never_reach_the_templates(senior, caseworker, service):
    for name in ("documents:letter_templates", "documents:letter_template_new"):
        assert client_for(caseworker).get(reverse(name)).status_code == 404
    client = client_for(senior)
    assert "Meeting confirmation" in client.get(reverse("documents:letter_templates")).content.decode()
    response = client.post(
        reverse("documents:letter_template_new"),
        {
            "name": "Tribunal hearing date",
            "purpose": "other",
            "body": "Dear {parent_name}",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    added = LetterTemplate.objects.get(service=service, name="Tribunal hearing date")
    assert added.updated_by == senior
