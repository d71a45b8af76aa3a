"""Retention (R13): a household whose cases have all been closed for longer than the service
keeps them is destroyed by the nightly job; nothing else is. Times are given, not mocked: the
job runs "as if" at a later date."""

import io
from datetime import UTC, datetime

import pytest
from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from cases import retention, services
from cases.models import Case, Parent, ParentSearchToken
from pps.encryption import HouseholdDestroyed
from tests.factories import make_case


def months_later(months):
    return retention.months_before(timezone.now(), -months)


def close(by, case):
    return services.close_case(by=by, case=case, reason="Plan finalised; no further support needed.")


@pytest.fixture
def closed_case(caseworker, case):
    return close(caseworker, case)


def test_a_case_closed_11_months_ago_is_kept(caseworker, closed_case):
    retention.apply_retention(now=months_later(11))
    assert Case.objects.get(pk=closed_case.pk).status == Case.Status.CLOSED
    assert Parent.objects.get(pk=closed_case.parent_id).last_name == "Jones"
    assert [p.pk for p in services.find_parents(caseworker, "Jones")] == [closed_case.parent_id]


def test_a_case_closed_13_months_ago_is_destroyed(caseworker, closed_case):
    retention.apply_retention(now=months_later(13))
    case = Case.objects.get(pk=closed_case.pk)
    assert case.status == Case.Status.DESTROYED
    assert not ParentSearchToken.objects.filter(parent=case.parent_id).exists()
    assert services.find_parents(caseworker, "Jones") == []
    with pytest.raises(HouseholdDestroyed):
        _ = Parent.objects.get(pk=case.parent_id).last_name
    with pytest.raises(HouseholdDestroyed):
        _ = Case.objects.get(pk=case.pk).summary


def test_the_audit_log_says_retention_destroyed_it(closed_case):
    retention.apply_retention(now=months_later(13))
    entries = get_logentry_model().objects.filter(
        content_type=ContentType.objects.get_for_model(Parent),
        object_pk=str(closed_case.parent_id),
        action=get_logentry_model().Action.UPDATE,
    )
    entry = entries.latest("timestamp")
    assert entry.actor is None
    assert entry.additional_data == {"how": "retention"}
    assert entry.changes == {"data_key": ["[hidden]", "[hidden]"]}
    case_entry = get_logentry_model().objects.filter(object_pk=str(closed_case.pk)).latest("timestamp")
    assert case_entry.changes == {"status": ["closed", "destroyed"]}
    assert case_entry.additional_data == {"how": "retention"}


def test_later_audit_entries_are_not_marked_retention(caseworker, closed_case, second_caseworker):
    retention.apply_retention(now=months_later(13))
    other = make_case(caseworker, first_name="Nina", last_name="Zebra")
    created = get_logentry_model().objects.filter(object_pk=str(other.pk)).earliest("timestamp")
    assert created.additional_data is None


def test_an_open_case_is_never_destroyed(caseworker, case):
    retention.apply_retention(now=months_later(120))
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN
    assert Parent.objects.get(pk=case.parent_id).last_name == "Jones"


def test_a_household_with_an_open_case_is_kept_whatever_its_old_cases(caseworker, closed_case):
    services.open_case(by=caseworker, parent=closed_case.parent, summary="Annual review help")
    retention.apply_retention(now=months_later(13))
    assert Case.objects.get(pk=closed_case.pk).status == Case.Status.CLOSED
    assert Parent.objects.get(pk=closed_case.parent_id).last_name == "Jones"


def test_the_latest_closing_counts(caseworker, closed_case):
    later = services.open_case(by=caseworker, parent=closed_case.parent, summary="Transport appeal")
    close(caseworker, later)
    Case.objects.filter(pk=closed_case.pk).update(closed_at=timezone.now() - timezone.timedelta(days=400))
    retention.apply_retention(now=months_later(11))
    assert Parent.objects.get(pk=closed_case.parent_id).data_key != ""


def test_the_period_is_the_services(caseworker, closed_case, service):
    service.retention_months_after_closure = 36
    service.save()
    retention.apply_retention(now=months_later(13))
    assert Case.objects.get(pk=closed_case.pk).status == Case.Status.CLOSED
    retention.apply_retention(now=months_later(37))
    assert Case.objects.get(pk=closed_case.pk).status == Case.Status.DESTROYED


def test_other_households_are_untouched(caseworker, closed_case):
    neighbour = make_case(caseworker, first_name="Nina", last_name="Zebra")
    retention.apply_retention(now=months_later(13))
    assert Parent.objects.get(pk=neighbour.parent_id).last_name == "Zebra"
    assert services.find_parents(caseworker, "Zebra") == [neighbour.parent]


def test_a_second_run_destroys_nothing_more(closed_case):
    first = retention.apply_retention(now=months_later(13))
    assert [(r.households, r.cases) for r in first] == [([closed_case.parent_id], [closed_case.reference])]
    entries = get_logentry_model().objects.count()
    again = retention.apply_retention(now=months_later(14))
    assert [(r.households, r.cases, r.steps["concerns"]) for r in again] == [([], [], [])]
    assert get_logentry_model().objects.count() == entries


def test_the_command_reports_what_it_destroyed_without_names(closed_case):
    Case.objects.filter(pk=closed_case.pk).update(closed_at=timezone.now() - timezone.timedelta(days=400))
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "KPPS: destroyed 1 households (1 cases) and 0 child-protection files." in out.getvalue()
    assert "Jones" not in out.getvalue() and closed_case.reference not in out.getvalue()


def test_a_dry_run_lists_ids_and_references_and_changes_nothing(closed_case):
    Case.objects.filter(pk=closed_case.pk).update(closed_at=timezone.now() - timezone.timedelta(days=400))
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "KPPS: would destroy 1 households (1 cases)" in text
    assert str(closed_case.parent_id) in text and closed_case.reference in text
    assert "Jones" not in text and "Sarah" not in text
    assert Parent.objects.get(pk=closed_case.parent_id).last_name == "Jones"


def test_months_before_keeps_the_day_where_it_can():
    at = datetime(2025, 3, 31, 12, tzinfo=UTC)
    assert retention.months_before(at, 1) == datetime(2025, 2, 28, 12, tzinfo=UTC)
    assert retention.months_before(at, 13) == datetime(2024, 2, 29, 12, tzinfo=UTC)
    assert retention.months_before(at, -12) == datetime(2026, 3, 31, 12, tzinfo=UTC)


def test_a_household_with_an_open_child_protection_concern_is_kept(caseworker, case, senior):
    from safeguarding.services import close_concern, raise_concern, record_discussion

    concern = raise_concern(by=caseworker, case=case, child=None, what="A worry", happened_at=timezone.now())
    record_discussion(
        senior,
        concern,
        participants="Lee and Casey",
        senior_manager=senior,
        held_at=timezone.now(),
        decision="monitor",
    )
    close(caseworker, case)
    retention.apply_retention(now=months_later(13))
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED  # the leads are still monitoring
    close_concern(senior, concern)
    retention.apply_retention(now=months_later(13))
    assert Case.objects.get(pk=case.pk).status == Case.Status.DESTROYED
