"""Attaching documents to a case, reading them back, letters, and what goes with a household.

Nothing here logs or puts into an exception a document's name, title or content: messages that
name the file are for the person who chose it, on the page.
"""

from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from cases import access as cases_access
from consent.services import ConsentError, record_statement_sent
from documents import clamav, filecheck, letters
from documents.access import may_edit_letter_templates
from documents.filecheck import FileRefused
from documents.letters import PLACEHOLDERS, seed_templates, unknown_placeholders
from documents.models import Document, LetterTemplate
from pps import crypto

STORAGE = "documents"
MEGABYTE = 1024 * 1024


class DocumentError(Exception):
    """What a person asked for cannot be done; the message says why."""


def storage():
    return storages[STORAGE]


def max_bytes(service) -> int:
    """The service's cap on one file (``Service.document_max_megabytes``), in bytes."""
    return service.document_max_megabytes * MEGABYTE


@dataclass
class Upload:
    """One file as received: its name as sent, and its bytes."""

    name: str
    data: bytes


def read_upload(uploaded_file) -> Upload:
    return Upload(name=uploaded_file.name or "", data=uploaded_file.read())


def check_upload(upload: Upload, *, cap: int) -> filecheck.FileType:
    """The upload's type, or FileRefused saying why it is not accepted."""
    name = filecheck.check_name(upload.name)
    if len(upload.data) > cap:
        raise FileRefused(f"“{name}” is larger than {cap // MEGABYTE} MB: attach a smaller file.")
    kind = filecheck.detect(upload.data, name)
    if clamav.enabled():
        try:
            clamav.scan(upload.data)
        except clamav.VirusFound:
            raise FileRefused(f"“{name}” holds a virus: it was not attached.") from None
        except clamav.ScanFailed:
            raise FileRefused(
                f"“{name}” could not be checked for viruses just now: try again in a few minutes."
            ) from None
    return kind


@transaction.atomic
def attach_documents(*, by, case, uploads: list[Upload], kind: str, dated: date, title: str = "") -> list:
    """Attach ``uploads`` to ``case`` as documents of ``kind`` dated ``dated``: each checked
    (``check_upload``), encrypted under the household's key and stored under a random name.
    With several files, ``title`` (or each file's own name, if no title) names each one.
    All or nothing: one refused file refuses the lot, and nothing is stored."""
    cases_access.require_case(by, case)
    if not case.is_open:
        raise DocumentError("This case is closed: reopen it to attach documents.")
    if kind not in Document.Kind.values:
        raise DocumentError("Select what the document is.")
    if not uploads:
        raise DocumentError("Choose a file to attach.")
    if dated > timezone.localdate():
        raise DocumentError("The date of the document must be today or in the past.")
    cap = max_bytes(case.service)
    checked = [(upload, check_upload(upload, cap=cap)) for upload in uploads]
    title = title.strip()
    documents = []
    try:
        for number, (upload, file_type) in enumerate(checked, start=1):
            name = filecheck.check_name(upload.name)
            own_title = title or name.rsplit(".", 1)[0]
            if title and len(checked) > 1:
                own_title = f"{title} ({number} of {len(checked)})"
            documents.append(
                store_document(
                    by=by,
                    case=case,
                    kind=kind,
                    dated=dated,
                    title=own_title[:200],
                    name=name,
                    data=upload.data,
                    content_type=file_type.content_type,
                )
            )
    except BaseException:
        for document in documents:  # nothing half-attached stays in storage
            storage().delete(document.stored_name)
        raise
    return documents


def store_document(*, by, case, kind, dated, title, name, data, content_type) -> Document:
    """Encrypt ``data`` under the case's household key, bound to the new document's id, store it
    under a random name and save the document. Checks are the caller's."""
    document = Document(
        case=case,
        kind=kind,
        title=title,
        file_name=name,
        dated=dated,
        content_type=content_type,
        size=len(data),
        added_by=by,
    )
    document.use_household_key(case.household_key())
    sealed = crypto.encrypt_bytes(document.household_key(), data, aad=document.file_aad())
    document.stored_name = storage().save(document.stored_name, ContentFile(sealed))
    try:
        document.save()
    except BaseException:
        storage().delete(document.stored_name)
        raise
    return document


def read_document(document: Document) -> bytes:
    """The plaintext bytes of a document fetched through ``documents.access`` (which recorded
    the read). Raises DocumentError if its file is gone."""
    if document.file_deleted:
        raise DocumentError("This document's file was destroyed.")
    try:
        with storage().open(document.stored_name, "rb") as stored:
            sealed = stored.read()
        return crypto.decrypt_bytes(document.household_key(), sealed, aad=document.file_aad())
    except (OSError, crypto.DecryptionError):
        # Missing from storage, or altered there: say so, never serve something else.
        raise DocumentError("This document's file could not be read. Ask the system maintainer.") from None


def delete_household_files(parent) -> None:
    """When ``parent``'s household is destroyed: its documents' key is gone with the household's,
    so they are unreadable already; their stored files are deleted too, once the destruction is
    committed. The rows stay (ids, kinds, dates), as for the notes."""
    names = []
    for document in Document.objects.filter(case__parent_id=parent.pk, file_deleted=False):
        document.file_deleted = True
        document.save(update_fields=["file_deleted"])
        names.append(document.stored_name)

    def delete_files():
        for name in names:
            storage().delete(name)

    transaction.on_commit(delete_files)


# Letters -------------------------------------------------------------------------------------

MAX_LETTER_LENGTH = 20000
LETTER_FORMATS = {"pdf": ("application/pdf", ".pdf"), "docx": (filecheck.DOCX.content_type, ".docx")}


class SimpleMessagesOnly(DocumentError):
    """The parent agreed only to simple messages (R16): the letter needs the caseworker's
    confirmation that they have checked a letter is all right."""


def templates_for(service):
    """The service's letter templates, seeded with the common ones the first time."""

    seed_templates(service)
    return LetterTemplate.objects.filter(service=service)


def only_simple_messages(case) -> bool:
    """Whether the parent agreed only to simple messages being left (R16)."""
    return not case.parent.detailed_message_ok


@transaction.atomic
def send_letter(
    *,
    by,
    case,
    template,
    text: str,
    file_format: str,
    simple_messages_checked: bool = False,
    how: str = "post",
) -> tuple:
    """Make the letter (``text``, as the caseworker edited it) as a PDF or Word file, keep it on
    the case as a letter sent (encrypted like any document) and return ``(document, bytes)``.

    - Anyone who reaches the case; a closed case too (the closure letter).
    - A parent who agreed only to simple messages (R16): refused until the caseworker confirms
      they checked a letter is all right (``simple_messages_checked``).
    - The "why we keep information about you" letter also records that the statement was sent
      (``consent.services.record_statement_sent``, ``how``: posted or emailed).
    """

    cases_access.require_case(by, case)
    if template.service_id != case.service_id or not template.is_active:
        raise DocumentError("Choose one of the service's letters.")
    if only_simple_messages(case) and not simple_messages_checked:
        raise SimpleMessagesOnly(
            "This parent agreed only to simple messages. Confirm that you checked a letter is all "
            "right before making it."
        )
    text = (text or "").strip()
    if not text:
        raise DocumentError("Enter the letter's text.")
    if len(text) > MAX_LETTER_LENGTH:
        raise DocumentError(f"Keep the letter to {MAX_LETTER_LENGTH:,} characters or fewer.")
    if file_format not in LETTER_FORMATS:
        raise DocumentError("Choose PDF or Word.")
    values = letters.values_for(case=case, by=by)
    data = letters.as_pdf(text, values) if file_format == "pdf" else letters.as_word(text, values)
    content_type, extension = LETTER_FORMATS[file_format]
    today = timezone.localdate()
    name = f"{'-'.join(template.name.lower().split())[:80]}-{today.isoformat()}{extension}"
    document = store_document(
        by=by,
        case=case,
        kind=Document.Kind.LETTER_SENT,
        dated=today,
        title=template.name,
        name=name,
        data=data,
        content_type=content_type,
    )
    if template.purpose == LetterTemplate.Purpose.STATEMENT:
        try:
            record_statement_sent(by=by, case=case, how=how)
        except ConsentError as error:
            raise DocumentError(str(error)) from None
    return document, data


def _checked_template(name: str, body: str) -> tuple:
    name, body = (name or "").strip(), (body or "").strip()
    if not name:
        raise DocumentError("Enter the letter's name.")
    if not body:
        raise DocumentError("Enter the letter's text.")
    if unknown := unknown_placeholders(body):
        known = ", ".join("{" + key + "}" for key in PLACEHOLDERS)
        raise DocumentError(
            f"{', '.join('{' + u + '}' for u in unknown)} is not a placeholder: use one of {known}."
        )
    return name, body


def _require_editor(by, service) -> None:
    if not may_edit_letter_templates(by) or by.service_id != service.pk:
        raise Http404


@transaction.atomic
def save_letter_template(
    *, by, service, template=None, name: str, body: str, purpose: str = "other", is_active=True
):
    """Senior staff add a letter template to their service, or change one of its templates."""

    _require_editor(by, service)
    name, body = _checked_template(name, body)
    if purpose not in LetterTemplate.Purpose.values:
        raise DocumentError("Choose what the letter is for.")
    clash = LetterTemplate.objects.filter(service=service, name=name)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise DocumentError("The service has a letter of that name already: choose another name.")
    template = template or LetterTemplate(service=service)
    if template.service_id != service.pk:
        raise DocumentError("Choose one of the service's letters.")
    template.name, template.body, template.purpose, template.is_active = name, body, purpose, bool(is_active)
    template.updated_by, template.updated_at = by, timezone.now()
    template.save()
    return template
