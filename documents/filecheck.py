"""What a file is, found from its content (its first bytes and, for containers, their inside),
never from its name; and its name checked.

The allow-list is short and every format on it has a fixed signature, so the checks are plain
Python here rather than a file-type library: a library would still leave us to look inside Word
and OpenDocument files (zip containers) and Word 97 and Outlook files (OLE2 containers), to
refuse zip bombs, and to tell plain text and emails from HTML.

=================================  ==========================================  =================
type                               what is checked                             extensions
=================================  ==========================================  =================
PDF                                starts with ``%PDF-``                       .pdf
Word (.docx)                       zip with ``[Content_Types].xml`` and        .docx
                                   ``word/document.xml``
OpenDocument text (.odt)           zip whose first entry ``mimetype`` says     .odt
                                   ``application/vnd.oasis.opendocument.text``
Word 97-2003 (.doc)                OLE2 signature and a ``WordDocument``       .doc
                                   stream
Outlook message (.msg)             OLE2 signature and ``__substg1.0_`` streams .msg
PNG, JPEG image                    their signatures                            .png; .jpg .jpeg
Email (.eml)                       text of RFC 5322 header lines, then a body  .eml
Plain text                         UTF-8 (or Windows-1252) text without NUL    .txt
=================================  ==========================================  =================

Anything that looks like HTML, SVG or script in its first kilobytes is refused whatever it is
called, so that HTML named ``photo.png`` or ``notes.txt`` never gets in. A zip container is
refused if it holds more than ``MAX_ZIP_ENTRIES`` entries, more than ``MAX_UNZIPPED_BYTES``
uncompressed, or any entry compressed more than ``MAX_RATIO`` times (a zip bomb).
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass


class FileRefused(Exception):
    """The file is not accepted; the message says why, for the person who chose it."""


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extensions: tuple


PDF = FileType("PDF", "application/pdf", (".pdf",))
DOCX = FileType(
    "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
)
ODT = FileType("OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",))
DOC = FileType("Word 97-2003 document", "application/msword", (".doc",))
MSG = FileType("Outlook message", "application/vnd.ms-outlook", (".msg",))
PNG = FileType("PNG image", "image/png", (".png",))
JPEG = FileType("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
EML = FileType("Email", "message/rfc822", (".eml",))
TEXT = FileType("Plain text", "text/plain", (".txt",))

ALLOWED = (PDF, DOCX, ODT, DOC, MSG, PNG, JPEG, EML, TEXT)
ALLOWED_EXTENSIONS = tuple(ext for kind in ALLOWED for ext in kind.extensions)
ACCEPT = ",".join(ALLOWED_EXTENSIONS)

MAX_NAME_LENGTH = 200
MAX_ZIP_ENTRIES = 2000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML = re.compile(
    rb"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta|a\s|img\s|style|form|\?xml)",
    re.IGNORECASE,
)
_HEADER = re.compile(rb"[!-9;-~]+:[ \t]?[^\r\n]*\r?\n")
_EMAIL_HEADERS = {b"from", b"to", b"subject", b"date", b"received", b"return-path", b"message-id"}


def check_name(name: str) -> str:
    """The file's name as shown and given back on download; refused when it holds a path,
    control characters, or no allowed extension."""
    name = unicodedata.normalize("NFC", name or "")
    if not name.strip():
        raise FileRefused("The file has no name.")
    if "/" in name or "\\" in name or name.strip() in {".", ".."} or ".." in name.split("."):
        raise FileRefused(f"“{_shown(name)}”: a file name must not contain a folder or path.")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise FileRefused("The file name contains characters that cannot be shown.")
    if len(name) > MAX_NAME_LENGTH:
        raise FileRefused(f"The file name is longer than {MAX_NAME_LENGTH} characters: shorten it.")
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise FileRefused(
            f"“{_shown(name)}” is not a type of file that can be attached. {_allowed_sentence()}"
        )
    return name.strip()


def _shown(name: str) -> str:
    return name if len(name) <= 60 else name[:57] + "…"


def _allowed_sentence() -> str:
    return "Attach PDF, Word, OpenDocument, PNG or JPEG images, email (.eml, .msg) or plain text files."


def detect(data: bytes, name: str) -> FileType:
    """The type of ``data`` from its content, checked against the extension of ``name``."""
    if not data:
        raise FileRefused(f"“{_shown(name)}” is empty.")
    kind = _content_type_of(data)
    if kind is None:
        raise FileRefused(f"“{_shown(name)}” is not a file type that can be attached. {_allowed_sentence()}")
    if kind in (EML, TEXT) and name.lower().endswith(EML.extensions + TEXT.extensions):
        kind = EML if name.lower().endswith(EML.extensions) else TEXT  # an email is text too
    if not name.lower().endswith(kind.extensions):
        raise FileRefused(
            f"“{_shown(name)}” is really a {kind.label} file, whatever its name says: "
            f"rename it to end in {kind.extensions[0]} if that is right."
        )
    return kind


def _content_type_of(data: bytes) -> FileType | None:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data.startswith(OLE2):
        if "WordDocument".encode("utf-16-le") in data:
            return DOC
        if "__substg1.0_".encode("utf-16-le") in data:
            return MSG
        return None
    return _text_type(data)


def _zip_type(data: bytes) -> FileType | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FileRefused("The file holds too many parts to be a document.")
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > MAX_RATIO * max(entry.compress_size, 1) and entry.file_size > 1024 * 1024:
            raise FileRefused("The file unpacks to far more than its size (a “zip bomb”): it is refused.")
    if total > MAX_UNZIPPED_BYTES:
        raise FileRefused("The file unpacks to far more than its size (a “zip bomb”): it is refused.")
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    if entries and entries[0].filename == "mimetype":
        try:
            mimetype = archive.read(entries[0]).strip()
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError):
            return None
        if mimetype == ODT.content_type.encode():
            return ODT
    return None


def _text_type(data: bytes) -> FileType | None:
    head = data[:8192]
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the end of the sample
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return None
    if _HTML.match(head.lstrip(b"\xef\xbb\xbf \t\r\n\x0c")):
        return None  # HTML, whatever its name says (the browser's own sniffing rule)
    if _looks_like_email(head):
        return EML
    if _HTML.search(head[:1024]):
        return None
    return TEXT


def _looks_like_email(head: bytes) -> bool:
    names = set()
    position = 0
    for _ in range(60):
        match = _HEADER.match(head, position)
        if match is None:
            break
        names.add(match.group(0).split(b":", 1)[0].lower())
        position = match.end()
        while head[position : position + 1] in (b" ", b"\t"):  # a folded header line
            end = head.find(b"\n", position)
            if end == -1:
                return False
            position = end + 1
    return len(names & _EMAIL_HEADERS) >= 2
