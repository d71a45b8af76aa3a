"""Audit entries written together (``pps.audit.entries_written_together``): the entries single
saves write, in one statement at the end, and none for records a savepoint rolled back."""

import contextlib
from contextlib import contextmanager
from datetime import date

import pytest
from auditlog import get_logentry_model
from auditlog.cid import set_cid
from auditlog.context import disable_auditlog, set_extra_data
from auditlog.signals import pre_log
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, CaseEvent, Child, Contact, Outcome, Parent
from consent.models import Consent
from pps.audit import created_together, entries_written_together
from pps.auditlog_settings import MASKED


def _entries_of(outcomes):
    return get_logentry_model().objects.filter(
        content_type=ContentType.objects.get_for_model(Outcome), object_pk__in=[str(o.pk) for o in outcomes]
    )


def test_entries_are_written_at_the_end_in_one_statement(service):
    with entries_written_together():
        outcomes = [Outcome.objects.create(service=service, name=f"Outcome {n}") for n in range(3)]
        assert not _entries_of(outcomes).exists()
    with CaptureQueriesContext(connection) as captured:
        with entries_written_together():
            more = [Outcome.objects.create(service=service, name=f"More {n}") for n in range(3)]
    audit_writes = [q for q in captured if "pps_auditentry" in q["sql"] or "pps_audit_append" in q["sql"]]
    assert len(audit_writes) == 1
    assert _entries_of(outcomes).count() == 3 and _entries_of(more).count() == 3
    assert set(_entries_of(more).values_list("action", flat=True)) == {get_logentry_model().Action.CREATE}


def test_a_rolled_back_savepoint_leaves_no_entries_for_its_records(service):
    with entries_written_together():
        kept = Outcome.objects.create(service=service, name="Kept")
        with pytest.raises(ValueError), transaction.atomic(), entries_written_together():
            lost = Outcome.objects.create(service=service, name="Lost")
            raise ValueError("refused")
    assert _entries_of([kept]).count() == 1
    assert not _entries_of([lost]).exists()


# ``created_together``: the CREATE entry of a record saved by ``bulk_create`` is the one its own
# ``save`` writes, for each audited model an import creates.

AT = timezone.now().replace(microsecond=0) - timezone.timedelta(days=3)

#: What an entry holds that two records' entries may not share.
OWN = {"id", "object_pk", "object_repr", "timestamp", "chain_position", "prev_hash", "row_hash"}


def _parent(service, by):
    return Parent(
        service=service,
        first_name="Ottoline",
        last_name="Quarrender",
        phone="07700 900123",
        email="ottoline@example.org",
        address="1 Example Street",
        postcode="ME14 1XX",
        preferred_contact=Parent.PreferredContact.EMAIL,
        parental_responsibility=Parent.ParentalResponsibility.YES,
        created_at=AT,
        created_by=by,
    )


def _records(service, by):
    """For each audited model an import creates: a function making an unsaved record of it, the
    same each time but for its own id (and, for a case, its own reference)."""
    parent = _parent(service, by)
    parent.save()
    case = Case(service=service, parent=parent, summary="Transport", opened_at=AT, opened_by=by)
    case.save()
    outcome = Outcome.objects.filter(service=service).first()
    return {
        Parent: lambda: _parent(service, by),
        Child: lambda: Child(
            parent=parent,
            first_name="Barnaby",
            last_name="Quarrender",
            date_of_birth=date(2015, 4, 1),
            school="Example Primary School",
            need=Child.Need.ASD,
            provision=Child.Provision.SEN_SUPPORT,
            created_at=AT,
        ),
        Case: lambda: Case(service=service, parent=parent, summary="EHC plan", opened_at=AT, opened_by=by),
        CaseEvent: lambda: CaseEvent(case=case, kind=CaseEvent.Kind.OPENED, reason="Imported", at=AT, by=by),
        Consent: lambda: Consent(
            parent=parent,
            case=case,
            method=Consent.Method.ORAL_PHONE,
            given_at=AT,
            recorded_by=by,
            keeps_details=True,
            recipients=["school"],
            expires_on=date(2030, 1, 1),
        ),
        Contact: lambda: Contact(
            service=service,
            case=case,
            occurred_at=AT,
            channel=Contact.Channel.EMAIL,
            person=Contact.Person.PARENT,
            duration_minutes=25,
            outcome=outcome,
            notes="Asked about transport",
            follow_up_on=date(2030, 2, 1),
            logged_by=by,
            logged_at=AT,
        ),
    }


def _entry_of(record):
    return get_logentry_model().objects.get(
        content_type=ContentType.objects.get_for_model(record), object_pk=str(record.pk)
    )


def _comparable(record):
    """The record's CREATE entry, field by field, its own id and reference named alike."""
    entry = _entry_of(record)
    assert entry.object_repr == str(record)
    own = {str(record.pk): "<own id>", getattr(record, "reference", None): "<own reference>"}
    fields = {f.attname: getattr(entry, f.attname) for f in entry._meta.concrete_fields if f.name not in OWN}
    # In the order the entry holds them (SQLite keeps the JSON's order).
    fields["changes"] = [
        (name, [own.get(value, value) if isinstance(value, str) else value for value in pair])
        for name, pair in entry.changes.items()
    ]
    return fields


@contextmanager
def _a_request_context(by):
    set_cid(RequestFactory().get("/", HTTP_X_CORRELATION_ID="cid-17"))
    try:
        with set_extra_data({"actor": by, "remote_addr": "192.0.2.10", "remote_port": 4431}):
            yield
    finally:
        set_cid(None)


def _saved_both_ways(make, by):
    with _a_request_context(by):
        one = make()
        one.save()
        other = make()
        with entries_written_together():
            type(other).objects.bulk_create([other])
            created_together(type(other), [other])
    return one, other


@pytest.mark.parametrize(
    "model", [Parent, Child, Case, CaseEvent, Consent, Contact], ids=lambda m: m.__name__
)
def test_a_record_created_together_has_the_entry_its_own_save_writes(model, caseworker, service):
    one, other = _saved_both_ways(_records(service, caseworker)[model], caseworker)
    saved = _comparable(one)
    assert saved["actor_id"] == caseworker.pk and saved["remote_addr"] == "192.0.2.10"
    assert saved["cid"] == "cid-17" and saved["changes"]
    masked = MASKED.get(model._meta.label, [])
    assert masked and all(dict(saved["changes"])[name] == ["[hidden]", "[hidden]"] for name in masked)
    assert _comparable(other) == saved


def test_a_listener_to_django_auditlogs_signals_hears_of_each_record_created_together(caseworker, service):
    heard = []

    def listen(sender, instance, **kwargs):
        heard.append(instance)

    pre_log.connect(listen, sender=Contact)
    try:
        one, other = _saved_both_ways(_records(service, caseworker)[Contact], caseworker)
    finally:
        pre_log.disconnect(listen, sender=Contact)
    assert heard == [one, other]
    assert _comparable(other) == _comparable(one)


def test_no_entry_is_written_for_records_created_together_with_the_audit_log_off(caseworker, service):
    make = _records(service, caseworker)[Contact]
    contact = make()
    with disable_auditlog(), entries_written_together():
        Contact.objects.bulk_create([contact])
        created_together(Contact, [contact])
    assert not get_logentry_model().objects.filter(object_pk=str(contact.pk)).exists()


# A request that reads records and then changes some writes the reads' ACCESS entries with the
# change's own entries, in one statement (``pps.request_scope.write_with_change``).


def _reads_of(case):
    return get_logentry_model().objects.filter(
        content_type=ContentType.objects.get_for_model(Case),
        object_pk=str(case.pk),
        action=get_logentry_model().Action.ACCESS,
    )


def test_logging_a_contact_from_the_case_writes_its_read_and_its_change_in_one_statement(
    caseworker, case, service
):
    from django.urls import reverse

    from tests.cases.test_case_work import contact_form
    from tests.conftest import client_for

    client = client_for(caseworker)
    url = reverse("cases:case_contact_log", args=[case.pk])
    before = _reads_of(case).count()
    with CaptureQueriesContext(connection) as captured:
        assert client.post(url, contact_form(service)).status_code == 302
    audit_writes = [q for q in captured if "pps_auditentry" in q["sql"] or "pps_audit_append" in q["sql"]]
    assert len(audit_writes) == 1
    assert _reads_of(case).count() == before + 1  # the read, once
    contact = case.contacts.get()
    created = get_logentry_model().objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_pk=str(contact.pk)
    )
    assert created.filter(action=get_logentry_model().Action.CREATE).count() == 1


@pytest.mark.parametrize("then", ["kept", "rolled back"])
def test_a_read_is_recorded_once_whether_the_change_after_it_is_kept_or_rolled_back(
    caseworker, case, service, then
):
    from pps import request_scope
    from pps.audit import record_access

    with request_scope.request_scope():
        record_access(caseworker, [case], how="case page")
        try:
            with transaction.atomic():
                with entries_written_together():  # written: the read's entry with the change's
                    outcome = Outcome.objects.create(service=service, name="Made after the read")
                if then == "rolled back":
                    raise ValueError("refused after the write")
        except ValueError:
            pass
    assert _reads_of(case).count() == 1
    assert _entries_of([outcome]).count() == (1 if then == "kept" else 0)


@pytest.mark.parametrize("then", ["committed", "rolled back"])
def test_a_read_is_recorded_once_around_a_real_commit_or_rollback(
    transactional_db, caseworker, case, service, then
):
    """No transaction around the test: the change's transaction really commits (its callback
    forgets the entries written with it) or really rolls back (they are written at the end)."""
    from pps import request_scope
    from pps.audit import record_access

    with request_scope.request_scope():
        record_access(caseworker, [case], how="case page")
        with pytest.raises(ValueError) if then == "rolled back" else contextlib.nullcontext():
            with transaction.atomic():
                with entries_written_together():
                    Outcome.objects.create(service=service, name="Made after the read")
                if then == "rolled back":
                    raise ValueError("refused after the write")
    assert _reads_of(case).count() == 1
