"""Bad and unusual files: encodings, byte-order marks, semicolons, dates, formulas, zip bombs,
external entities, missing columns, empty rows."""

import io
import zipfile

import openpyxl
import pytest
from django.utils import timezone

from cases.models import Child, Contact, Parent
from imports import readers, services
from tests.imports.helpers import HEADER, MAPPING, csv_bytes, imported, previewed, row, upload


def test_a_utf8_file_with_a_byte_order_mark_is_read_and_said_so(head):
    run = upload(head, csv_bytes([row(**{"First name": "Zoë"})], bom=True))
    assert run.encoding == "utf-8-sig"
    assert run.headers[0] == "Client ID"  # no BOM left on the first header
    imported(head, csv_bytes([row(**{"First name": "Zoë"})], bom=True))
    assert Parent.objects.get().first_name == "Zoë"


def test_a_windows_1252_file_is_read_as_such(head):
    data = csv_bytes([row(**{"First name": "Renée", "Notes": "Paid £20 – by cheque"})], encoding="cp1252")
    run = upload(head, data)
    assert run.encoding == "cp1252"
    imported(head, data)
    assert Parent.objects.get().first_name == "Renée"
    assert Contact.objects.get().notes == "Paid £20 – by cheque"


def test_a_file_in_neither_encoding_is_refused_with_a_clear_message(head):
    data = b"Name\n" + b"\x81\x8d\x8f\x90\x9d\xff\xfe\n"
    with pytest.raises(services.ImportError_, match="neither UTF-8 nor Windows-1252"):
        upload(head, data)


def test_semicolon_separated_files_are_sniffed(head):
    data = csv_bytes([row(**{"Notes": "Called, then wrote"})], delimiter=";")
    run = upload(head, data)
    assert run.delimiter == ";"
    imported(head, data)
    assert Contact.objects.get().notes == "Called, then wrote"


def test_empty_rows_are_skipped_and_row_numbers_stay_the_spreadsheets(head):
    data = csv_bytes([row(), ["", "", ""], [], row(**{"Contact ID": "T2", "Minutes": "lots"})])
    run = previewed(head, data)
    assert run.preview["rows"] == 2
    assert run.preview["refusals"] == [{"row": 5, "problem": "The time spent is not a number of minutes."}]


def test_missing_columns_are_named_before_anything_is_read(head):
    data = csv_bytes([["Ottoline", "07700 900456"]], header=["First name", "Telephone"])
    run = upload(head, data)
    with pytest.raises(services.ImportError_, match="first and last names"):
        services.set_column_mapping(by=head, run=run, mapping={"parent_first_name": "First name"})
    partial = {"parent_full_name": "First name", "contact_date": "Telephone"}
    with pytest.raises(services.ImportError_, match="channel"):
        services.set_column_mapping(by=head, run=run, mapping=partial)


def test_an_empty_file_and_a_file_with_two_columns_of_one_name_are_refused(head):
    with pytest.raises(services.ImportError_, match="empty"):
        upload(head, b"")
    with pytest.raises(services.ImportError_, match="same name"):
        upload(head, b"Name,Name\nA,B\n")


def xlsx(rows, header=HEADER, **cells) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_file_with_real_dates_and_serial_numbers_is_read(head):
    from datetime import date, datetime

    values = row()
    values[HEADER.index("DOB")] = date(2015, 4, 3)
    values[HEADER.index("Contact date")] = datetime(2023, 9, 5, 14, 15)
    values[HEADER.index("Contact time")] = None
    values[HEADER.index("Minutes")] = 30
    second = row(**{"Contact ID": "T2"})
    second[HEADER.index("DOB")] = 42097  # an Excel serial date: 3 April 2015
    second[HEADER.index("Minutes")] = 45.0
    run = imported(head, xlsx([values, second]))
    assert run.kind == "xlsx" and run.rows_refused == 0, run.refusals
    assert Child.objects.get().date_of_birth == date(2015, 4, 3)
    assert sorted(c.duration_minutes for c in Contact.objects.all()) == [30, 45]
    assert timezone.localtime(Contact.objects.order_by("duration_minutes")[0].occurred_at).hour == 14


def test_formulas_are_never_evaluated(head):
    values = row()
    values[HEADER.index("Notes")] = "=1+1"  # a formula text in a CSV is just text
    imported(head, csv_bytes([values]))
    assert Contact.objects.get().notes == "=1+1"


def test_an_xlsx_formula_gives_its_stored_value_only(head):
    # openpyxl writes formulas with no cached result: read as stored (nothing), never computed.
    data = xlsx([row()], V2='=HYPERLINK("http://example.org","x")', B2="Ottoline")
    run = upload(head, data)
    with services.file_rows(run) as (_, records, _epoch):
        [(number, record)] = list(records)
    assert record["Notes"] is None


def test_a_zip_bomb_is_refused_unopened(head):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    with pytest.raises(services.ImportError_, match="zip bomb"):
        upload(head, out.getvalue())


def test_an_xlsx_with_external_entities_is_refused(head, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-ZEBEDEE")
    source = io.BytesIO(xlsx([row()]))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w") as evil:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<worksheet",
                    f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]><worksheet'.encode(),
                    1,
                ).replace(b"<v>", b"<v>&xxe;", 1)
            evil.writestr(item, data)
    with pytest.raises(services.ImportError_, match="entity"):
        upload(head, out.getvalue())


def test_a_file_that_is_not_a_workbook_but_says_so_is_refused(head):
    with pytest.raises(services.ImportError_, match="not a readable Excel workbook"):
        upload(head, b"PK\x03\x04 this is no zip")


def test_rows_are_streamed_not_loaded(head):
    """A generator all the way: the reader holds one row at a time."""
    stream = io.BytesIO(csv_bytes([row(**{"Contact ID": f"T{n}"}) for n in range(3)]))
    facts = readers.facts_of(stream)
    _, records = readers.header_and_rows(stream, facts)
    assert iter(records) is records
    assert next(records)[0] == 2


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2020-04-03", "2020-04-03"),
        ("03/04/2020", "2020-04-03"),
        ("3.4.2020", "2020-04-03"),
        ("43924", "2020-04-03"),
        (43924, "2020-04-03"),
    ],
)
def test_dates_are_day_first_iso_or_excel_serials(cell, expected):
    from imports.values import parse_date

    assert parse_date(cell).isoformat() == expected


def test_full_names_are_split_either_way(head):
    from imports.values import split_full_name

    assert split_full_name("Quarrender, Ottoline") == ("Ottoline", "Quarrender")
    assert split_full_name("Ottoline Jane Quarrender") == ("Ottoline Jane", "Quarrender")


def test_an_unmapped_optional_column_is_simply_not_read(head):
    mapping = {key: value for key, value in MAPPING.items() if key not in {"notes", "postcode"}}
    imported(head, csv_bytes([row()]), mapping=mapping)
    assert Contact.objects.get().notes == ""
    assert Parent.objects.get().postcode == ""
