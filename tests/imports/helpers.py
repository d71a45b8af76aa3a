"""Small files built in the test, and the steps of an import, as a head of service takes them."""

import io

import openpyxl

from imports import services

HEADER = [
    "Client ID",
    "First name",
    "Surname",
    "Telephone",
    "Email",
    "Postcode",
    "GDPR consent",
    "Child ID",
    "Child first name",
    "DOB",
    "Primary need",
    "Case ID",
    "Case opened",
    "Case closed",
    "Contact ID",
    "Contact date",
    "Contact time",
    "Method",
    "Topic",
    "Outcome",
    "Minutes",
    "Notes",
]

MAPPING = {
    "parent_id": "Client ID",
    "parent_first_name": "First name",
    "parent_last_name": "Surname",
    "phone": "Telephone",
    "email": "Email",
    "postcode": "Postcode",
    "consent": "GDPR consent",
    "child_id": "Child ID",
    "child_first_name": "Child first name",
    "child_date_of_birth": "DOB",
    "need": "Primary need",
    "case_id": "Case ID",
    "case_opened_on": "Case opened",
    "case_closed_on": "Case closed",
    "contact_id": "Contact ID",
    "contact_date": "Contact date",
    "contact_time": "Contact time",
    "channel": "Method",
    "topic": "Topic",
    "outcome": "Outcome",
    "duration": "Minutes",
    "notes": "Notes",
}


def row(**values) -> list:
    """One row of the file; unnamed columns get ordinary values."""
    base = {
        "Client ID": "P1",
        "First name": "Ottoline",
        "Surname": "Quarrender",
        "Telephone": "07700 900456",
        "Email": "",
        "Postcode": "CT1 1AA",
        "GDPR consent": "Yes",
        "Child ID": "C1",
        "Child first name": "Peregrine",
        "DOB": "03/04/2015",
        "Primary need": "ASD",
        "Case ID": "K1",
        "Case opened": "01/09/2023",
        "Case closed": "",
        "Contact ID": "T1",
        "Contact date": "05/09/2023",
        "Contact time": "10:30",
        "Method": "Telephone",
        "Topic": "EHC needs assessment",
        "Outcome": "Advice given",
        "Minutes": "30",
        "Notes": "Discussed the assessment request",
    }
    base.update(values)
    return [base[name] for name in HEADER]


def csv_bytes(rows, *, header=HEADER, delimiter=",", encoding="utf-8", bom=False) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(by, data: bytes, source="Charitylog"):
    return services.upload_file(by=by, source_name=source, file=io.BytesIO(data))


def value_choices(run, chosen=None):
    """Every old value mapped: the guesses, the named choices, the rest to the first choice."""
    chosen = chosen or {}
    mapping = {key: dict(values) for key, values in run.value_mapping.items()}
    for key, olds in run.preview["values"].items():
        choices = services.choices_for(run.service, key)
        for old in olds:
            if (key, old) in chosen:
                mapping.setdefault(key, {})[old] = chosen[(key, old)]
            elif old not in mapping.get(key, {}):
                mapping.setdefault(key, {})[old] = choices[0][0]
    return mapping


def previewed(by, data: bytes, *, mapping=None, source="Charitylog", chosen=None):
    run = upload(by, data, source=source)
    run = services.set_column_mapping(by=by, run=run, mapping=mapping or MAPPING)
    choices = {("consent", "Yes"): "oral_phone", **(chosen or {})}
    return services.set_value_mapping(by=by, run=run, mapping=value_choices(run, choices))


def imported(by, data: bytes, **kwargs):
    from django.db import transaction

    run = previewed(by, data, **kwargs)
    with transaction.atomic():
        services.confirm(by=by, run=run)
    run.refresh_from_db()
    return run
