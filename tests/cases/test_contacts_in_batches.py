"""Contacts logged together (``log_case_contacts``, as an import's batch does) are the same
records, codes, audit entries and statistics as the same contacts logged one by one."""

import pytest
from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Contact, ContactChild, Outcome, Topic
from reports.models import DailyCount, Reached
from tests.factories import contact_details, make_case
from tests.markers import requires_postgres

#: (which case, days ago, topics, outcome, channel, person, minutes, notes); the cases opened
#: today, so every contact is dated before its case opened (the wait to be opened counts them).
CONTACTS = [
    (0, 40, ["EHC plan", "Transport"], "Advice given", "phone", "parent", 15, "Called about the plan"),
    (0, 3, ["Transport"], "Information given", "email", "young_person", 30, ""),
    (1, 10, ["Exclusion", "EHC plan", "Exclusion"], "Advice given", "meeting", "professional", 90, "n"),
    (0, 60, ["SEN support"], "Signposted to another organisation", "letter", "parent", 5, "Earliest"),
    (1, 10, ["EHC plan"], "Information given", "phone", "young_person", 20, "Same day"),
]


def _cases(by):
    return [make_case(by, children=2), make_case(by, children=1)]


def _items(service, cases):
    topics = {topic.name: topic for topic in Topic.objects.filter(service=service)}
    outcomes = {outcome.name: outcome for outcome in Outcome.objects.filter(service=service)}
    items = []
    for which, days, names, outcome, channel, person, minutes, notes in CONTACTS:
        details = services.ContactDetails(
            occurred_at=timezone.now() - timezone.timedelta(days=days),
            channel=channel,
            direction="in",
            duration_minutes=minutes,
            topics=[topics[name] for name in names],
            outcome=outcomes[outcome],
            person=person,
        )
        items.append(services.CaseContact(case=cases[which], details=details, notes=notes))
    return items


def _names(service, cases, contacts):
    """Stand-ins for the ids that differ between two services' copies of the same records."""
    names = {str(service.pk): "service"}
    names.update({str(topic.pk): topic.name for topic in Topic.objects.filter(service=service)})
    names.update({str(outcome.pk): outcome.name for outcome in Outcome.objects.filter(service=service)})
    for n, case in enumerate(cases):
        names[str(case.pk)] = f"case {n}"
        names[str(case.parent_id)] = f"parent {n}"
        for m, child in enumerate(case.parent.children.order_by("created_at")):
            names[str(child.pk)] = f"child {n}.{m}"
    for n, contact in enumerate(contacts):
        names[str(contact.pk)] = f"contact {n}"
    return names


def _recorded(service, by, cases, contacts):
    names = _names(service, cases, contacts)
    names[str(by.pk)] = "by"

    def name(value):
        return names.get(str(value), value)

    stored = []
    for contact in Contact.objects.filter(pk__in=[c.pk for c in contacts]):
        stored.append(
            (
                name(contact.pk),
                name(contact.case_id),
                contact.occurred_at,
                contact.channel,
                contact.person,
                contact.duration_minutes,
                name(contact.outcome_id),
                contact.notes,
                sorted(topic.name for topic in contact.topics.all()),
            )
        )
    codes = sorted(
        (name(code.contact_id), name(code.child_id), code.phase, code.need, code.provision)
        for code in ContactChild.objects.filter(contact__in=contacts)
    )
    contact_type = ContentType.objects.get_for_model(Contact)
    entries = []
    for entry in (
        get_logentry_model()
        .objects.filter(content_type=contact_type, object_pk__in=[str(c.pk) for c in contacts])
        .order_by("pk")
    ):
        changes = {
            field: (
                [name(value) for value in change["objects"]]
                if isinstance(change, dict)
                else [name(value) for value in change]
            )
            for field, change in (entry.changes or {}).items()
        }
        entries.append(
            (name(entry.object_pk), entry.action, name(entry.actor_id), changes, entry.additional_data)
        )
    counts = sorted(
        (row.grain, row.day, row.figure, name(row.code), row.n, row.minutes)
        # A count moved away and back leaves a row of zeros, which adds nothing to any figure.
        for row in DailyCount.objects.filter(service=service).exclude(n=0, minutes=0)
    )
    reached = sorted(
        (row.kind, name(row.subject), row.grain, row.period, row.first_at, row.since, row.phase, row.need)
        for row in Reached.objects.filter(service=service)
    )
    return sorted(stored), codes, entries, counts, reached


def test_contacts_logged_together_are_recorded_as_if_logged_one_by_one(
    caseworker, outsider, service, other_service, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    one_by_one_cases = _cases(caseworker)
    one_by_one = [
        services.log_case_contact(by=caseworker, case=item.case, details=item.details, notes=item.notes)
        for item in _items(service, one_by_one_cases)
    ]
    together_cases = _cases(outsider)
    together = services.log_case_contacts(by=outsider, contacts=_items(other_service, together_cases))

    expected = _recorded(service, caseworker, one_by_one_cases, one_by_one)
    recorded = _recorded(other_service, outsider, together_cases, together)
    parts = ["contacts", "codes", "audit", "counts", "reached"]
    for what, mine, theirs in zip(parts, recorded, expected, strict=True):
        assert mine == theirs, what
    stored, codes, entries, counts, _ = recorded
    assert len(stored) == len(CONTACTS) and len(codes) == 2 + 1 + 2 + 2 + 1
    # A CREATE entry and one naming the topics added, for each contact, notes masked.
    assert [entry[1] for entry in entries] == [0, 1] * len(CONTACTS)
    assert entries[0][3]["notes"][-1] == "[hidden]" and entries[1][3] == {"topics": ["EHC plan", "Transport"]}
    assert ("d", timezone.localdate(), "wait_case", "60", 1, 0) in [row for row in counts if row[0] == "d"]


def test_one_refused_contact_logs_none_of_them(caseworker, outsider, service, other_service):
    cases = _cases(caseworker)
    items = _items(service, cases)
    items[2].details.outcome = Outcome.objects.filter(service=other_service).first()
    with pytest.raises(services.CaseworkError, match="outcome"):
        services.log_case_contacts(by=caseworker, contacts=items)
    assert not Contact.objects.filter(case__in=cases).exists()


def test_fifty_contacts_together_take_about_as_many_statements_as_five(caseworker, service, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    cases = _cases(caseworker)

    def statements(how_many):
        items = [
            services.CaseContact(case=cases[n % 2], details=contact_details(service), notes="n")
            for n in range(how_many)
        ]
        with CaptureQueriesContext(connection) as captured:
            services.log_case_contacts(by=caseworker, contacts=items)
        return len(captured)

    statements(5)  # caches warmed
    few, many = statements(5), statements(50)
    # Not one more per contact: a statement more only where a long insert is split at the
    # database's limit of parameters a statement may take (SQLite's, for the audit entries).
    assert many <= few + 2, f"{many} statements for 50 contacts, {few} for 5"


@requires_postgres
def test_entries_written_together_are_sealed_into_the_chain(caseworker, service):
    from pps.audit_chain import seal, verify_chain

    seal()
    cases = _cases(caseworker)
    contacts = services.log_case_contacts(by=caseworker, contacts=_items(service, cases))
    entries = get_logentry_model().objects.filter(object_pk__in=[str(c.pk) for c in contacts])
    assert entries.count() == 2 * len(CONTACTS)
    assert entries.filter(chain_position__isnull=True).count() == 2 * len(CONTACTS)
    assert seal() >= 2 * len(CONTACTS)
    assert verify_chain().intact
