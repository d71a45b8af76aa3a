"""Importing a service's records: mapping, preview, refusals, duplicates, re-runs, resume,
consent, encryption and audit."""

import pytest
from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from cases import services as casework
from cases.models import Case, Child, Contact, Parent
from consent.models import Consent
from imports import services, storage
from imports.models import ImportRun
from tests.factories import make_case
from tests.imports.helpers import MAPPING, csv_bytes, imported, previewed, row, upload

TWO_PARENTS = [
    row(),
    row(**{"Contact ID": "T2", "Contact date": "12/09/2023", "Topic": "Transport"}),
    row(
        **{
            "Client ID": "P2",
            "First name": "Barnaby",
            "Surname": "Fettiplace",
            "Telephone": "07700 900789",
            "Child ID": "C2",
            "Child first name": "Isolde",
            "Case ID": "K2",
            "Contact ID": "T3",
        }
    ),
]


def test_it_guesses_columns_from_their_headers(head):
    run = upload(head, csv_bytes([row()]))
    assert run.column_mapping["parent_last_name"] == "Surname"
    assert run.column_mapping["phone"] == "Telephone"
    assert run.column_mapping["child_date_of_birth"] == "DOB"
    assert run.column_mapping["channel"] == "Method"


def test_it_remembers_the_mapping_for_the_next_file_of_the_same_system(head):
    first = upload(head, csv_bytes([row()], header=["Ref", *MAPPING_HEADERS[1:]]))
    mapping = {**MAPPING, "parent_id": "Ref"}
    services.set_column_mapping(by=head, run=first, mapping=mapping)
    second = upload(head, csv_bytes([row()], header=["Ref", *MAPPING_HEADERS[1:]]))
    assert second.column_mapping["parent_id"] == "Ref"


MAPPING_HEADERS = list(MAPPING.values())


def test_unknown_values_are_listed_not_dropped(head):
    run = upload(head, csv_bytes([row(), row(**{"Topic": "Blue badge", "Contact ID": "T9"})]))
    run = services.set_column_mapping(by=head, run=run, mapping=MAPPING)
    missing = services.unmapped_values(run)
    assert "Blue badge" in missing["topic"]
    assert "EHC needs assessment" not in missing.get("topic", [])  # the same name: matched
    assert run.value_mapping["channel"]["Telephone"] == "phone"
    with pytest.raises(services.ImportError_, match="topic"):
        services.set_value_mapping(by=head, run=run, mapping=run.value_mapping)


def test_the_preview_counts_what_will_be_created(head):
    run = previewed(head, csv_bytes(TWO_PARENTS))
    assert run.status == ImportRun.Status.PREVIEWED
    counts = {key: run.preview[key] for key in ("parents", "children", "cases", "contacts", "refused")}
    assert counts == {"parents": 2, "children": 2, "cases": 2, "contacts": 3, "refused": 0}
    assert not Parent.objects.exists()  # a preview writes nothing


@pytest.mark.parametrize(
    "values, problem",
    [
        ({"First name": ""}, "first or last name is missing"),
        ({"Client ID": "P9", "First name": "Barnaby", "Telephone": "", "Email": ""}, "no way to contact"),
        ({"Email": "not-an-address"}, "not a valid email"),
        ({"DOB": "04/13/2015"}, "month first"),
        ({"DOB": "31/02/2015"}, "not a real date"),
        ({"DOB": "03/04/15"}, "two-digit year"),
        ({"DOB": "01/01/2090"}, "in the future"),
        ({"Contact date": "next Tuesday"}, "not a date"),
        ({"Contact date": "05/09/2099"}, "in the future"),
        ({"Contact time": "25:00"}, "time"),
        ({"Minutes": ""}, "time spent is missing"),
        ({"Minutes": "900"}, "between 1 and 720"),
        ({"Minutes": "about ten"}, "not a number of minutes"),
        ({"Case opened": "01/09/2023", "Case closed": "01/08/2023"}, "closed before it was opened"),
        ({"Contact date": "", "Contact ID": "T1"}, "contact date is missing"),
    ],
)
def test_each_kind_of_bad_row_is_refused_with_its_row_number(head, values, problem):
    run = previewed(
        head, csv_bytes([row(Email="ottoline@example.org"), row(**{"Contact ID": "T2", **values})])
    )
    assert run.preview["refused"] == 1
    [refusal] = run.preview["refusals"]
    assert refusal["row"] == 3
    assert problem in refusal["problem"]
    for value in values.values():
        if value:
            assert value not in refusal["problem"]  # the problem, never the cell


def test_a_value_chosen_to_be_refused_refuses_its_rows(head):
    data = csv_bytes([row(), row(**{"Method": "Carrier pigeon", "Contact ID": "T2"})])
    run = previewed(head, data, chosen={("channel", "Carrier pigeon"): services.REFUSE})
    assert [r["row"] for r in run.preview["refusals"]] == [3]


def test_uk_iso_and_excel_serial_dates_are_all_read(head):
    rows = [
        row(**{"DOB": "2015-04-03", "Contact ID": "T1"}),
        row(**{"DOB": "03/04/2015", "Contact ID": "T2", "Contact date": "2023-09-05 14:15"}),
        row(**{"DOB": "42097", "Contact ID": "T3", "Contact date": "45174"}),  # Excel serials
    ]
    run = imported(head, csv_bytes(rows))
    assert run.rows_refused == 0, run.refusals
    child = Child.objects.get()
    assert child.date_of_birth.isoformat() == "2015-04-03"  # 03/04 is 3 April: day first
    times = sorted(c.occurred_at.date().isoformat() for c in Contact.objects.all())
    assert times == ["2023-09-05", "2023-09-05", "2023-09-05"]


def test_it_imports_through_the_casework_functions(head):
    run = imported(head, csv_bytes(TWO_PARENTS))
    assert run.status == ImportRun.Status.DONE
    assert (run.parents_created, run.children_created, run.cases_created, run.contacts_created) == (
        2,
        2,
        2,
        3,
    )
    ottoline = next(p for p in Parent.objects.all() if p.last_name == "Quarrender")
    case = ottoline.cases.get()
    assert case.opened_at.date().isoformat() == "2023-09-01"
    assert case.contacts.count() == 2
    assert {t.name for c in case.contacts.all() for t in c.topics.all()} == {
        "EHC needs assessment",
        "Transport",
    }
    assert [c.duration_minutes for c in case.contacts.order_by("occurred_at")] == [30, 30]
    assert case.contacts.get(occurred_at__date="2023-09-05").notes == "Discussed the assessment request"
    assert casework.find_parents(head, "Quarrender", record=False) == [ottoline]  # indexed for search
    assert casework.find_parents(head, "07700 900789", record=False)[0].first_name == "Barnaby"


def test_a_closed_case_is_closed_on_its_old_date_and_keeps_its_contacts(head):
    rows = [row(**{"Case closed": "30/09/2023"}), row(**{"Contact ID": "T2", "Contact date": "20/09/2023"})]
    imported(head, csv_bytes(rows))
    case = Case.objects.get()
    assert case.status == Case.Status.CLOSED
    assert case.closed_at.date().isoformat() == "2023-09-30"
    assert case.contacts.count() == 2


def test_importing_the_same_file_twice_creates_nothing_twice(head):
    data = csv_bytes(TWO_PARENTS)
    imported(head, data)
    again = imported(head, data)
    assert (Parent.objects.count(), Child.objects.count(), Case.objects.count(), Contact.objects.count()) == (
        2,
        2,
        2,
        3,
    )
    assert again.contacts_created == 0
    assert again.rows_already_imported == 3
    preview = previewed(head, data).preview
    assert (preview["parents"], preview["contacts"], preview["already_imported"]) == (0, 0, 3)


def test_a_file_without_old_ids_is_still_imported_once(head):
    header = ["Parent name", "Phone", "Contact date", "Channel", "Topic", "Outcome", "Duration"]
    rows = [
        ["Quarrender, Ottoline", "07700 900456", "05/09/2023", "Email", "Transport", "Advice given", "20"]
    ] * 2
    rows.append(
        ["Barnaby Fettiplace", "07700 900789", "06/09/2023", "Email", "Transport", "Advice given", "20"]
    )
    mapping = {
        "parent_full_name": "Parent name",
        "phone": "Phone",
        "contact_date": "Contact date",
        "channel": "Channel",
        "topic": "Topic",
        "outcome": "Outcome",
        "duration": "Duration",
    }
    data = csv_bytes(rows, header=header)
    run = imported(head, data, mapping=mapping)
    assert (run.parents_created, run.contacts_created) == (2, 2)  # two identical rows: one contact
    imported(head, data, mapping=mapping)
    assert (Parent.objects.count(), Contact.objects.count()) == (2, 2)
    assert {p.first_name for p in Parent.objects.all()} == {"Ottoline", "Barnaby"}


def test_a_parent_already_in_the_system_is_merged_not_duplicated(caseworker, head):
    make_case(caseworker, first_name="Ottoline", last_name="Quarrender", phone="07700 900456")
    run = previewed(head, csv_bytes([row()]))
    assert run.preview["parents"] == 0 and run.preview["parents_merged"] == 1
    assert run.preview["duplicates"] == [{"row": 2, "why": "same phone number"}]
    run = imported(head, csv_bytes([row()]))
    assert Parent.objects.count() == 1
    assert run.parents_merged == 1
    assert Case.objects.count() == 2  # the old system's case joins the parent's own


def test_duplicates_by_email_and_by_name_with_a_childs_date_of_birth(caseworker, head):
    make_case(
        caseworker,
        first_name="Hepzibah",
        last_name="Marchbanks",
        phone="",
        email="hm@example.org",
        preferred_contact="email",
    )
    existing = make_case(
        caseworker, first_name="Ottoline", last_name="Quarrender", phone="01632 960001"
    ).parent
    child = existing.children.get()
    child.date_of_birth = __import__("datetime").date(2015, 4, 3)
    child.save()
    rows = [
        row(
            **{
                "Client ID": "P7",
                "First name": "Hepzibah",
                "Surname": "Marchbanks",
                "Telephone": "",
                "Email": "HM@example.org",
                "Contact ID": "T7",
            }
        ),
        row(**{"Telephone": "07700 900999"}),  # another phone, same name and child's birthday
        row(
            **{
                "Client ID": "P8",
                "First name": "Ottoline",
                "Surname": "Quarrender",
                "Telephone": "07700 900111",
                "DOB": "04/04/2015",
                "Contact ID": "T8",
                "Child ID": "C8",
            }
        ),  # another child: a different parent
    ]
    preview = previewed(head, csv_bytes(rows)).preview
    assert preview["duplicates"] == [
        {"row": 2, "why": "same email address"},
        {"row": 3, "why": "same name and child's date of birth"},
    ]
    assert preview["parents"] == 1


def test_an_import_interrupted_half_way_resumes_where_it_stopped(head, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    rows = [
        row(
            **{
                "Contact ID": f"T{n}",
                "Client ID": f"P{n}",
                "Case ID": f"K{n}",
                "Child ID": f"C{n}",
                "Telephone": f"07700 90010{n}",
                "First name": name,
            }
        )
        for n, name in enumerate(["Ottoline", "Barnaby", "Hepzibah", "Lysander", "Wilhelmina"])
    ]
    run = previewed(head, csv_bytes(rows))
    real = services._Importer.batch
    calls = []

    def dies_on_the_second_batch(self, batch):
        calls.append(len(batch))
        if len(calls) == 2:
            raise OSError("the server went away")
        return real(self, batch)

    monkeypatch.setattr(services._Importer, "batch", dies_on_the_second_batch)
    with transaction.atomic():
        services.confirm(by=head, run=run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert "Resume" in run.failure
    assert (run.rows_done, Contact.objects.count()) == (2, 2)
    assert run.stored_name  # kept, still encrypted, for the resume
    services.resume(by=head, run=run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert (Contact.objects.count(), Parent.objects.count(), run.contacts_created) == (5, 5, 5)


@pytest.mark.parametrize("status", [ImportRun.Status.QUEUED, ImportRun.Status.RUNNING])
def test_a_run_whose_worker_vanished_shows_as_interrupted_and_resumes(head, status):
    from django.utils import timezone

    run = previewed(head, csv_bytes(TWO_PARENTS))
    ImportRun.objects.filter(pk=run.pk).update(
        status=status, heartbeat_at=timezone.now() - timezone.timedelta(minutes=10)
    )
    run.refresh_from_db()
    assert services.is_interrupted(run)
    services.resume(by=head, run=run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.contacts_created == 3


def test_records_without_consent_in_the_old_system_are_flagged_until_it_is_recorded(head, caseworker):
    rows = [
        row(**{"GDPR consent": ""}),
        row(
            **{
                "Client ID": "P2",
                "First name": "Barnaby",
                "Case ID": "K2",
                "Contact ID": "T2",
                "Telephone": "07700 900789",
                "Child ID": "C2",
            }
        ),
    ]
    imported(head, csv_bytes(rows))
    flagged = Case.objects.get(consent_not_recorded=True)
    assert flagged.parent.first_name == "Ottoline"
    assert not Consent.objects.filter(parent=flagged.parent).exists()
    barnaby = Case.objects.get(consent_not_recorded=False).parent
    assert Consent.objects.get(parent=barnaby).method == "oral_phone"
    from consent.services import record_consent_to_keep_details

    record_consent_to_keep_details(by=head, parent=flagged.parent, method="oral_phone", parent_was_told="Why")
    flagged.refresh_from_db()
    assert not flagged.consent_not_recorded


def test_imported_records_are_encrypted_and_each_audited_once_naming_the_import(head):
    run = imported(head, csv_bytes(TWO_PARENTS))
    for table in ("cases_parent", "cases_child", "cases_case", "cases_contact"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            raw = repr(cursor.fetchall())
        for plain in ("Quarrender", "Ottoline", "Peregrine", "900456", "Discussed the assessment"):
            assert plain not in raw, (table, plain)
    entry = get_logentry_model()
    for model in (Parent, Child, Case, Contact):
        content_type = ContentType.objects.get_for_model(model)
        for record in model.objects.all():
            created = entry.objects.filter(
                content_type=content_type, object_pk=str(record.pk), action=entry.Action.CREATE
            )
            assert created.count() == 1
            assert created.get().additional_data["import"] == str(run.pk)
            assert created.get().actor == head
    everything = repr(list(entry.objects.values_list("changes", "object_repr", "additional_data")))
    for plain in ("Quarrender", "Ottoline", "Peregrine", "900456"):
        assert plain not in everything


def test_the_uploaded_file_is_stored_encrypted_and_deleted_at_the_end(head, settings):
    run = previewed(head, csv_bytes(TWO_PARENTS))
    stored = storage.folder() / run.stored_name
    assert b"Quarrender" not in stored.read_bytes()
    with transaction.atomic():
        services.confirm(by=head, run=run)
    run.refresh_from_db()
    assert not stored.exists() and run.stored_name == "" and run.file_deleted_at
    assert run.contacts_created == 3  # the report stays


def test_a_stored_file_that_was_altered_is_not_read(head):
    run = upload(head, csv_bytes(TWO_PARENTS))
    stored = storage.folder() / run.stored_name
    data = bytearray(stored.read_bytes())
    data[40] ^= 1
    stored.write_bytes(bytes(data))
    with pytest.raises(storage.StoredFileDamaged), services.open_upload(run) as stream:
        stream.read()


def test_only_the_head_of_service_and_a_maintainer_may_import(caseworker, senior, coordinator, maintainer):
    from django.http import Http404

    for person in (caseworker, senior, coordinator):
        with pytest.raises(Http404):
            upload(person, csv_bytes([row()]))
    assert upload(maintainer, csv_bytes([row()])).uploaded_by == maintainer


def test_a_maintainer_is_never_shown_the_rows(maintainer, head):
    run = upload(maintainer, csv_bytes([row()]))
    assert services.first_rows(run, by=maintainer) == []
    assert services.first_rows(run, by=head)[0][1] == "Ottoline"


def test_a_free_text_column_cannot_be_mapped_as_a_list(head, monkeypatch):
    monkeypatch.setattr(services, "MAX_DISTINCT", 3)
    rows = [row(**{"Contact ID": f"T{n}", "Topic": f"Topic number {n}"}) for n in range(6)]
    run = upload(head, csv_bytes(rows))
    with pytest.raises(services.ImportError_, match="free text"):
        services.set_column_mapping(by=head, run=run, mapping=MAPPING)
