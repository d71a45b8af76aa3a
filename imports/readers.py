"""Reading an uploaded CSV or XLSX file row by row, whatever its size.

- CSV: Python's ``csv`` module. The encoding is found by trying UTF-8 (a byte-order mark is
  dropped) over the whole file, then Windows-1252 (what Excel on Windows saves as "CSV"); the
  one used is said on the preview. The separator, ``,`` or ``;`` (Excel in much of Europe), is
  sniffed from the first lines.
- XLSX: openpyxl in read-only mode, so rows are streamed from the sheet's XML and memory stays
  flat. With ``defusedxml`` installed, openpyxl parses through it, so a file holding a DTD or
  external entities is refused rather than expanded. Before openpyxl opens it, the zip archive's
  directory is read: a file whose parts would unpack to more than ``MAX_UNPACKED_BYTES``, or any
  part that expands more than ``MAX_RATIO`` times (a zip bomb), is refused unopened.
- Formulas are never evaluated: a cell gives the value stored in the file (openpyxl's
  ``data_only``: the result last saved by the spreadsheet program, if any), and in a CSV a text
  such as ``=SUM(A1:A3)`` is just text.

Every reader gives ``(row_number, values)``: the row number as the spreadsheet shows it (the
header is row 1) and the cells, so that a refusal can name the row without quoting it. Wholly
empty rows are skipped.
"""

import codecs
import contextlib
import csv
import io
import zipfile
from dataclasses import dataclass

import openpyxl
from defusedxml import DefusedXmlException

#: How much a whole XLSX may unpack to, and how much more than its packed size one part may be.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200
MAX_PARTS = 10_000
SAMPLE_BYTES = 64 * 1024


class UnreadableFile(Exception):
    """The file cannot be read as a CSV or XLSX file; the message says why, in plain words."""


@dataclass
class FileFacts:
    kind: str  # "csv" or "xlsx"
    encoding: str = ""  # CSV only: "UTF-8", "UTF-8 with byte-order mark" or "Windows-1252"
    delimiter: str = ""  # CSV only


ENCODING_NAMES = {"utf-8-sig": "UTF-8 with byte-order mark", "utf-8": "UTF-8", "cp1252": "Windows-1252"}


def kind_of(stream) -> str:
    """``xlsx`` when the file starts as a zip archive does, else ``csv``."""
    stream.seek(0)
    start = stream.read(4)
    stream.seek(0)
    return "xlsx" if start == b"PK\x03\x04" else "csv"


def _decodes_as(stream, encoding: str) -> bool:
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := stream.read(1024 * 1024):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def csv_encoding(stream) -> str:
    """The codec to read a CSV with: UTF-8 (with or without BOM), else Windows-1252."""
    stream.seek(0)
    bom = stream.read(3) == codecs.BOM_UTF8
    stream.seek(0)
    if _decodes_as(stream, "utf-8"):
        return "utf-8-sig" if bom else "utf-8"
    if _decodes_as(stream, "cp1252"):
        return "cp1252"
    raise UnreadableFile(
        "The file is neither UTF-8 nor Windows-1252 text. Save it from your spreadsheet program "
        "as “CSV UTF-8”, or as an Excel workbook (.xlsx)."
    )


def csv_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return ";" if first.count(";") > first.count(",") else ","


def _text(stream, encoding: str):
    stream.seek(0)
    return io.TextIOWrapper(stream, encoding=encoding, newline="")


def csv_facts(stream) -> FileFacts:
    encoding = csv_encoding(stream)
    text = _text(stream, encoding)
    try:
        sample = text.read(SAMPLE_BYTES)
    finally:
        text.detach()
    stream.seek(0)
    if not sample.strip():
        raise UnreadableFile("The file is empty.")
    return FileFacts(kind="csv", encoding=encoding, delimiter=csv_delimiter(sample))


def check_archive(stream) -> None:
    """Refuse an XLSX that is not a sound zip archive, or that would unpack to too much."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFile("The file is not a readable Excel workbook (.xlsx).") from None
    finally:
        stream.seek(0)
    if len(parts) > MAX_PARTS:
        raise UnreadableFile("The workbook has too many parts to be a spreadsheet: it was not opened.")
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise UnreadableFile(
                "The workbook would unpack to far more than its size (a “zip bomb”): it was not opened."
            )
    if total > MAX_UNPACKED_BYTES:
        raise UnreadableFile("The workbook would unpack to more than 1 GB: it was not opened.")


def _rows_csv(stream, facts: FileFacts):
    text = _text(stream, facts.encoding)
    try:
        reader = csv.reader(text, delimiter=facts.delimiter)
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error:
            raise UnreadableFile(
                f"Line {reader.line_num} of the file is not valid CSV (a quote left open?)."
            ) from None
    finally:
        # The file may be closed already when a reader stops early (a preview of the first rows).
        with contextlib.suppress(ValueError):
            text.detach()


def _refusal(error: BaseException) -> UnreadableFile:
    """What to say about a workbook openpyxl could not read. defusedxml's refusal of an entity
    declaration reaches us wrapped in openpyxl's own ValueError: look along the chain."""

    seen = error
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return UnreadableFile(
                "The workbook holds XML entity declarations (a way to attack the reader): it was refused."
            )
        seen = seen.__cause__ or seen.__context__
    return UnreadableFile("The file is not a readable Excel workbook (.xlsx).")


WORKBOOK_ERRORS = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, SyntaxError)


def _open_workbook(stream):
    check_archive(stream)
    try:
        return openpyxl.load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except WORKBOOK_ERRORS as error:  # DefusedXmlException is a ValueError
        raise _refusal(error) from None


def _rows_xlsx(stream):
    workbook = _open_workbook(stream)
    try:
        try:
            sheet = workbook.worksheets[0]
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(row)
        except WORKBOOK_ERRORS as error:
            raise _refusal(error) from None
    finally:
        workbook.close()


def excel_epoch(stream):
    """The date system of an XLSX (1900, or 1904 for old Mac workbooks); None for a CSV."""
    if kind_of(stream) != "xlsx":
        return None
    workbook = _open_workbook(stream)
    try:
        return workbook.epoch
    finally:
        workbook.close()


def facts_of(stream) -> FileFacts:
    if kind_of(stream) == "xlsx":
        check_archive(stream)
        return FileFacts(kind="xlsx")
    return csv_facts(stream)


def _is_empty(row) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def rows(stream, facts: FileFacts):
    """``(row_number, cells)`` of every non-empty row, the header row included."""
    raw = _rows_xlsx(stream) if facts.kind == "xlsx" else _rows_csv(stream, facts)
    for number, row in raw:
        if not _is_empty(row):
            yield number, row


def header_and_rows(stream, facts: FileFacts):
    """The header (column names, stripped) and an iterator of ``(row_number, {column: value})``."""
    iterator = rows(stream, facts)
    try:
        _, header = next(iterator)
    except StopIteration:
        raise UnreadableFile("The file has no rows.") from None
    names = [str(cell).strip() if cell is not None else "" for cell in header]

    def records():
        for number, row in iterator:
            yield number, {name: row[i] if i < len(row) else None for i, name in enumerate(names) if name}

    return [name for name in names if name], records()
