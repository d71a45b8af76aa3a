"""An import's rows are written in batches (``imports.services.BATCH``), each batch's contacts
logged together (``cases.services.log_case_contacts``): where the batches fall changes nothing
in what is imported, counted or audited, and an import stopped between batches resumes."""

from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from cases.models import Case, Child, Contact, ContactChild, Parent
from imports import services
from imports.models import ImportedRecord, ImportRun
from pps.models import Role, User
from tests.imports.helpers import csv_bytes, imported, previewed, row
from tests.markers import requires_postgres


def _parent(n, name, **values):
    return {
        "Client ID": f"P{n}",
        "First name": name,
        "Telephone": f"07700 90020{n}",
        "Child ID": f"C{n}",
        "Case ID": f"K{n}",
        **values,
    }


#: Three parents; the first's contacts fall in three batches of three, one row is refused (no
#: time spent), one repeats a contact id already in its batch (imported once).
ROWS = [
    row(**_parent(1, "Ottoline", **{"Contact ID": "T1"})),
    row(**_parent(1, "Ottoline", **{"Contact ID": "T2", "Contact date": "12/09/2023", "Topic": "Transport"})),
    row(**_parent(2, "Barnaby", **{"Contact ID": "T3", "Case closed": "30/09/2023"})),
    row(**_parent(1, "Ottoline", **{"Contact ID": "T4", "Minutes": ""})),
    row(**_parent(2, "Barnaby", **{"Contact ID": "T5", "Contact date": "20/09/2023", "Method": "Email"})),
    row(**_parent(2, "Barnaby", **{"Contact ID": "T5", "Contact date": "20/09/2023", "Method": "Email"})),
    row(**_parent(1, "Ottoline", **{"Contact ID": "T6", "Contact date": "01/08/2023", "Minutes": "45"})),
    row(**_parent(3, "Hepzibah", **{"Contact ID": "T7", "Child ID": ""})),
]


def _snapshot(service, run):
    """What the import made in ``service``, with the ids that differ between services left out."""
    contacts = sorted(
        (
            contact.case.parent.first_name,
            contact.occurred_at,
            contact.channel,
            contact.duration_minutes,
            contact.notes,
            sorted(topic.name for topic in contact.topics.all()),
            contact.outcome.name,
            ContactChild.objects.filter(contact=contact).count(),
        )
        for contact in Contact.objects.filter(service=service).select_related("case__parent", "outcome")
    )
    cases = sorted(
        (case.parent.first_name, case.status, case.opened_at, case.closed_at)
        for case in Case.objects.filter(service=service).select_related("parent")
    )
    records = sorted(
        ImportedRecord.objects.filter(run=run).values_list("kind", "old_id"), key=lambda record: record
    )
    counts = {name: getattr(run, name) for name in services.COUNTERS}
    entries = {}
    entry_model = get_logentry_model()
    for model in (Parent, Child, Case, Contact):
        content_type = ContentType.objects.get_for_model(model)
        pks = [str(pk) for pk in model.objects.filter(**_of(model, service)).values_list("pk", flat=True)]
        found = entry_model.objects.filter(content_type=content_type, object_pk__in=pks)
        entries[model.__name__] = sorted(
            (
                entry.action,
                entry.actor_id == run.uploaded_by_id,
                entry.additional_data.get("import") == str(run.pk),
            )
            for entry in found
        )
    return contacts, cases, records, counts, entries, run.refusals


def _of(model, service):
    return {"parent__service": service} if model is Child else {"service": service}


def _other_head(other_service):
    return User.objects.get(service=other_service, role=Role.HEAD_OF_SERVICE)


def test_batches_three_rows_long_import_what_one_batch_does(head, other_service, monkeypatch):
    data = csv_bytes(ROWS)
    monkeypatch.setattr(services, "BATCH", 500)
    whole = imported(head, data)
    monkeypatch.setattr(services, "BATCH", 3)
    other_head = _other_head(other_service)
    batched = imported(other_head, data)

    expected = _snapshot(head.service, whole)
    got = _snapshot(other_service, batched)
    for what, mine, theirs in zip(
        ["contacts", "cases", "records", "counts", "audit", "refusals"], got, expected, strict=True
    ):
        assert mine == theirs, what
    contacts, _, records, counts, entries, refusals = got
    assert counts == {
        "parents_created": 3,
        "parents_merged": 0,
        "children_created": 3,
        "cases_created": 3,
        "contacts_created": 6,
        "rows_already_imported": 1,
        "rows_refused": 1,
    }
    assert refusals == [{"row": 5, "problem": "The time spent is missing."}]
    assert len(records) == 3 + 3 + 3 + 6
    assert [c[0] for c in contacts].count("Ottoline") == 3
    # Each contact: its CREATE and the entry naming its topics, both naming the import and its
    # uploader; nothing else.
    assert entries["Contact"] == [(0, True, True)] * 6 + [(1, True, True)] * 6


def test_an_import_stopped_between_batches_resumes_with_the_same_records_and_audit(
    head, other_service, monkeypatch
):
    data = csv_bytes(ROWS)
    monkeypatch.setattr(services, "BATCH", 3)
    whole = imported(head, data)

    other_head = _other_head(other_service)
    run = previewed(other_head, data)
    real = services._Importer.batch
    calls = []

    def dies_on_the_second_batch(self, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise OSError("the server went away")
        return real(self, rows)

    monkeypatch.setattr(services._Importer, "batch", dies_on_the_second_batch)
    with transaction.atomic():
        services.confirm(by=other_head, run=run)
    run.refresh_from_db()
    assert (run.status, run.rows_done, Contact.objects.filter(service=other_service).count()) == (
        ImportRun.Status.FAILED,
        3,
        3,
    )
    services.resume(by=other_head, run=run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    expected = _snapshot(head.service, whole)
    got = _snapshot(other_service, run)
    for what, mine, theirs in zip(
        ["contacts", "cases", "records", "counts", "audit", "refusals"], got, expected, strict=True
    ):
        assert mine == theirs, what


#: Parents repeated under other old ids, found while their first rows' parents are still to be
#: saved with the batch, and a new parent with no way to reach them (refused).
REPEATS = [
    row(**_parent(1, "Ottoline", **{"Contact ID": "T1"})),
    # Same name and child's date of birth as P1, another phone: P1's parent.
    row(**_parent(2, "Ottoline", **{"Contact ID": "T2", "Telephone": "01632 960002"})),
    # Same phone as P1, another name: P1's parent.
    row(**_parent(3, "Barnaby", **{"Contact ID": "T3", "Telephone": "07700 900201"})),
    row(**_parent(4, "Hepzibah", **{"Contact ID": "T4", "Telephone": ""})),
    row(**_parent(5, "Lysander", **{"Contact ID": "T5", "Surname": "Fettiplace", "DOB": "01/01/2016"})),
    row(**_parent(6, "Isolde", **{"Contact ID": "T6", "Telephone": "07700 900205", "Surname": "Ashdown"})),
]


def test_parents_repeated_in_one_batch_are_merged_as_across_batches(head, other_service, monkeypatch):
    data = csv_bytes(REPEATS)
    monkeypatch.setattr(services, "BATCH", 1)  # each parent saved before the next row is read
    one_by_one = imported(head, data)
    monkeypatch.setattr(services, "BATCH", 500)
    together = imported(_other_head(other_service), data)

    expected = _snapshot(head.service, one_by_one)
    got = _snapshot(other_service, together)
    for what, mine, theirs in zip(
        ["contacts", "cases", "records", "counts", "audit", "refusals"], got, expected, strict=True
    ):
        assert mine == theirs, what
    counts = got[3]
    assert (counts["parents_created"], counts["parents_merged"], counts["rows_refused"]) == (2, 3, 1)
    assert Parent.objects.filter(service=other_service).count() == 2
    assert together.refusals == [
        {"row": 5, "problem": "There is no phone, email or address: no way to contact the parent."}
    ]


def _times_analysed(table, vacuumed=False):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(CASE WHEN %s THEN vacuum_count ELSE analyze_count END, 0) "
            "FROM pg_stat_user_tables WHERE relname = %s",
            [vacuumed, table],
        )
        return cursor.fetchone()[0]


@requires_postgres
def test_an_import_refreshes_the_planner_statistics_of_the_tables_it_fills(
    transactional_db, head, monkeypatch
):
    """Planned for the empty tables it began with, the import's lookups would read the whole of
    tables it has since filled: it runs ANALYZE as they grow (after batches 1, 2, 4...) and at
    the end, with VACUUM (the dashboard's counts then read the index alone)."""
    monkeypatch.setattr(services, "BATCH", 2)
    run = previewed(head, csv_bytes(ROWS))
    services.confirm(by=head, run=run, start=False)
    before = {
        table: _times_analysed(table) for table in ("cases_parentsearchtoken", "imports_importedrecord")
    }
    vacuumed = _times_analysed("cases_case", vacuumed=True)
    services.run_import(run.pk)  # as the worker runs it: a transaction per batch
    # 8 rows: batches 1, 2 and 4 of 2 rows, then the end.
    assert {table: _times_analysed(table) - count for table, count in before.items()} == {
        "cases_parentsearchtoken": 4,
        "imports_importedrecord": 4,
    }
    assert _times_analysed("cases_case", vacuumed=True) == vacuumed + 1  # at the end only
