"""Small files of each kind, made here (no fixture files), and attaching them as a person would."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from documents import services
from tests.dates import boxes

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
TEXT = b"Notes of the annual review: Quillon Fenwright asked about Zephyrine transport.\n"


def docx(extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def attach(by, case, name, data, *, kind="school_report", title=""):
    return services.attach_documents(
        by=by,
        case=case,
        uploads=[services.Upload(name, data)],
        kind=kind,
        dated=timezone.localdate(),
        title=title,
    )[0]


def upload_form(*files, kind="ehc_plan", title="", dated=None):
    dated = dated or timezone.localdate()
    return {
        "files": [SimpleUploadedFile(name, data) for name, data in files],
        "kind": kind,
        "title": title,
        **boxes("dated", dated),
    }


def add_url(case):
    return reverse("documents:document_add", args=[case.pk])
