"""Separate files from one old system, linked by its ids: a file of parents, then one of cases,
then one of contacts import what the same records in one file import."""

import csv
import html
import io
from pathlib import Path

from auditlog import get_logentry_model
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse

from cases.models import Case, CaseEvent, Contact, Parent
from imports import services
from imports.models import ImportRun
from reports.models import DailyCount
from tests.conftest import client_for
from tests.imports.helpers import imported, previewed
from tests.imports.test_batches import _other_head
from tests.imports.test_command import run_command

PARENT = {
    "parent_id": "Client ID",
    "parent_first_name": "First name",
    "parent_last_name": "Surname",
    "phone": "Telephone",
    "postcode": "Postcode",
    "consent": "GDPR consent",
    "child_id": "Child ID",
    "child_first_name": "Child first name",
    "child_date_of_birth": "DOB",
}
CASE = {
    "case_id": "Case ID",
    "case_opened_on": "Case opened",
    "case_closed_on": "Case closed",
    "case_summary": "Summary",
}
CONTACT = {
    "contact_id": "Contact ID",
    "contact_date": "Contact date",
    "channel": "Method",
    "topic": "Topic",
    "outcome": "Outcome",
    "duration": "Minutes",
}

PARENTS = [
    {
        "Client ID": "P1",
        "First name": "Ottoline",
        "Surname": "Quarrender",
        "Telephone": "07700 900456",
        "Postcode": "CT1 1AA",
        "GDPR consent": "Yes",
        "Child ID": "C1",
        "Child first name": "Peregrine",
        "DOB": "03/04/2015",
    },
    {
        "Client ID": "P2",
        "First name": "Barnaby",
        "Surname": "Fettiplace",
        "Telephone": "07700 900789",
        "Postcode": "ME14 2LL",
        "GDPR consent": "",
        "Child ID": "C2",
        "Child first name": "Isolde",
        "DOB": "20/11/2012",
    },
]
CASES = [
    {
        "Client ID": "P1",
        "Case ID": "K1",
        "Case opened": "01/09/2023",
        "Case closed": "30/11/2023",
        "Summary": "Assessment",
    },
    {"Client ID": "P1", "Case ID": "K2", "Case opened": "01/02/2024", "Case closed": "", "Summary": "Review"},
    {
        "Client ID": "P2",
        "Case ID": "K3",
        "Case opened": "02/10/2023",
        "Case closed": "",
        "Summary": "Exclusion",
    },
]
CONTACTS = [
    {"Client ID": "P1", "Case ID": "K1", "Contact ID": "T1", "Contact date": "05/09/2023", "Minutes": "30"},
    {"Client ID": "P1", "Case ID": "K1", "Contact ID": "T2", "Contact date": "12/09/2023", "Minutes": "15"},
    {"Client ID": "P1", "Case ID": "K2", "Contact ID": "T3", "Contact date": "05/02/2024", "Minutes": "45"},
    {"Client ID": "P2", "Case ID": "K3", "Contact ID": "T4", "Contact date": "03/10/2023", "Minutes": "20"},
]
CONTACT_VALUES = {"Method": "Telephone", "Topic": "EHC needs assessment", "Outcome": "Advice given"}


def table(rows, mapping) -> bytes:
    headers = list(dict.fromkeys(mapping.values()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for values in rows:
        writer.writerow([values.get(header, "") for header in headers])
    return out.getvalue().encode()


def contacts_file(rows=CONTACTS, *, parent_id=True):
    mapping = {**({"parent_id": "Client ID"} if parent_id else {}), "case_id": "Case ID", **CONTACT}
    return table([{**CONTACT_VALUES, **values} for values in rows], mapping), mapping


def single_file():
    """The same records, one row per contact, as one file."""
    parents = {values["Client ID"]: values for values in PARENTS}
    cases = {values["Case ID"]: values for values in CASES}
    rows = [{**parents[c["Client ID"]], **cases[c["Case ID"]], **CONTACT_VALUES, **c} for c in CONTACTS]
    return table(rows, {**PARENT, **CASE, **CONTACT}), {**PARENT, **CASE, **CONTACT}


def import_linked(by, *, contacts=None):
    runs = [
        imported(by, table(PARENTS, PARENT), mapping=PARENT),
        imported(
            by, table(CASES, {"parent_id": "Client ID", **CASE}), mapping={"parent_id": "Client ID", **CASE}
        ),
    ]
    data, mapping = contacts or contacts_file()
    runs.append(imported(by, data, mapping=mapping))
    for run in runs:
        assert run.status == ImportRun.Status.DONE
        assert run.rows_refused == 0, run.refusals
    return runs


def made(service):
    """What the service holds, without its ids: parents, cases (with their timeline), contacts,
    and the statistics' sums."""
    parents = sorted(
        (p.last_name, p.phone, sorted(c.first_name for c in p.children.all()))
        for p in Parent.objects.filter(service=service)
    )
    cases = sorted(
        (
            case.parent.last_name,
            case.summary,
            case.status,
            case.opened_at,
            case.closed_at,
            case.consent_not_recorded,
            sorted((e.kind, e.at) for e in CaseEvent.objects.filter(case=case)),
            sorted((c.occurred_at, c.duration_minutes) for c in Contact.objects.filter(case=case)),
        )
        for case in Case.objects.filter(service=service).select_related("parent")
    )
    counts = (
        DailyCount.objects.filter(service=service)
        .values_list("grain", "day", "figure")
        .annotate(total=Sum("n"), spent=Sum("minutes"))
        .order_by("grain", "day", "figure")
    )
    return parents, cases, [count for count in counts if count[3:] != (0, 0)]


def test_parents_then_cases_then_contacts_make_what_one_file_makes(head, other_service):
    data, mapping = single_file()
    whole = imported(head, data, mapping=mapping)
    assert whole.rows_refused == 0, whole.refusals
    import_linked(_other_head(other_service))

    expected, got = made(head.service), made(other_service)
    for what, mine, theirs in zip(["parents", "cases", "statistics"], got, expected, strict=True):
        assert mine == theirs, what
    assert len(got[1]) == 3  # each parent's first case became K1 and K3: no empty case left
    assert Contact.objects.filter(service=other_service).count() == 4


def test_the_parents_first_case_becomes_the_first_case_of_the_cases_file(head):
    parents = imported(head, table(PARENTS, PARENT), mapping=PARENT)
    [first] = [case for case in Case.objects.all() if case.parent.last_name == "Quarrender"]
    assert parents.cases_created == 2
    cases = imported(
        head, table(CASES, {"parent_id": "Client ID", **CASE}), mapping={"parent_id": "Client ID", **CASE}
    )
    assert (cases.parents_created, cases.cases_created, cases.rows_already_imported) == (0, 3, 0)
    assert Case.objects.count() == 3
    first.refresh_from_db()
    assert (first.summary, first.status, first.closed_at.date().isoformat()) == (
        "Assessment",
        Case.Status.CLOSED,
        "2023-11-30",
    )
    assert [e.at.date().isoformat() for e in CaseEvent.objects.filter(case=first).order_by("at")] == [
        "2023-09-01",
        "2023-11-30",
    ]
    changes = get_logentry_model().objects.filter(
        content_type=ContentType.objects.get_for_model(Case), object_pk=str(first.pk)
    )
    assert [(e.action, e.additional_data["import"]) for e in changes.order_by("timestamp")] == [
        (LogEntry.Action.CREATE, str(parents.pk)),
        (LogEntry.Action.UPDATE, str(cases.pk)),
    ]
    again = imported(
        head, table(CASES, {"parent_id": "Client ID", **CASE}), mapping={"parent_id": "Client ID", **CASE}
    )
    assert (again.cases_created, again.rows_already_imported, Case.objects.count()) == (0, 3, 3)


def test_a_first_case_with_contacts_already_is_kept_and_a_new_case_opened(head):
    imported(head, table(PARENTS[:1], PARENT), mapping=PARENT)
    data, mapping = contacts_file(
        [{"Client ID": "P1", "Contact ID": "T9", "Contact date": "01/08/2023", "Minutes": "5"}]
    )
    mapping = {key: value for key, value in mapping.items() if key != "case_id"}
    imported(head, data, mapping=mapping)  # onto the first case, by the parent's id alone
    cases = imported(
        head, table(CASES[:1], {"parent_id": "Client ID", **CASE}), mapping={"parent_id": "Client ID", **CASE}
    )
    assert cases.cases_created == 1
    assert Case.objects.count() == 2
    assert Contact.objects.get().case.summary == "Imported from Charitylog."


def test_a_contacts_file_with_only_case_ids_finds_each_parent_through_the_case(head):
    data, mapping = contacts_file(parent_id=False)
    assert "parent_id" not in mapping
    runs = import_linked(head, contacts=(data, mapping))
    assert runs[2].preview["parents"] == 0 and runs[2].preview["cases"] == 0
    assert runs[2].contacts_created == 4
    assert sorted((c.case.parent.last_name, c.duration_minutes) for c in Contact.objects.all()) == [
        ("Fettiplace", 20),
        ("Quarrender", 15),
        ("Quarrender", 30),
        ("Quarrender", 45),
    ]
    again = imported(head, data, mapping=mapping)
    assert (again.preview["contacts"], again.preview["already_imported"]) == (0, 4)
    assert (again.contacts_created, again.rows_already_imported) == (0, 4)
    assert Contact.objects.count() == 4 and Case.objects.count() == 3 and Parent.objects.count() == 2


def test_re_running_the_contacts_file_creates_nothing_twice(head):
    import_linked(head)
    data, mapping = contacts_file()
    again = imported(head, data, mapping=mapping)
    assert (again.contacts_created, again.cases_created, again.rows_already_imported) == (0, 0, 4)
    assert Contact.objects.count() == 4


def test_a_row_naming_a_parent_or_case_not_imported_is_refused_with_its_row_number(head):
    imported(head, table(PARENTS, PARENT), mapping=PARENT)
    cases = [*CASES, {"Client ID": "P404", "Case ID": "K9", "Case opened": "01/09/2023", "Summary": "x"}]
    run = previewed(
        head, table(cases, {"parent_id": "Client ID", **CASE}), mapping={"parent_id": "Client ID", **CASE}
    )
    assert (run.preview["parents"], run.preview["cases"], run.preview["refused"]) == (0, 3, 1)
    assert run.preview["refusals"] == [{"row": 5, "problem": services.PARENT_NOT_IMPORTED}]
    assert "P404" not in services.PARENT_NOT_IMPORTED
    run = imported(
        head, table(cases, {"parent_id": "Client ID", **CASE}), mapping={"parent_id": "Client ID", **CASE}
    )
    assert run.refusals == [{"row": 5, "problem": services.PARENT_NOT_IMPORTED}]
    assert Parent.objects.count() == 2

    data, mapping = contacts_file(
        [*CONTACTS, {"Case ID": "K404", "Contact ID": "T9", "Contact date": "03/10/2023", "Minutes": "5"}],
        parent_id=False,
    )
    run = imported(head, data, mapping=mapping)
    assert run.preview["refusals"] == [{"row": 6, "problem": services.CASE_NOT_IMPORTED}]
    assert run.refusals == [{"row": 6, "problem": services.CASE_NOT_IMPORTED}]
    assert (run.contacts_created, Contact.objects.count(), Case.objects.count()) == (4, 4, 3)


def test_a_parent_imported_earlier_in_the_same_file_may_be_named_by_id_alone(head):
    rows = [
        {**PARENTS[0], **CASES[0], **CONTACT_VALUES, **CONTACTS[0]},
        {"Client ID": "P1", **CASES[1], **CONTACT_VALUES, **CONTACTS[2]},
    ]
    mapping = {**PARENT, **CASE, **CONTACT}
    run = imported(head, table(rows, mapping), mapping=mapping)
    assert run.rows_refused == 0, run.refusals
    assert (run.preview["parents"], run.preview["cases"], run.preview["contacts"]) == (1, 2, 2)
    assert (Parent.objects.count(), Case.objects.count(), Contact.objects.count()) == (1, 2, 2)


def test_the_mapping_page_takes_a_file_without_names_when_an_id_column_is_chosen(head):
    client = client_for(head)
    imported(head, table(PARENTS, PARENT), mapping=PARENT)
    data, mapping = contacts_file(parent_id=False)
    client.post(
        reverse("imports:import_list"),
        {"source": "Charitylog", "file": SimpleUploadedFile("contacts.csv", data)},
    )
    run = ImportRun.objects.first()
    url = reverse("imports:import_columns", args=[run.pk])
    response = client.post(url, {**{key: "" for key in PARENT}, **mapping})
    assert response.status_code == 302 and response.url == reverse("imports:import_values", args=[run.pk])
    response = client.post(url, {**{key: "" for key in mapping}, "contact_date": "Contact date"})
    assert response.status_code == 200
    assert "the column of the parent's or the case's id" in html.unescape(response.content.decode())


SAMPLES = Path(services.__file__).parent / "samples" / "linked"


def test_the_linked_sample_files_import_from_the_command_line_in_order(head):
    outputs = [
        run_command(
            str(SAMPLES / f"{name}.csv"), "--mapping", str(SAMPLES / f"{name}.json"), "--by", head.username
        )
        for name in ("parents", "cases", "contacts")
    ]
    assert "Imported: 3 parents created" in outputs[0]
    assert "0 parents created" in outputs[1] and "4 cases" in outputs[1] and "1 rows refused" in outputs[1]
    assert "row 6: This row has no parent's name, and its parent (old id)" in outputs[1]
    assert "5 contacts" in outputs[2] and "row 7: This row has no parent's name or id" in outputs[2]
    assert (Parent.objects.count(), Case.objects.count(), Contact.objects.count()) == (3, 4, 5)


def test_each_file_of_the_system_gets_the_columns_chosen_for_its_kind_last_time(head):
    from tests.imports.helpers import upload

    services.set_column_mapping(by=head, run=upload(head, table(PARENTS, PARENT)), mapping=PARENT)
    cases = {"parent_id": "Client ID", **CASE}
    services.set_column_mapping(by=head, run=upload(head, table(CASES, cases)), mapping=cases)
    assert upload(head, table(PARENTS, PARENT)).column_mapping == PARENT
    assert upload(head, table(CASES, cases)).column_mapping == cases


def test_a_case_closed_with_no_opening_date_takes_over_the_first_case_closed(head):
    imported(head, table(PARENTS[:1], PARENT), mapping=PARENT)
    rows = [{"Client ID": "P1", "Case ID": "K1", "Case closed": "30/11/2023", "Summary": "Assessment"}]
    run = imported(
        head, table(rows, {"parent_id": "Client ID", **CASE}), mapping={"parent_id": "Client ID", **CASE}
    )
    assert run.rows_refused == 0, run.refusals
    case = Case.objects.get()
    assert (case.status, case.opened_at, case.closed_at.date().isoformat()) == (
        Case.Status.CLOSED,
        case.closed_at,
        "2023-11-30",
    )
