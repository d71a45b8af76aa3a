"""The demo has letter templates and a few documents on its cases, readable like any other, and
removing the demo removes their stored files."""

from django.core.files.storage import storages

from demo import data as demo
from documents import services
from documents.models import Document, LetterTemplate


def test_the_demo_has_templates_and_documents_and_deleting_it_removes_their_files(db):
    result = demo.load(parents=4, contacts=16)
    documents = list(Document.objects.select_related("case__parent"))
    assert len(documents) == result.counts["documents"] >= 3
    assert {d.kind for d in documents} == {"ehc_plan", "school_report", "letter_out"}
    assert services.read_document(documents[0])
    assert LetterTemplate.objects.filter(service__in=result.services).count() == 3 * len(result.services)
    names = [d.stored_name for d in documents]
    demo.delete()
    assert not Document.objects.exists()
    assert not any(storages["documents"].exists(name) for name in names)
