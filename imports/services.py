"""Bringing a service's existing records in: upload, mapping, preview, import, report.

Every row goes through the same functions as a record a caseworker types (``cases.services``:
``register_parent``, ``add_child``, ``open_case``, ``log_case_contact``, ``close_case``), with
``imported=True``: encrypted under the household's key, indexed for search, audited. Each audit
entry written during an import names the import (``additional_data["import"]``), never the
values. Rows are imported in batches of ``BATCH`` inside one transaction, each row in its own
savepoint so that a refused row takes nothing else with it.

Each parent, child, case and contact is keyed by (source, kind, old id) in ``ImportedRecord``:
the same file imported twice creates nothing twice, and a run interrupted half way (the server
restarted) is resumed from its last saved batch, by the page's "Resume" button or
``manage.py import_records --resume ID``.

Refusals name the row and the problem, never a cell's value, on the page and in logs.
"""

import contextlib
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time

from auditlog.context import auditlog_value, set_extra_data
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.utils import timezone

from cases import services as casework
from cases.models import Case, Child, Contact, Outcome, Parent, ParentSearchToken, Topic
from cases.search import fold, name_words, phone_digits, stored_tokens
from consent.models import Consent
from consent.services import record_consent_to_keep_details
from imports import readers, storage
from imports.access import require_importer, sees_cell_values
from imports.models import ImportedRecord, ImportRun, ImportSource
from imports.values import (
    FIELD_KEYS,
    GUESSES,
    VALUE_FIELDS,
    BadValue,
    parse_date,
    parse_datetime,
    parse_minutes,
    parse_time,
    split_full_name,
    split_list,
    text,
)
from pps import audit, crypto

logger = logging.getLogger(__name__)

BATCH = 500
#: Refusals kept in the report (all are counted).
MAX_REFUSALS_KEPT = 1000
#: Likely duplicates listed on the preview (all are counted).
MAX_DUPLICATES_KEPT = 500
#: Distinct values a list column (topic, outcome...) may have; more is free text, not a list.
MAX_DISTINCT = 200
#: A running import whose progress was not saved for this long was interrupted.
STALE_AFTER = timezone.timedelta(minutes=2)
#: The time a contact is given when the file has none.
DEFAULT_CONTACT_TIME = time(12, 0)
#: In a value mapping: rows with this value are refused.
REFUSE = "!refuse"
NOT_RECORDED = "none"


class ImportError_(ValidationError):
    """The file or the mapping cannot be used; the message says why, in the users' words."""


class RowRefused(Exception):
    """One row cannot be imported; ``problem`` says why without quoting the row."""

    def __init__(self, problem: str):
        self.problem = problem
        super().__init__(problem)


# Upload ---------------------------------------------------------------------------------------


def new_run(*, by) -> ImportRun:
    """An unsaved run with its own data key, for an upload about to be stored encrypted."""
    require_importer(by)
    run = ImportRun(service=by.service, uploaded_by=by)
    run.household_key()  # makes the run's data key
    return run


def clean_source_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ImportError_("Name the system the records come from, for example “Charitylog”.")
    if len(name) > 100:
        raise ImportError_("The system's name must be 100 characters or fewer.")
    return name


@transaction.atomic
def save_upload(*, run: ImportRun, source_name: str, stored_name: str, size: int) -> ImportRun:
    """Check the stored upload is a CSV or XLSX file we can read, and save the run; a file that
    cannot be read is deleted and ``ImportError_`` says why."""
    run.stored_name, run.file_size = stored_name, size
    try:
        source_name = clean_source_name(source_name)
        if size == 0:
            raise readers.UnreadableFile("The file is empty.")
        with open_upload(run) as stream:
            facts = readers.facts_of(stream)
            headers, _ = readers.header_and_rows(stream, facts)
        if not headers:
            raise readers.UnreadableFile("The first row should name the columns; it is empty.")
        if len(set(headers)) != len(headers):
            raise readers.UnreadableFile(
                "Two columns have the same name in the first row: give each its own."
            )
    except (readers.UnreadableFile, ImportError_) as problem:
        storage.delete(stored_name)
        raise ImportError_(
            problem.messages[0] if isinstance(problem, ImportError_) else str(problem)
        ) from None
    run.kind, run.encoding, run.delimiter, run.headers = facts.kind, facts.encoding, facts.delimiter, headers
    run.source, _ = ImportSource.objects.get_or_create(service=run.service, name=source_name)
    run.column_mapping = remembered_or_guessed_columns(run.source, headers)
    run.save()
    return run


def upload_file(*, by, source_name: str, file) -> ImportRun:
    """Store ``file`` (a binary file object) encrypted and start a run (commands and tests)."""
    run = new_run(by=by)
    stored_name, size = storage.write_encrypted(file, key=run.household_key(), label=str(run.pk))
    return save_upload(run=run, source_name=source_name, stored_name=stored_name, size=size)


def open_upload(run: ImportRun):
    if not run.stored_name:
        raise ImportError_("The uploaded file has been deleted: upload it again.")
    return storage.open_reader(run.stored_name, key=run.household_key(), label=str(run.pk))


@contextlib.contextmanager
def file_rows(run: ImportRun):
    """The header and ``(row_number, {column: value})`` of the run's file, plus its epoch."""
    with open_upload(run) as stream:
        facts = readers.FileFacts(kind=run.kind, encoding=run.encoding, delimiter=run.delimiter)
        epoch = readers.excel_epoch(stream)
        headers, records = readers.header_and_rows(stream, facts)
        yield headers, records, epoch


def first_rows(run: ImportRun, *, by, count: int = 5) -> list[list[str]]:
    """The first rows, as text, to show beside the mapping: the head of service only."""

    if not sees_cell_values(by):
        return []
    shown = []
    with file_rows(run) as (headers, records, _):
        for _, record in records:
            shown.append([text(record.get(name)) for name in headers])
            if len(shown) == count:
                break
    return shown


def delete_upload(run: ImportRun) -> None:
    storage.delete(run.stored_name)
    run.stored_name = ""
    run.file_deleted_at = timezone.now()


@transaction.atomic
def cancel(*, by, run: ImportRun) -> ImportRun:
    """Stop an import before it is confirmed, or after it stopped; its file is deleted."""
    require_importer(by)
    if run.status in {ImportRun.Status.QUEUED, ImportRun.Status.RUNNING, ImportRun.Status.DONE}:
        raise ImportError_("This import has started: it can no longer be cancelled.")
    delete_upload(run)
    run.status = ImportRun.Status.CANCELLED
    run.save()
    return run


# Column mapping --------------------------------------------------------------------------------


def remembered_or_guessed_columns(source: ImportSource, headers: list[str]) -> dict:
    """The source's last mapping where its columns are in this file, else guesses by header."""
    mapping = {f: h for f, h in (source.column_mapping or {}).items() if h in headers and f in FIELD_KEYS}
    used = set(mapping.values())
    for key in FIELD_KEYS:
        if key in mapping:
            continue
        for header in headers:
            if header in used:
                continue
            folded = fold(header).replace("_", " ").strip()
            if any(folded == word for word in GUESSES.get(key, [])):
                mapping[key] = header
                used.add(header)
                break
    return mapping


def check_column_mapping(mapping: dict, headers: list[str]) -> list[tuple[str, str]]:
    """Problems with a column mapping, as (field, message); empty when it can be used."""
    problems = []
    for key, header in mapping.items():
        if key not in FIELD_KEYS or header not in headers:
            problems.append((key, "Choose a column of this file."))
    has_names = (
        "parent_first_name" in mapping and "parent_last_name" in mapping
    ) or "parent_full_name" in mapping
    # A file of cases or contacts names no parent: each row names one imported before, by the
    # parent's or the case's old id (``_Importer.batch``).
    if not has_names and not ({"parent_id", "case_id"} & set(mapping)):
        problems.append(
            (
                "parent_last_name",
                "Choose the columns of the parent's first and last names (or full name), or, for a "
                "file of cases or contacts whose parents were imported before, the column of the "
                "parent's or the case's id in the old system.",
            )
        )
    contact_fields = {"contact_id", "contact_time", "channel", "topic", "outcome", "duration", "notes"}
    if contact_fields & set(mapping) and "contact_date" not in mapping:
        problems.append(("contact_date", "Choose the column of the contact's date."))
    if "contact_date" in mapping:
        for key, label in (
            ("channel", "channel"),
            ("topic", "topic"),
            ("outcome", "outcome"),
            ("duration", "time spent"),
        ):
            if key not in mapping:
                problems.append(
                    (key, f"Choose the column of the contact's {label}: every contact needs one.")
                )
    child_fields = {"child_id", "child_last_name", "child_date_of_birth", "need", "provision"}
    if child_fields & set(mapping) and "child_first_name" not in mapping:
        problems.append(("child_first_name", "Choose the column of the child's first name."))
    seen = {}
    for key, header in mapping.items():
        if header in seen:
            problems.append((key, "This column is already chosen for another field."))
        seen[header] = key
    return problems


@transaction.atomic
def set_column_mapping(*, by, run: ImportRun, mapping: dict) -> ImportRun:
    """Save the columns' mapping, remember it for the source's next file, and read the values of
    the list columns (topics, outcomes...) to map next."""
    require_importer(by)
    _require_status(run, {ImportRun.Status.UPLOADED, ImportRun.Status.MAPPED, ImportRun.Status.PREVIEWED})
    mapping = {key: header for key, header in mapping.items() if header}
    problems = check_column_mapping(mapping, run.headers)
    if problems:
        raise ImportError_(problems[0][1])
    distinct = distinct_values(run, mapping)
    for key, values in distinct.items():
        if len(values) > MAX_DISTINCT:
            raise ImportError_(
                f"The column chosen for {key.replace('_', ' ')} has more than {MAX_DISTINCT} different "
                "values: it is free text, not a list. Choose another column, or none."
            )
    run.column_mapping = mapping
    # Remembered with the choices for the system's other files (parents, cases, contacts...):
    # a field whose column is in this file is as chosen now.
    kept = {
        key: header
        for key, header in (run.source.column_mapping or {}).items()
        if key not in mapping and header not in run.headers
    }
    run.source.column_mapping = {**kept, **mapping}
    run.source.save(update_fields=["column_mapping"])
    run.preview = {"values": {key: sorted(values) for key, values in distinct.items()}}
    run.value_mapping = guessed_value_mapping(run)
    run.status = ImportRun.Status.MAPPED
    run.save()
    return run


def _require_status(run, allowed):
    if run.status not in allowed:
        raise ImportError_("This import has moved on: that step can no longer be changed.")


def distinct_values(run: ImportRun, mapping: dict) -> dict[str, set]:
    """The different values of each mapped list column (topics split on ``;``)."""
    found = {key: set() for key in VALUE_FIELDS if key in mapping}
    with file_rows(run) as (_, records, _epoch):
        for _, record in records:
            for key, values in found.items():
                if len(values) > MAX_DISTINCT:
                    continue  # free text, not a list: refused, and not read further
                cell = record.get(mapping[key])
                values.update((split_list(cell) if key == "topic" else [text(cell)]) or [""])
    return found


# Value mapping ----------------------------------------------------------------------------------


def choices_for(service, key: str) -> list[tuple[str, str]]:
    """What an old value of ``key`` may become: (stored value, label)."""
    if key == "topic":
        return [(str(t.pk), t.name) for t in Topic.objects.filter(service=service, is_active=True)]
    if key == "outcome":
        return [(str(o.pk), o.name) for o in Outcome.objects.filter(service=service, is_active=True)]
    if key == "channel":
        return list(Contact.Channel.choices)
    if key == "need":
        return [("", "Not recorded"), *Child.Need.choices]
    if key == "provision":
        return list(Child.Provision.choices)
    if key == "consent":
        return [
            (NOT_RECORDED, "Not recorded: flag the case so it is recorded at the next contact"),
            *((value, f"Recorded: {label.lower()}") for value, label in Consent.Method.choices),
        ]
    raise KeyError(key)


SYNONYMS = {
    "channel": {
        "telephone": "phone",
        "tel": "phone",
        "phone call": "phone",
        "call": "phone",
        "e-mail": "email",
        "face to face": "meeting",
        "face-to-face": "meeting",
        "home visit": "meeting",
        "sms": "text",
        "text": "text",
        "teams": "video",
        "zoom": "video",
        "video": "video",
    },
    "provision": {"": "none", "ehcp": "ehc_plan", "sen support": "sen_support", "ehc plan": "ehc_plan"},
    "consent": {
        "": NOT_RECORDED,
        "no": NOT_RECORDED,
        "n": NOT_RECORDED,
        "false": NOT_RECORDED,
        "0": NOT_RECORDED,
    },
    "need": {"": ""},
}


def guess_value(service, key: str, old: str, choices=None) -> str | None:
    """The product value an old value is surely the same as, else None (to be chosen)."""
    folded = fold(old).strip()
    if folded in SYNONYMS.get(key, {}):
        return SYNONYMS[key][folded]
    for value, label in choices if choices is not None else choices_for(service, key):
        if folded and folded in {fold(value), fold(label)}:
            return value
        if key == "need" and folded and folded == fold(value):
            return value
    return None


def guessed_value_mapping(run: ImportRun) -> dict:
    """The source's remembered value mapping, else sure guesses; unknown values stay unmapped."""
    remembered = run.source.value_mapping or {}
    mapping = {}
    for key, olds in run.preview.get("values", {}).items():
        choices = choices_for(run.service, key)
        allowed = {value for value, _ in choices} | {REFUSE}
        mapping[key] = {}
        for old in olds:
            value = remembered.get(key, {}).get(old)
            if value is None or value not in allowed:
                value = guess_value(run.service, key, old, choices)
            if value is not None:
                mapping[key][old] = value
    return mapping


def unmapped_values(run: ImportRun, mapping: dict | None = None) -> dict[str, list[str]]:
    """Old values with no product value chosen yet, by field: never silently dropped."""
    mapping = run.value_mapping if mapping is None else mapping
    return {
        key: [old for old in olds if old not in mapping.get(key, {})]
        for key, olds in run.preview.get("values", {}).items()
        if any(old not in mapping.get(key, {}) for old in olds)
    }


@transaction.atomic
def set_value_mapping(*, by, run: ImportRun, mapping: dict) -> ImportRun:
    """Save what each old value becomes (every one must be chosen), remember it for the source,
    then preview the import."""
    require_importer(by)
    _require_status(run, {ImportRun.Status.MAPPED, ImportRun.Status.PREVIEWED})
    clean = {}
    for key, olds in run.preview.get("values", {}).items():
        allowed = {value for value, _ in choices_for(run.service, key)} | {REFUSE}
        clean[key] = {}
        for old in olds:
            value = mapping.get(key, {}).get(old)
            if value is not None and value in allowed:
                clean[key][old] = value
    missing = unmapped_values(run, clean)
    if missing:
        key = next(iter(missing))
        raise ImportError_(
            f"Choose what each value of the {key} column becomes ({len(missing[key])} not chosen)."
        )
    run.value_mapping = clean
    remembered = dict(run.source.value_mapping or {})
    for key, values in clean.items():
        remembered[key] = {**remembered.get(key, {}), **values}
    run.source.value_mapping = remembered
    run.source.save(update_fields=["value_mapping"])
    run.preview = {**run.preview, **make_preview(run)}
    run.status = ImportRun.Status.PREVIEWED
    run.save()
    return run


# Reading one row --------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    parent_key: str
    first_name: str
    last_name: str
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    consent_method: str = ""  # empty: not recorded in the old system
    child_key: str = ""
    child: dict = field(default_factory=dict)
    case_key: str = ""
    case_opened_on: object = None
    case_closed_on: object = None
    case_summary: str = ""
    contact_key: str = ""
    contact: dict = field(default_factory=dict)
    #: The file gave the case's old id (not a digest standing for the parent's first case).
    case_id_given: bool = False
    #: The key of the first case a row with no case id opens for the parent (a file of
    #: parents): a later file's first case of the parent takes it over (``_Importer``).
    first_case_key: str = ""

    @property
    def has_names(self) -> bool:
        """False: a row of a file of cases or contacts, whose parent must be imported before."""
        return bool(self.first_name and self.last_name)

    @property
    def reachable(self) -> bool:
        return bool(self.phone or self.email or self.address)


#: Why a row that names no parent, and no parent or case imported before, is refused.
PARENT_NOT_IMPORTED = (
    "This row has no parent's name, and its parent (old id) was not imported before from this "
    "system (an earlier file, or an earlier row of this file): import the parents' file first."
)
CASE_NOT_IMPORTED = (
    "This row has no parent's name or id, and its case (old id) was not imported before from this "
    "system (an earlier file, or an earlier row of this file): import the cases' file first."
)
NO_WAY_OF_CONTACT = "There is no phone, email or address: no way to contact the parent."


def _through_case(case_key: str) -> str:
    """The key standing for the parent of the row's case, in a row that gives only the case's
    old id (never stored: such a row makes no parent)."""
    return THROUGH_CASE + case_key


THROUGH_CASE = "\x1fcase\x1f"


def _is_through_case(parent_key: str) -> bool:
    return parent_key.startswith(THROUGH_CASE)


def _digest(*parts) -> str:
    """A keyed digest standing for an old id the file does not give (no plaintext stored)."""
    return "~" + crypto.blind_index("name", "\x1f".join(str(part) for part in parts))


LIMITS = {"first_name": 100, "last_name": 100, "phone": 40, "email": 254, "address": 500, "postcode": 10}


class RowReader:
    """Turns a file's row into a ``Row`` under a run's mappings, or refuses it (``RowRefused``)."""

    def __init__(self, run: ImportRun, epoch=None):
        self.run = run
        self.columns = run.column_mapping
        self.values = run.value_mapping
        self.epoch = epoch
        self.today = timezone.localdate()
        self.topics = {str(t.pk): t for t in Topic.objects.filter(service=run.service)}
        self.outcomes = {str(o.pk): o for o in Outcome.objects.filter(service=run.service)}
        self.summary = f"Imported from {run.source.name}."

    def cell(self, record, key):
        header = self.columns.get(key)
        return record.get(header) if header else None

    def text(self, record, key) -> str:
        return text(self.cell(record, key))

    def mapped(self, record, key, label) -> str:
        old = self.text(record, key)
        value = self.values.get(key, {}).get(old)
        if value is None:
            raise RowRefused(f"The {label} is not one of the values mapped.")
        if value == REFUSE:
            raise RowRefused(f"The {label} is one of the values chosen to be refused.")
        return value

    def date(self, record, key, label):
        try:
            return parse_date(self.cell(record, key), epoch=self.epoch)
        except BadValue as problem:
            raise RowRefused(f"The {label} {problem}.") from None

    def read(self, number: int, record: dict) -> Row:
        if "parent_full_name" in self.columns and not (
            self.text(record, "parent_first_name") or self.text(record, "parent_last_name")
        ):
            first, last = split_full_name(self.text(record, "parent_full_name"))
        else:
            first, last = self.text(record, "parent_first_name"), self.text(record, "parent_last_name")
        old_parent = self.text(record, "parent_id")
        if (first or last or not (old_parent or self.text(record, "case_id"))) and not (first and last):
            raise RowRefused("The parent's first or last name is missing.")
        # No names at all, but an old id: the parent must have been imported before, from this
        # system (``_Importer``, ``make_preview``), so its details are not needed here.
        row = Row(number=number, parent_key="", first_name=first, last_name=last)
        row.phone = self.text(record, "phone")
        row.email = self.text(record, "email").lower()
        row.address = self.text(record, "address")
        row.postcode = self.text(record, "postcode").upper()
        for name, limit in LIMITS.items():
            if len(getattr(row, name)) > limit:
                raise RowRefused(f"The parent's {name.replace('_', ' ')} is longer than {limit} characters.")
        if row.email:
            try:
                validate_email(row.email)
            except ValidationError:
                raise RowRefused("The email is not a valid email address.") from None
        if row.has_names and not row.reachable and not old_parent:
            # Refused at once: a parent named only by details needs a way of contact (one with
            # an old id may have been imported before; if not, ``_Importer`` refuses the row).
            raise RowRefused(NO_WAY_OF_CONTACT)
        if "consent" in self.columns:
            method = self.mapped(record, "consent", "consent to keep details")
            row.consent_method = "" if method == NOT_RECORDED else method
        if old_parent:
            row.parent_key = old_parent
        elif row.has_names:
            row.parent_key = _digest("parent", fold(first), fold(last), phone_digits(row.phone), row.email)
        # else: only the case's old id; its parent is the case's (``_Importer.batch``).
        self._child(row, record)
        self._case(row, record)
        self._contact(row, record)
        return row

    def _child(self, row: Row, record) -> None:
        first = self.text(record, "child_first_name")
        if not first:
            return
        born = self.date(record, "child_date_of_birth", "child's date of birth")
        if born and born > self.today:
            raise RowRefused("The child's date of birth is in the future.")
        if born and born.year < self.today.year - 30:
            raise RowRefused("The child's date of birth is more than 30 years ago.")
        last = self.text(record, "child_last_name")
        if len(first) > 100 or len(last) > 100:
            raise RowRefused("The child's name is longer than 100 characters.")
        row.child = {
            "first_name": first,
            "last_name": last,
            "date_of_birth": born,
            "need": self.mapped(record, "need", "type of need") if "need" in self.columns else "",
            "provision": (
                self.mapped(record, "provision", "SEN provision")
                if "provision" in self.columns
                else Child.Provision.NONE
            ),
        }
        row.child_key = self.text(record, "child_id") or _digest(
            "child", self._who(row, record), fold(first), born.isoformat() if born else ""
        )

    def _who(self, row: Row, record) -> str:
        """What a digest standing for the row's child or contact is keyed to: its parent, or
        (a row giving only the case's old id) its case."""
        return row.parent_key or _through_case(self.text(record, "case_id"))

    def _case(self, row: Row, record) -> None:
        old_case = self.text(record, "case_id")
        row.case_id_given = bool(old_case)
        if row.parent_key:
            row.first_case_key = _digest("case", row.parent_key)
        row.case_key = old_case or row.first_case_key
        row.case_opened_on = self.date(record, "case_opened_on", "date the case was opened")
        row.case_closed_on = self.date(record, "case_closed_on", "date the case was closed")
        for when, label in ((row.case_opened_on, "opened"), (row.case_closed_on, "closed")):
            if when and when > self.today:
                raise RowRefused(f"The date the case was {label} is in the future.")
        if row.case_opened_on and row.case_closed_on and row.case_closed_on < row.case_opened_on:
            raise RowRefused("The case was closed before it was opened.")
        row.case_summary = self.text(record, "case_summary")[:2000] or self.summary

    def _contact(self, row: Row, record) -> None:
        if "contact_date" not in self.columns:
            return
        try:
            parsed = parse_datetime(self.cell(record, "contact_date"), epoch=self.epoch)
        except BadValue as problem:
            raise RowRefused(f"The contact date {problem}.") from None
        if parsed is None:
            if any(self.text(record, key) for key in ("contact_id", "notes", "duration")):
                raise RowRefused("The contact date is missing.")
            return
        on, at = parsed
        try:
            at = parse_time(self.cell(record, "contact_time")) or at
        except BadValue as problem:
            raise RowRefused(f"The contact time {problem}.") from None
        occurred_at = timezone.make_aware(datetime.combine(on, at or DEFAULT_CONTACT_TIME))
        if occurred_at > timezone.now():
            raise RowRefused("The contact date is in the future.")
        try:
            minutes = parse_minutes(self.cell(record, "duration"))
        except BadValue as problem:
            raise RowRefused(f"The time spent {problem}.") from None
        if minutes is None:
            raise RowRefused("The time spent is missing.")
        if not 0 < minutes <= casework.MAX_CONTACT_MINUTES:
            raise RowRefused("The time spent must be between 1 and 720 minutes.")
        olds = split_list(self.cell(record, "topic")) or [""]
        topic_ids = []
        for old in olds:
            value = self.values.get("topic", {}).get(old)
            if value is None:
                raise RowRefused("A topic is not one of the values mapped.")
            if value == REFUSE:
                raise RowRefused("A topic is one of the values chosen to be refused.")
            topic_ids.append(value)
        topics = [self.topics[pk] for pk in dict.fromkeys(topic_ids) if pk in self.topics]
        outcome = self.outcomes.get(self.mapped(record, "outcome", "outcome"))
        if outcome is None or not topics:
            raise RowRefused("A topic or the outcome is no longer on the service's lists.")
        notes = self.text(record, "notes") if "notes" in self.columns else ""
        if len(notes) > 10000:
            raise RowRefused("The notes are longer than 10,000 characters.")
        row.contact = {
            "occurred_at": occurred_at,
            "channel": self.mapped(record, "channel", "channel"),
            "duration_minutes": minutes,
            "topics": topics,
            "outcome": outcome,
            "notes": str(self.cell(record, "notes") or "").strip() if "notes" in self.columns else "",
        }
        row.contact_key = self.text(record, "contact_id") or _digest(
            "contact",
            self._who(row, record),
            occurred_at.isoformat(),
            row.contact["channel"],
            ",".join(sorted(topic_ids)),
            str(outcome.pk),
            minutes,
            row.contact["notes"],
        )


# Duplicates -------------------------------------------------------------------------------------


class DuplicateFinder:
    """Parents already in the service who are likely the row's parent: the same phone, the same
    email, or the same name with a child of the same date of birth. Matched through the blind
    indexes of ``cases.search`` (the fields themselves are encrypted)."""

    def __init__(self, service):
        self.service = service
        #: {(kind, digest): {parent id: None, ...}} (in the order heard of) once ``look_ahead``
        #: has run.
        self.held = None
        #: Parents to be registered with the batch, not saved yet: {id: (parent, children)}.
        self.unsaved = {}

    @staticmethod
    def _probes(row: Row):
        digits = phone_digits(row.phone)
        if len(digits) >= 6:
            yield "phone", digits
        if row.email:
            yield "email", row.email.strip().casefold()
        if row.child.get("date_of_birth"):
            for word in name_words(f"{row.first_name} {row.last_name}"):
                yield "name", word[:30]

    def look_ahead(self, rows) -> None:
        """Read, in a few queries, every index entry ``find`` may look for in ``rows``; parents
        saved after this must be told of (``heard_of``)."""
        wanted = {
            (kind, crypto.blind_index(kind, value)) for row in rows for kind, value in self._probes(row)
        }
        self.held = defaultdict(dict)
        by_kind = defaultdict(list)
        for kind, digest in sorted(wanted):
            by_kind[kind].append(digest)
        # By kind, as the index (service, kind, value) is ordered: a lookup by value alone
        # would read the whole service's entries.
        for kind, digests in by_kind.items():
            for start in range(0, len(digests), BATCH):
                for digest, parent_id in ParentSearchToken.objects.filter(
                    service=self.service, kind=kind, value__in=digests[start : start + BATCH]
                ).values_list("value", "parent_id"):
                    self.held[(kind, digest)][parent_id] = None

    def heard_of(self, parent: Parent, children=()) -> None:
        """A parent saved since ``look_ahead``, or to be saved with the batch (``children``: the
        children saved with them): found from now on, as the index would find it."""
        if self.held is not None:
            for kind, digest in stored_tokens(parent):
                self.held[(kind, digest)][parent.pk] = None
        if parent._state.adding:
            self.unsaved[parent.pk] = (parent, list(children))

    def forget(self, parent: Parent) -> None:
        """A parent ``heard_of`` whose row was refused: no longer found."""
        self.unsaved.pop(parent.pk, None)
        if self.held is not None:
            for kind, digest in stored_tokens(parent):
                self.held.get((kind, digest), {}).pop(parent.pk, None)

    def saved(self) -> None:
        """The parents to be registered were saved: found in the database from now on."""
        self.unsaved = {}

    def _holders(self, kind: str, value: str) -> dict:
        """The ids of parents holding the value, as the keys of a dict in the order heard of
        (not to be changed by the caller)."""
        digest = crypto.blind_index(kind, value)
        if self.held is not None:
            return self.held.get((kind, digest), {})
        return dict.fromkeys(
            ParentSearchToken.objects.filter(service=self.service, kind=kind, value=digest).values_list(
                "parent_id", flat=True
            )
        )

    def find(self, row: Row) -> tuple[Parent | None, str]:
        """(the existing parent, why) or (None, "")."""
        digits = phone_digits(row.phone)
        if len(digits) >= 6 and (found := self._holders("phone", digits)):
            return self._parent(next(iter(found))), "same phone number"
        if row.email and (found := self._holders("email", row.email.strip().casefold())):
            return self._parent(next(iter(found))), "same email address"
        born = row.child.get("date_of_birth")
        words = name_words(f"{row.first_name} {row.last_name}")
        if born and words:
            # From the rarest word's holders: a common first name is held by thousands.
            lists = sorted((self._holders("name", word[:30]) for word in words), key=len)
            holding = {pk for pk in lists[0] if all(pk in ids for ids in lists[1:])}
            name = fold(f"{row.first_name} {row.last_name}")
            for pk in sorted(holding & self.unsaved.keys(), key=str):
                parent, children = self.unsaved[pk]
                if fold(parent.full_name) == name and any(c.date_of_birth == born for c in children):
                    return parent, "same name and child's date of birth"
            saved = holding - self.unsaved.keys()
            if saved:
                for parent in Parent.objects.filter(pk__in=saved, service=self.service).exclude(data_key=""):
                    if fold(parent.full_name) != name:
                        continue
                    key = parent.household_key()
                    for child in parent.children.all():
                        child.use_household_key(key)
                        if child.date_of_birth == born:
                            return parent, "same name and child's date of birth"
        return None, ""

    def _parent(self, pk):
        if pk in self.unsaved:
            return self.unsaved[pk][0]
        return Parent.objects.exclude(data_key="").filter(pk=pk, service=self.service).first()


# Preview ----------------------------------------------------------------------------------------


def _already(source, kind, keys) -> set:
    if not keys:
        return set()
    return set(
        ImportedRecord.objects.filter(source=source, kind=kind, old_id__in=list(keys)).values_list(
            "old_id", flat=True
        )
    )


def make_preview(run: ImportRun) -> dict:
    """What the import would do, read from the whole file without writing anything: counts of
    parents, children, cases and contacts to create, rows refused (row number and problem), and
    rows whose parent looks like one already in the service (merged, not duplicated)."""
    finder = DuplicateFinder(run.service)
    parents, merged, children, cases = {}, set(), set(), set()
    counts = {"rows": 0, "contacts": 0, "refused": 0, "already_imported": 0, "duplicates": 0}
    refusals, duplicates = [], []
    with file_rows(run) as (_, records, epoch):
        reader = RowReader(run, epoch)
        batch = []

        def flush():
            keys = {kind: set() for kind in ImportedRecord.Kind.values}
            for row in batch:
                keys["parent"].add(row.parent_key)
                keys["child"].add(row.child_key)
                keys["case"].add(row.case_key)
                keys["contact"].add(row.contact_key)
            known = {kind: _already(run.source, kind, k - {""}) for kind, k in keys.items()}
            finder.look_ahead([row for row in batch if row.has_names and row.parent_key not in parents])
            for row in batch:
                problem = None
                if not row.parent_key:  # only the case's old id: the case must be known
                    if row.case_key not in known["case"] and row.case_key not in cases:
                        problem = CASE_NOT_IMPORTED
                elif row.parent_key in parents or row.parent_key in known["parent"]:
                    pass
                elif not row.has_names:
                    problem = PARENT_NOT_IMPORTED
                elif not row.reachable and not finder.find(row)[0]:
                    problem = NO_WAY_OF_CONTACT
                if problem:
                    counts["refused"] += 1
                    if len(refusals) < MAX_REFUSALS_KEPT:
                        refusals.append({"row": row.number, "problem": problem})
                    continue
                if row.parent_key and row.parent_key not in parents:
                    if row.parent_key in known["parent"]:
                        parents[row.parent_key] = "known"
                    else:
                        existing, why = finder.find(row)
                        parents[row.parent_key] = "merged" if existing else "new"
                        if existing:
                            merged.add(row.parent_key)
                            counts["duplicates"] += 1
                            if len(duplicates) < MAX_DUPLICATES_KEPT:
                                duplicates.append({"row": row.number, "why": why})
                if row.child_key and row.child_key not in known["child"]:
                    children.add(row.child_key)
                if row.case_key not in known["case"]:
                    cases.add(row.case_key)
                if row.contact_key:
                    if row.contact_key in known["contact"]:
                        counts["already_imported"] += 1
                    else:
                        counts["contacts"] += 1
            batch.clear()

        for number, record in records:
            counts["rows"] += 1
            try:
                batch.append(reader.read(number, record))
            except RowRefused as refused:
                counts["refused"] += 1
                if len(refusals) < MAX_REFUSALS_KEPT:
                    refusals.append({"row": number, "problem": refused.problem})
            if len(batch) >= BATCH:
                flush()
        flush()
    refusals.sort(key=lambda refusal: refusal["row"])
    return {
        "rows": counts["rows"],
        "parents": sum(1 for state in parents.values() if state == "new"),
        "parents_merged": len(merged),
        "children": len(children),
        "cases": len(cases),
        "contacts": counts["contacts"],
        "already_imported": counts["already_imported"],
        "refused": counts["refused"],
        "refusals": refusals,
        "duplicates": duplicates,
    }


# Import -----------------------------------------------------------------------------------------


@transaction.atomic
def confirm(*, by, run: ImportRun, start: bool = True) -> ImportRun:
    """Queue the previewed import and start it in the background (``start=False``: the caller
    runs it, as the command does)."""
    require_importer(by)
    _require_status(run, {ImportRun.Status.PREVIEWED})
    run.status = ImportRun.Status.QUEUED
    run.rows_total = run.preview.get("rows", 0)
    run.heartbeat_at = timezone.now()
    run.save()
    if start:
        start_in_background(run.pk)
    return run


def is_interrupted(run: ImportRun) -> bool:
    """Waiting or running, but no progress saved for ``STALE_AFTER``: the worker is gone (the
    server restarted before or while it worked)."""
    return run.status in {ImportRun.Status.QUEUED, ImportRun.Status.RUNNING} and (
        run.heartbeat_at is None or run.heartbeat_at < timezone.now() - STALE_AFTER
    )


@transaction.atomic
def resume(*, by, run: ImportRun, start: bool = True) -> ImportRun:
    """Start an interrupted or stopped import again, from its last saved batch."""
    require_importer(by)
    if not (run.status == ImportRun.Status.FAILED or is_interrupted(run)):
        raise ImportError_("This import is not interrupted: there is nothing to resume.")
    if not run.stored_name:
        raise ImportError_("The uploaded file has been deleted: upload it again.")
    run.status = ImportRun.Status.QUEUED
    run.failure = ""
    run.heartbeat_at = timezone.now()
    run.save(update_fields=["status", "failure", "heartbeat_at"])
    if start:
        start_in_background(run.pk)
    return run


def start_in_background(run_id) -> None:
    """Run the import in a thread of this process once the transaction commits (or at once,
    in the same thread, with ``IMPORTS_RUN_INLINE``). If the process stops, the run shows as
    interrupted and can be resumed (page or command)."""
    if settings.IMPORTS_RUN_INLINE:
        run_import(run_id)
        return
    thread = threading.Thread(target=_thread_main, args=(run_id,), name="import", daemon=True)
    transaction.on_commit(thread.start)


def _thread_main(run_id) -> None:
    close_old_connections()
    try:
        run_import(run_id)
    finally:
        connections.close_all()


def _claim(run_id) -> bool:
    """Take the run for this worker; False when another worker has it or it is not waiting."""
    now = timezone.now()
    waiting = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED)
    stale = ImportRun.objects.filter(
        pk=run_id, status=ImportRun.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    claimed = (waiting | stale).update(status=ImportRun.Status.RUNNING, heartbeat_at=now)
    return claimed == 1


@contextlib.contextmanager
def _audited_as_import(run: ImportRun):
    """Every audit entry written inside names the import and its uploader as actor."""
    try:
        previous = auditlog_value.get()
    except LookupError:
        previous = None
    try:
        with set_extra_data(
            {"actor": run.uploaded_by, "additional_data": {"how": "import", "import": str(run.pk)}}
        ):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


def run_import(run_id) -> ImportRun | None:
    """Import a confirmed run's rows, in batches, from where it last stopped. Safe to call
    twice: only one worker takes a run, and rows already imported are skipped."""
    if not _claim(run_id):
        return None
    run = ImportRun.objects.select_related("source", "service", "uploaded_by").get(pk=run_id)
    if run.started_at is None:
        run.started_at = timezone.now()
        run.save(update_fields=["started_at"])
    try:
        with _audited_as_import(run):
            _import_rows(run)
    except (ImportError_, readers.UnreadableFile, storage.StoredFileDamaged) as problem:
        logger.warning("import %s stopped: %s", run.pk, type(problem).__name__)
        _stop(run, "The file could not be read again: upload it again.")
        return run
    except Exception as problem:  # noqa: BLE001 - the worker records that it stopped, whatever stopped it
        logger.error("import %s stopped at row %s: %s", run.pk, run.rows_done, type(problem).__name__)
        _stop(run, f"The import stopped unexpectedly after {run.rows_done} rows. Resume it to carry on.")
        return run
    _finish(run)
    return run


def _stop(run, failure: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, failure=failure[:300])


def _finish(run) -> None:
    run.refresh_from_db()
    delete_upload(run)
    run.status = ImportRun.Status.DONE
    run.finished_at = timezone.now()
    run.save()


class _Importer:
    """Writes one batch of rows through ``cases.services``."""

    def __init__(self, run: ImportRun):
        self.run = run
        self.by = run.uploaded_by
        self.finder = DuplicateFinder(run.service)
        self.counts = {}

    def count(self, name, n=1):
        self.counts[name] = self.counts.get(name, 0) + n

    def _record(self, kind, old_id, record_id) -> ImportedRecord:
        return ImportedRecord(
            source=self.run.source, kind=kind, old_id=old_id, record_id=record_id, run=self.run
        )

    def _remember(self, kind, old_id, record_id):
        """Kept with the row until it is saved, then written with the batch's (``batch``)."""
        self.row_records.append(self._record(kind, old_id, record_id))

    def batch(self, rows: list[Row]) -> None:
        keys = {kind: set() for kind in ImportedRecord.Kind.values}
        for row in rows:
            keys["parent"].add(row.parent_key)
            keys["child"].add(row.child_key)
            keys["case"].add(row.case_key)
            keys["case"].add(row.first_case_key)
            keys["contact"].add(row.contact_key)
        self.known = {}
        for kind, wanted in keys.items():
            wanted.discard("")
            self.known[kind] = (
                dict(
                    ImportedRecord.objects.filter(
                        source=self.run.source, kind=kind, old_id__in=list(wanted)
                    ).values_list("old_id", "record_id")
                )
                if wanted
                else {}
            )
        self.finder.look_ahead(
            [row for row in rows if row.has_names and row.parent_key not in self.known["parent"]]
        )
        self.cases = {c.pk: c for c in Case.objects.filter(pk__in=list(self.known["case"].values()))}
        wanted = {*self.known["parent"].values(), *(case.parent_id for case in self.cases.values())}
        parents = Parent.objects.filter(pk__in=list(wanted)).exclude(data_key="")
        self.parents = {p.pk: p for p in parents}
        for case in self.cases.values():
            if case.parent_id in self.parents:
                case.parent = self.parents[case.parent_id]
        self.adopted = set()  # first cases taken over by a case of this batch (``_first_case``)
        self.records, self.contacts, self.registrations = [], [], []
        for row in rows:
            before = dict(self.counts)
            self.row_records, self.row_contact, self.row_registration = [], None, None
            self.row_found = (None, "")
            if not row.parent_key:
                # Only the case's old id: the parent is that of the case, imported before or
                # earlier in this batch; if it was not, the row is refused (``_register``).
                row.parent_key = _through_case(row.case_key)
                case = self.cases.get(self.known["case"].get(row.case_key))
                if case is not None:
                    self.known["parent"][row.parent_key] = case.parent_id
            if row.has_names and row.parent_key not in self.known["parent"]:
                self.row_found = self.finder.find(row)
            try:
                # A row that only adds a contact to a parent and case already made, or that
                # registers a new parent, writes nothing until the records gathered from the
                # batch's rows are saved together: it needs no savepoint. Any other row (a
                # parent merged, a child added, a case opened for a parent saved) works on
                # saved records, after the rows before it, as if each row were saved in turn:
                # what was gathered is saved first.
                if self._adds_only_a_contact(row) or self._registers(row):
                    savepoint = contextlib.nullcontext()
                else:
                    self._write_gathered()
                    savepoint = transaction.atomic()
                with savepoint, audit.entries_written_together():
                    self.row(row)
            except RowRefused as refused:
                self._undo_row(before, row)
                self.refuse(row.number, refused.problem)
            except casework.CaseworkError as refused:
                self._undo_row(before, row)
                self.refuse(row.number, " ".join(refused.messages))
            except IntegrityError:
                self._undo_row(before, row)
                self.refuse(row.number, "Its old ids clash with another row's (one id for two records).")
            else:
                if sum(self.counts.values()) == sum(before.values()):
                    self.count("rows_already_imported")
                self.records += self.row_records
                if self.row_registration is not None:
                    self.registrations.append(self.row_registration)
                if self.row_contact is not None:
                    self.contacts.append(self.row_contact)
        self._write_gathered()
        ImportedRecord.objects.bulk_create(self.records)  # the old ids of everything made

    def _adds_only_a_contact(self, row: Row) -> bool:
        return (
            self.known["parent"].get(row.parent_key) in self.parents
            and self.known["case"].get(row.case_key) in self.cases
            and (not row.child_key or row.child_key in self.known["child"])
        )

    def _registers(self, row: Row) -> bool:
        """The row's parent is new: not imported before, not found in the service."""
        return row.parent_key not in self.known["parent"] and self.row_found[0] is None

    def _write_gathered(self) -> None:
        """Save what the rows so far gathered, each checked as its row was read: the new parents
        with their children and first cases, registered together, then the contacts, logged
        together."""
        if self.registrations:
            casework.register_parents(by=self.by, registrations=self.registrations, imported=True)
            self.registrations = []
            self.finder.saved()
        if self.contacts:
            logged = casework.log_case_contacts(
                by=self.by, contacts=[contact for _, contact in self.contacts], imported=True
            )
            self.records += [
                self._record("contact", key, contact.pk)
                for (key, _), contact in zip(self.contacts, logged, strict=True)
            ]
            self.contacts = []

    def _undo_row(self, counts, row):
        """A refused row leaves nothing: its records were rolled back with its savepoint, or
        (a new parent) never written."""
        self.counts = counts
        if self.row_registration is not None:
            self.finder.forget(self.row_registration.parent)
        for kind, key in (
            ("parent", row.parent_key),
            ("child", row.child_key),
            ("case", row.case_key),
            ("contact", row.contact_key),
        ):
            if any(record.kind == kind and record.old_id == key for record in self.row_records):
                self.known[kind].pop(key, None)
        if self.row_contact is not None:
            self.known["contact"].pop(row.contact_key, None)

    def refuse(self, number, problem):
        self.count("rows_refused")
        if len(self.run.refusals) < MAX_REFUSALS_KEPT:
            self.run.refusals.append({"row": number, "problem": problem})

    def _child(self, row: Row) -> Child:
        return Child(**row.child)

    def row(self, row: Row) -> None:
        parent, case, new_case = self._parent_and_case(row)
        if row.child_key and row.child_key not in self.known["child"]:
            self._add_child(row, parent)
        if new_case and row.case_closed_on and not case._state.adding:
            casework.close_case(
                by=self.by,
                case=case,
                reason=f"Closed in {self.run.source.name}.",
                imported=True,
                closed_at=_at_noon(row.case_closed_on),
            )
        if row.contact_key and row.contact_key not in self.known["contact"]:
            details = casework.ContactDetails(
                occurred_at=row.contact["occurred_at"],
                channel=row.contact["channel"],
                direction=Contact.Direction.INCOMING,
                duration_minutes=row.contact["duration_minutes"],
                topics=row.contact["topics"],
                outcome=row.contact["outcome"],
            )
            casework.check_case_contact(by=self.by, case=case, details=details, imported=True)
            # Logged with the batch's other contacts (``batch``); a later row with the same old
            # id is already imported.
            self.row_contact = (
                row.contact_key,
                casework.CaseContact(case=case, details=details, notes=row.contact["notes"]),
            )
            self.known["contact"][row.contact_key] = None
            self.count("contacts_created")

    def _parent_and_case(self, row: Row):
        """The row's parent and case, made (or merged) if not imported yet; and whether the case
        is new."""
        parent = self.parents.get(self.known["parent"].get(row.parent_key))
        if parent is None:
            existing, _why = self.row_found
            if existing is None:
                return self._register(row)
            parent = existing
            self.parents[parent.pk] = parent
            self.known["parent"][row.parent_key] = parent.pk
            self._remember("parent", row.parent_key, parent.pk)
            self.count("parents_merged")
        case = self.cases.get(self.known["case"].get(row.case_key))
        if case is not None:
            return parent, case, False
        case = self._first_case(row, parent)
        if case is not None:
            # The parent's first case, opened by a file of parents, becomes this one.
            opened_at, closed_at = _at_noon(row.case_opened_on), _at_noon(row.case_closed_on)
            if opened_at is None and closed_at is not None and closed_at < case.opened_at:
                opened_at = closed_at  # no opening date: not after it closed
            casework.update_imported_case(
                by=self.by,
                case=case,
                summary=row.case_summary,
                opened_at=opened_at,
                closed_at=closed_at,
                closed_reason=f"Closed in {self.run.source.name}." if row.case_closed_on else "",
            )
            self.adopted.add(case.pk)
            self._new_case(row, case)
            return parent, case, False
        has_consent = Consent.objects.filter(parent=parent, keeps_details=True).exists()
        if row.consent_method and not has_consent:
            record_consent_to_keep_details(
                by=self.by,
                parent=parent,
                method=row.consent_method,
                parent_was_told=self.run.service.why_we_keep_statement,
            )
            has_consent = True
        case = casework.open_case(
            by=self.by,
            parent=parent,
            summary=row.case_summary,
            imported=True,
            opened_at=_at_noon(row.case_opened_on or timezone.localdate(row.contact.get("occurred_at"))),
            consent_not_recorded=not has_consent,
        )
        case.parent = parent
        self._new_case(row, case)
        return parent, case, True

    def _first_case(self, row: Row, parent: Parent) -> Case | None:
        """The first case a file of parents opened for the row's parent (keyed by no case id),
        if the row brings a case's old id and that case is still as it was opened: open, no
        contact on it, not taken over by another case already."""
        if not row.case_id_given:
            return None
        case = self.cases.get(self.known["case"].get(row.first_case_key))
        if case is None or case.parent_id != parent.pk or not case.is_open or case.pk in self.adopted:
            return None
        keyed = ImportedRecord.objects.filter(source=self.run.source, kind="case", record_id=case.pk)
        taken = keyed.exclude(old_id=row.first_case_key).exists()
        if taken or Contact.objects.filter(case=case).exists():
            return None
        return case

    def _new_case(self, row, case):
        self.cases[case.pk] = case
        self.known["case"][row.case_key] = case.pk
        self._remember("case", row.case_key, case.pk)
        self.count("cases_created")

    def _register(self, row: Row):
        if not row.has_names:
            raise RowRefused(CASE_NOT_IMPORTED if _is_through_case(row.parent_key) else PARENT_NOT_IMPORTED)
        if not row.reachable:
            raise RowRefused(NO_WAY_OF_CONTACT)
        parent = Parent(
            first_name=row.first_name,
            last_name=row.last_name,
            phone=row.phone,
            email=row.email,
            address=row.address,
            postcode=row.postcode,
            preferred_contact=(
                Parent.PreferredContact.PHONE
                if row.phone
                else Parent.PreferredContact.EMAIL
                if row.email
                else Parent.PreferredContact.LETTER
            ),
            parental_responsibility=Parent.ParentalResponsibility.YES,
        )
        children = [self._child(row)] if row.child_key and row.child_key not in self.known["child"] else []
        registration = casework.Registration(
            parent=parent,
            children=children,
            case_summary=row.case_summary,
            consent_method=row.consent_method,
            opened_at=_at_noon(row.case_opened_on or timezone.localdate(row.contact.get("occurred_at"))),
            closed_at=_at_noon(row.case_closed_on),
            closed_reason=f"Closed in {self.run.source.name}." if row.case_closed_on else "",
        )
        # Saved with the batch's other new parents (``_register_gathered``).
        case = casework.check_registration(by=self.by, registration=registration, imported=True)
        self.row_registration = registration
        self.parents[parent.pk] = parent
        self.finder.heard_of(parent, children)
        self.known["parent"][row.parent_key] = parent.pk
        self._remember("parent", row.parent_key, parent.pk)
        self.count("parents_created")
        if children:
            self.known["child"][row.child_key] = children[0].pk
            self._remember("child", row.child_key, children[0].pk)
            self.count("children_created")
        self._new_case(row, case)
        return parent, case, True

    def _add_child(self, row: Row, parent: Parent) -> None:
        wanted = (fold(row.child["first_name"]), row.child["date_of_birth"])
        key = parent.household_key()
        for child in parent.children.all():
            child.use_household_key(key)
            if (fold(child.first_name), child.date_of_birth) == wanted:
                break  # a merged parent's child already in the system
        else:
            child = casework.add_child(by=self.by, parent=parent, child=self._child(row), imported=True)
            self.count("children_created")
        self.known["child"][row.child_key] = child.pk
        self._remember("child", row.child_key, child.pk)


def _at_noon(day):
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, DEFAULT_CONTACT_TIME))


COUNTERS = [
    "parents_created",
    "parents_merged",
    "children_created",
    "cases_created",
    "contacts_created",
    "rows_already_imported",
    "rows_refused",
]


def _import_rows(run: ImportRun) -> None:
    """The rows after ``run.rows_done``, a batch per transaction; progress saved with each."""
    with file_rows(run) as (_, records, epoch):
        reader = RowReader(run, epoch)
        done = batches = 0
        pending, refused_reading = [], []
        for number, record in records:
            done += 1
            if done <= run.rows_done:
                continue  # imported before the run was interrupted
            try:
                pending.append(reader.read(number, record))
            except RowRefused as refused:
                refused_reading.append((number, refused.problem))
            if len(pending) + len(refused_reading) >= BATCH:
                _save_batch(run, pending, refused_reading, done)
                pending, refused_reading = [], []
                batches += 1
                if batches & (batches - 1) == 0:  # after batches 1, 2, 4, 8...
                    _refresh_planner_statistics()
        _save_batch(run, pending, refused_reading, done)
    _refresh_planner_statistics(vacuum=True)


#: The tables an import fills: their planner statistics are refreshed as they grow.
GROWING = [Parent, ParentSearchToken, Child, Case, Contact, ImportedRecord]


def _refresh_planner_statistics(*, vacuum: bool = False) -> None:
    """On PostgreSQL, ANALYZE the tables an import fills, each time they have about doubled:
    planning its lookups (search tokens, old ids, a parent's cases) for the few rows the tables
    held when it began would soon mean reading them whole. ANALYZE samples a bounded number of
    rows, so each costs about the same whatever the table's size. At the end (``vacuum``),
    VACUUM as well: it marks the new rows visible to all, so that counts on the dashboard (a
    service's open cases) are answered from the index alone rather than by reading each row,
    until autovacuum would have come round to it. Outside the batches' transactions only (the
    command and the worker), never inside a caller's."""
    connection = connections["default"]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in GROWING)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}" if vacuum else f"ANALYZE {tables}")


@transaction.atomic
def _save_batch(run, rows, refused_reading, done) -> None:
    importer = _Importer(run)
    run.refusals = list(run.refusals)
    for number, problem in refused_reading:
        importer.refuse(number, problem)
    with audit.entries_written_together():  # the batch's audit entries, in one statement
        importer.batch(rows)
    for name in COUNTERS:
        setattr(run, name, getattr(run, name) + importer.counts.get(name, 0))
    run.rows_done = max(run.rows_done, done)
    run.heartbeat_at = timezone.now()
    # Progress only (counters, no personal data): saved without an audit entry per batch.
    ImportRun.objects.filter(pk=run.pk).update(
        rows_done=run.rows_done,
        heartbeat_at=run.heartbeat_at,
        refusals=run.refusals,
        **{name: getattr(run, name) for name in COUNTERS},
    )
