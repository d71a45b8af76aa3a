"""Parents registered together (``cases.services.register_parents``, an import's batch): the
records, audit entries and statistics of registering them one by one, in a few statements."""

from datetime import date, datetime

import pytest
from auditlog import get_logentry_model
from auditlog.context import set_actor
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, Child, Parent
from consent.models import Consent
from pps.models import Role, User
from reports.models import DailyCount
from tests.factories import UserFactory

OPENED = timezone.make_aware(datetime(2023, 9, 4, 12))
CLOSED = timezone.make_aware(datetime(2024, 2, 1, 12))


def _registration(n, *, consent="oral_phone", closed=False, **fields):
    fields.setdefault("preferred_contact", Parent.PreferredContact.PHONE)
    parent = Parent(
        first_name="Ottoline",
        last_name=f"Quarrender{n}",
        phone=f"07700 900{n:03d}",
        postcode="CT1 1AA",
        parental_responsibility=Parent.ParentalResponsibility.YES,
        **fields,
    )
    children = [Child(first_name=f"Barnaby{n}", date_of_birth=date(2015, 4, n % 28 + 1), need="ASD")]
    return services.Registration(
        parent=parent,
        children=children,
        case_summary=f"EHC needs assessment {n}",
        consent_method=consent,
        opened_at=OPENED,
        closed_at=CLOSED if closed else None,
        closed_reason="Closed in the old system." if closed else "",
    )


def _one_by_one(by, registrations, *, imported=False):
    for registration in registrations:
        case = services.register_parent(
            by=by,
            consent_confirmed=bool(registration.consent_method),
            consent_method=registration.consent_method,
            parent=registration.parent,
            children=registration.children,
            case_summary=registration.case_summary,
            imported=imported,
            opened_at=registration.opened_at,
        )
        if registration.closed_at:
            services.close_case(
                by=by,
                case=case,
                reason=registration.closed_reason,
                imported=True,
                closed_at=registration.closed_at,
            )


def _snapshot(service, by):
    parents = sorted(
        (p.first_name, p.last_name, p.phone, p.postcode, p.created_by_id == by.pk)
        for p in Parent.objects.filter(service=service)
    )
    children = sorted(
        (c.parent.last_name, c.first_name, c.date_of_birth, c.need)
        for c in Child.objects.filter(parent__service=service).select_related("parent")
    )
    consents = sorted(
        (c.parent.last_name, c.method, c.keeps_details, c.parent_was_told, c.recorded_by_id == by.pk)
        for c in Consent.objects.filter(parent__service=service).select_related("parent")
    )
    cases = sorted(
        (c.parent.last_name, c.summary, c.status, c.opened_at, c.closed_at, c.consent_not_recorded)
        for c in Case.objects.filter(service=service).select_related("parent")
    )
    events = sorted(
        (e.case.parent.last_name, e.kind, e.reason, e.at)
        for e in CaseEvent.objects.filter(case__service=service).select_related("case__parent")
    )
    found = sorted(p.last_name for p in services.find_parents(by, "Ottoline", record=False))
    counts = sorted(
        DailyCount.objects.filter(service=service).values_list(
            "grain", "day", "figure", "code", "n", "minutes"
        )
    )
    entries = {}
    for model in (Parent, Child, Consent, Case, CaseEvent):
        pks = {
            Parent: Parent.objects.filter(service=service),
            Child: Child.objects.filter(parent__service=service),
            Consent: Consent.objects.filter(parent__service=service),
            Case: Case.objects.filter(service=service),
            CaseEvent: CaseEvent.objects.filter(case__service=service),
        }[model].values_list("pk", flat=True)
        entries[model.__name__] = sorted(
            get_logentry_model()
            .objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_pk__in=[str(pk) for pk in pks]
            )
            .values_list("action", "actor_id")
        )
    return parents, children, consents, cases, events, found, counts, entries


def _other_caseworker(other_service):
    return UserFactory(service=other_service, role=Role.CASEWORKER)


def test_parents_registered_together_are_saved_as_if_registered_one_by_one(
    caseworker, other_service, time_machine
):
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 2, 10)), tick=False)
    with set_actor(caseworker):
        _one_by_one(caseworker, [_registration(n) for n in range(3)])
    other = _other_caseworker(other_service)
    with set_actor(other):
        cases = services.register_parents(by=other, registrations=[_registration(n) for n in range(3)])

    alone, together = _snapshot(caseworker.service, caseworker), _snapshot(other_service, other)
    for what, one, batch in zip(
        ["parents", "children", "consents", "cases", "events", "found", "counts"],
        alone,
        together,
        strict=False,
    ):
        assert batch == one, what
    assert [len(v) for v in together[-1].values()] == [3, 3, 3, 3, 3]  # one CREATE per record
    assert {actor for v in together[-1].values() for _, actor in v} == {other.pk}
    assert len({case.reference for case in cases}) == 3
    # The caseworker who registers them works on their cases, as when registering one.
    assert set(Case.objects.visible_to(other)) == set(cases)
    assert services.find_parents(_other_caseworker(other_service), "Ottoline", record=False) == []


def test_imported_cases_closed_in_the_old_system_are_saved_closed_with_the_same_statistics(
    head, other_service
):
    rows = [_registration(1, closed=True), _registration(2, consent=""), _registration(3)]
    _one_by_one(head, rows, imported=True)
    other_head = User.objects.get(service=other_service, role=Role.HEAD_OF_SERVICE)
    rows = [_registration(1, closed=True), _registration(2, consent=""), _registration(3)]
    services.register_parents(by=other_head, registrations=rows, imported=True)

    alone, together = _snapshot(head.service, head), _snapshot(other_service, other_head)
    for what, one, batch in zip(
        ["parents", "children", "consents", "cases", "events"], alone, together, strict=False
    ):
        assert batch == one, what
    assert together[6] == alone[6]  # the statistics' counts
    statuses = sorted((c[0], c[2], c[5]) for c in together[3])
    assert statuses == [
        ("Quarrender1", "closed", False),
        ("Quarrender2", "open", True),
        ("Quarrender3", "open", False),
    ]
    # Saved closed: one entry for the case, not a create and a change.
    assert len(together[-1]["Case"]) == 3


def test_one_refused_registration_saves_none_of_them(caseworker):
    rows = [_registration(1), _registration(2, preferred_contact=Parent.PreferredContact.EMAIL)]
    with pytest.raises(services.CaseworkError, match="email address"):
        services.register_parents(by=caseworker, registrations=rows)
    assert not Parent.objects.exists() and not Case.objects.exists()
    assert (
        not get_logentry_model()
        .objects.filter(content_type=ContentType.objects.get_for_model(Parent))
        .exists()
    )


def test_without_consent_only_an_import_registers_a_parent(caseworker):
    with pytest.raises(services.CaseworkError, match="no name given"):
        services.register_parents(by=caseworker, registrations=[_registration(1, consent="")])
    assert not Parent.objects.exists()


def test_twenty_parents_take_the_statements_of_two(caseworker):
    def statements(n, first):
        with CaptureQueriesContext(connection) as captured:
            services.register_parents(
                by=caseworker, registrations=[_registration(first + i) for i in range(n)]
            )
        return len(captured)

    two, twenty = statements(2, 0), statements(20, 100)
    # SQLite takes at most 999 values a statement: the search index's rows need a few more.
    assert twenty <= two + 4
    assert two < 30
