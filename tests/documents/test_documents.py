"""Attaching documents to a case, reading them back, and what is refused."""

import io
import os
import socket
import threading
import zipfile

import pytest
from auditlog import get_logentry_model
from django.core.files.storage import storages
from django.urls import reverse

from cases import retention
from cases import services as case_services
from cases.models import Case
from documents import filecheck, services
from documents.filecheck import FileRefused
from documents.models import Document
from pps import crypto
from pps.encryption import HouseholdDestroyed
from tests.conftest import client_for
from tests.documents.helpers import PDF, PNG, TEXT, add_url, attach, docx, upload_form


def stored_bytes(document) -> bytes:
    with storages["documents"].open(document.stored_name, "rb") as stored:
        return stored.read()


# Attaching and the timeline -----------------------------------------------------------------


def test_a_caseworker_attaches_two_files_at_once_and_sees_them_on_the_timeline(caseworker, case):
    client = client_for(caseworker)
    form = upload_form(("plan-final.pdf", PDF), ("review.txt", TEXT), kind="ehc_plan", title="Ostrander plan")
    response = client.post(add_url(case), form)
    assert response.status_code == 302
    titles = sorted(d.title for d in Document.objects.filter(case=case))
    assert titles == ["Ostrander plan (1 of 2)", "Ostrander plan (2 of 2)"]
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert page.count("EHC plan: <a") == 2 and "Ostrander plan (2 of 2)" in page


def test_without_a_title_each_file_is_called_by_its_name(caseworker, case):
    document = attach(caseworker, case, "Year 5 report.pdf", PDF)
    assert document.title == "Year 5 report" and document.file_name == "Year 5 report.pdf"
    assert document.stored_name not in document.file_name and len(document.stored_name) == 32


def test_the_form_keeps_what_was_typed_when_no_file_is_chosen(caseworker, case):
    response = client_for(caseworker).post(add_url(case), upload_form(title="Brackenholt letter"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Choose a file to attach" in page
    assert 'value="Brackenholt letter"' in page


# Refusals -----------------------------------------------------------------------------------


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (3 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.pdf", b"", "is empty"),
        ("program.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)), "not a file type"),
        ("report.pdf", docx(), "really a Word document"),
        ("photo.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "not a file type"),
        ("photo.png", b"  <svg onload=alert(1)>", "not a file type"),
        ("notes.txt", b"<html><body>hi</body></html>", "not a file type"),
        ("plan.docx", zip_bomb(), "zip bomb"),
        ("../../etc/passwd.pdf", PDF, "folder or path"),
        ("C:\\Users\\plan.pdf", PDF, "folder or path"),
        ("script.html", b"hello", "not a type of file"),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 40, "not a file type"),
    ],
    ids=[
        "empty",
        "exe-as-pdf",
        "docx-as-pdf",
        "html-as-png",
        "svg-as-png",
        "html-as-txt",
        "zip-bomb",
        "path",
        "windows-path",
        "html-extension",
        "broken-zip",
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(caseworker, case, name, data, message):
    with pytest.raises(FileRefused, match=message):
        attach(caseworker, case, name, data)
    assert not Document.objects.exists()


def test_a_file_larger_than_the_cap_is_refused_while_it_is_read(caseworker, case, service):
    service.document_max_megabytes = 1
    service.save(update_fields=["document_max_megabytes"])
    big = PDF + b"0" * (1024 * 1024)
    response = client_for(caseworker).post(add_url(case), upload_form(("big.pdf", big), ("small.pdf", PDF)))
    page = response.content.decode()
    assert response.status_code == 200
    assert "“big.pdf”: larger than 1 MB" in page
    assert not Document.objects.exists()


def test_a_request_declaring_more_than_the_limit_is_refused_before_it_is_read(caseworker, case, service):
    from documents.uploads import request_limit

    client = client_for(caseworker)
    too_long = str(request_limit(services.max_bytes(service)) + 1)
    response = client.generic(
        "POST", add_url(case), b"", CONTENT_TYPE="multipart/form-data; boundary=x", CONTENT_LENGTH=too_long
    )
    assert response.status_code == 413
    assert "The files together are too large" in response.content.decode()


def test_the_types_on_the_allow_list_are_recognised_by_their_content():
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    ole = filecheck.OLE2 + b"\x00" * 100
    cases = {
        "a.pdf": PDF,
        "a.docx": docx(),
        "a.odt": odt.getvalue(),
        "a.doc": ole + "WordDocument".encode("utf-16-le"),
        "a.msg": ole + "__substg1.0_0037001F".encode("utf-16-le"),
        "a.png": PNG,
        "a.jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
        "a.eml": b"From: a@example.org\r\nTo: b@example.org\r\nSubject: Hi\r\n\r\n<p>Body</p>\r\n",
        "a.txt": TEXT,
    }
    found = {name: filecheck.detect(data, name).content_type for name, data in cases.items()}
    assert found["a.doc"] == "application/msword" and found["a.msg"] == "application/vnd.ms-outlook"
    assert found["a.eml"] == "message/rfc822" and found["a.txt"] == "text/plain"
    assert len(set(found.values())) == len(cases)


# Reach, reading and the audit log -----------------------------------------------------------------


def test_outsiders_get_404_on_the_document_and_its_download(caseworker, case, second_caseworker, outsider):
    document = attach(caseworker, case, "plan.pdf", PDF, title="Wintermoor plan")
    for user in (second_caseworker, outsider):
        client = client_for(user)
        for name in ("documents:document_detail", "documents:document_download"):
            response = client.get(reverse(name, args=[document.pk]))
            assert response.status_code == 404
            assert "Wintermoor" not in response.content.decode()


def test_a_download_is_the_original_file_as_an_attachment_and_is_audited_once(caseworker, case):
    document = attach(caseworker, case, 'Résumé, draft "2".txt', TEXT)
    entry = get_logentry_model()
    before = entry.objects.filter(action=entry.Action.ACCESS).count()
    response = client_for(caseworker).get(reverse("documents:document_download", args=[document.pk]))
    assert response.status_code == 200 and response.content == TEXT
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''R%C3%A9sum%C3%A9")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    written = entry.objects.filter(action=entry.Action.ACCESS).order_by("pk")[before:]
    assert [(e.object_pk, e.additional_data["how"]) for e in written] == [
        (str(document.pk), "document download")
    ]


def test_no_name_or_title_reaches_the_audit_log_or_the_address(caseworker, case):
    client = client_for(caseworker)
    client.post(add_url(case), upload_form(("Hollowbrook-report.pdf", PDF), title="Hollowbrook review"))
    document = Document.objects.get()
    client.get(reverse("documents:document_download", args=[document.pk]))
    for entry in get_logentry_model().objects.all():
        text = f"{entry.changes} {entry.object_repr} {entry.additional_data}"
        assert "Hollowbrook" not in text
    assert "Hollowbrook" not in reverse("documents:document_download", args=[document.pk])


# Encryption and destruction -----------------------------------------------------------------


def test_the_stored_bytes_hold_none_of_the_words_and_are_bound_to_the_document(caseworker, case):
    document = attach(caseworker, case, "review.txt", TEXT, title="Quillon review")
    raw = stored_bytes(document)
    for word in TEXT.split():
        if len(word) > 3:
            assert word not in raw
    assert services.read_document(Document.objects.get(pk=document.pk)) == TEXT
    other = attach(caseworker, case, "other.txt", b"Something else entirely.\n")
    with pytest.raises(crypto.DecryptionError):  # another document's bytes do not open here
        crypto.decrypt_bytes(case.household_key(), raw, aad=other.file_aad())
    file_path = os.path.join(storages["documents"].location, document.stored_name)
    assert os.path.exists(file_path) and "static" not in file_path


def test_destroying_the_household_leaves_the_document_unreadable_and_deletes_its_file(
    caseworker, senior, case, django_capture_on_commit_callbacks
):
    document = attach(caseworker, case, "review.txt", TEXT, title="Quillon review")
    raw = stored_bytes(document)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.destroy_household(by=senior, parent=case.parent)
    document = Document.objects.get(pk=document.pk)
    assert document.file_deleted
    assert not storages["documents"].exists(document.stored_name)
    with pytest.raises(HouseholdDestroyed):
        document.household_key()
    with pytest.raises(HouseholdDestroyed):
        document.title  # noqa: B018
    # A backup of the file is no better: the data key is gone.
    assert raw.startswith(crypto.FILE_PREFIX)


def test_retention_deletes_the_files_of_the_households_it_destroys(
    caseworker, case, django_capture_on_commit_callbacks
):
    document = attach(caseworker, case, "plan.pdf", PDF)
    case_services.close_case(by=caseworker, case=case, reason="Finished")
    Case.objects.filter(pk=case.pk).update(closed_at=case.opened_at.replace(year=case.opened_at.year - 5))
    with django_capture_on_commit_callbacks(execute=True):
        retention.destroy_household(case.parent)
    assert not storages["documents"].exists(document.stored_name)
    assert Document.objects.get(pk=document.pk).file_deleted


# Virus scanning ---------------------------------------------------------------------------------


class FakeClamd:
    """A tiny clamd speaking INSTREAM on a local port: answers FOUND for data holding ``EICAR``."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                data = b""
                while True:
                    size = int.from_bytes(self.read(conn, 4), "big")
                    if size == 0:
                        break
                    data += self.read(conn, size)
                answer = b"stream: Eicar-Test-Signature FOUND\0" if b"EICAR" in data else b"stream: OK\0"
                conn.sendall(answer)

    @staticmethod
    def read(conn, size):
        data = b""
        while len(data) < size:
            data += conn.recv(size - len(data))
        return data

    def close(self):
        self.server.close()


def test_with_clamav_set_a_file_with_a_virus_is_refused_and_a_clean_one_attached(caseworker, case, settings):
    clamd = FakeClamd()
    settings.CLAMAV_URL = clamd.url
    try:
        with pytest.raises(FileRefused, match="holds a virus"):
            attach(
                caseworker,
                case,
                "note.txt",
                b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!",
            )
        assert attach(caseworker, case, "note.txt", TEXT).size == len(TEXT)
    finally:
        clamd.close()


def test_with_clamav_set_but_down_nothing_unscanned_gets_in(caseworker, case, settings, tmp_path):
    # A socket nobody listens on (a closed TCP port could be taken by another connection).
    settings.CLAMAV_URL = f"unix://{tmp_path}/clamd.socket"
    with pytest.raises(FileRefused, match="could not be checked for viruses"):
        attach(caseworker, case, "note.txt", TEXT)


def test_a_file_altered_in_storage_is_never_served(caseworker, case):
    document = attach(caseworker, case, "review.txt", TEXT)
    sealed = bytearray(stored_bytes(document))
    sealed[-1] ^= 1
    storage = storages["documents"]
    storage.delete(document.stored_name)
    storage.save(document.stored_name, io.BytesIO(bytes(sealed)))
    response = client_for(caseworker).get(reverse("documents:document_download", args=[document.pk]))
    assert response.status_code == 302
    assert TEXT not in response.content
