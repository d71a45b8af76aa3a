"""The statistics as files: CSV, XLSX and the machine-readable data file. Each holds exactly the
suppressed tables of a ``services.Report`` (never a true count behind a hidden cell), with the
rule in a footer, and text cells neutralised against formula injection (SECURITY control 40)."""

import csv
import io
import json

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from reports.services import DATA_FILE_VERSION, Report, Text

#: A cell beginning with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise(value):
    """Text a spreadsheet will show as text: a leading ' before a formula character."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _value(cell):
    """A published count as a number; anything else (hidden, hours, median) as its text."""
    if isinstance(cell, Text) or cell.is_hidden or cell.value is None:
        return str(cell)
    return cell.value


def table_rows(report: Report):
    """Every line of every table, in order: what CSV and XLSX write."""
    yield ["title", f"Statistics of {report.service.name}: {report.period.label}"], "title"
    yield ["period", report.period.start.isoformat(), report.period.end.isoformat()], "meta"
    yield ["previous period", report.previous.start.isoformat(), report.previous.end.isoformat()], "meta"
    yield ["suppression", report.rule.describe()], "meta"
    for table in report.tables:
        yield [], "blank"
        yield [table.title], "heading"
        if table.description:
            yield [table.description], "meta"
        yield ["", *table.columns], "header"
        for row in table.rows:
            yield [row.label, *(_value(cell) for cell in row.cells)], "row"
        if table.total:
            yield [table.total.label, *(_value(cell) for cell in table.total.cells)], "total"
        for row in table.after:
            yield [row.label, *(_value(cell) for cell in row.cells)], "row"
        if table.note:
            yield [table.note], "meta"
        yield [report.rule.short()], "footer"


class _Echo:
    def write(self, value):
        return value


def csv_lines(report: Report):
    """CSV (RFC 4180), line by line, so that memory stays flat whatever the size."""
    writer = csv.writer(_Echo())
    for cells, _kind in table_rows(report):
        yield writer.writerow([neutralise(c) for c in cells])


def xlsx_bytes(report: Report) -> bytes:
    """XLSX, written in openpyxl's write-only mode (rows streamed to the file)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Statistics")
    bold = Font(bold=True)

    for cells, kind in table_rows(report):
        row = []
        for value in cells:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if kind in ("title", "heading", "header", "total"):
                cell.font = bold
            row.append(cell)
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _json_cell(cell):
    if isinstance(cell, Text):
        return {"text": cell.text or None}
    return {"value": cell.value, "suppressed": cell.hidden or None}


def data_file(report: Report) -> str:
    """The versioned data file (see README, "The data file"): the same suppressed tables."""
    keys = ["this_period", "previous_period"] + (["all_services"] if report.benchmark else [])

    def row(r):
        return {
            "code": r.code,
            "label": r.label,
            **{k: _json_cell(c) for k, c in zip(keys, r.cells, strict=False)},
        }

    document = {
        "format": "pps-iass-statistics",
        "version": DATA_FILE_VERSION,
        "service": report.service.name,
        "period": report.period.as_dict(),
        "previous_period": report.previous.as_dict(),
        "suppression": {**report.rule.as_dict(), "text": report.rule.describe()},
        "all_services_included": report.benchmark,
        "tables": [
            {
                "key": t.key,
                "title": t.title,
                "description": t.description,
                "adds_up": t.additive,
                "rows": [row(r) for r in t.rows],
                "total": row(t.total) if t.total else None,
                "after_total": [row(r) for r in t.after],
                "note": t.note or None,
            }
            for t in report.tables
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
