"""A child-protection file outlives the case file (R6, R13): destroying the household leaves the
file readable by the service's designated leads, under its own key, until the file's own period
after the concern was closed has passed; and a file is never destroyed before its case."""

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases import retention
from cases import services as case_services
from cases.models import Case
from pps.encryption import HouseholdDestroyed
from safeguarding import access as safeguarding_access
from safeguarding import services
from safeguarding.models import Concern, Discussion
from tests.conftest import client_for

WHAT = "CANARY-ZEBEDEE said her dad hit her"


def months_later(months):
    return retention.months_before(timezone.now(), -months)


def years_later(years):
    return months_later(12 * years)


@pytest.fixture
def concern(caseworker, case):
    return services.raise_concern(
        by=caseworker,
        case=case,
        child=case.parent.children.get(),
        what=WHAT,
        happened_at=timezone.now() - timezone.timedelta(hours=2),
    )


def discuss(senior, concern, decision):
    return services.record_discussion(
        senior,
        concern,
        participants="Lee and Casey",
        senior_manager=senior,
        held_at=timezone.now(),
        decision=decision,
        notes="Discussed with the head of service",
    )


@pytest.fixture
def closed_concern(senior, concern):
    discuss(senior, concern, Discussion.Decision.NO_FURTHER_ACTION)
    return Concern.objects.get(pk=concern.pk)


@pytest.fixture
def closed_case(caseworker, case, closed_concern):
    return case_services.close_case(by=caseworker, case=case, reason="No further support needed.")


def test_the_file_of_a_destroyed_case_is_still_read_by_the_lead(senior, closed_case, closed_concern):
    retention.apply_retention(now=months_later(13))
    assert Case.objects.get(pk=closed_case.pk).status == Case.Status.DESTROYED
    concern = safeguarding_access.get_concern_for_user(senior, closed_concern.pk)
    assert concern.what == WHAT
    assert concern.case_reference == closed_case.reference
    assert concern.parent_name == "Sarah Jones"
    assert Discussion.objects.get(concern=concern).notes == "Discussed with the head of service"


def test_the_lead_opens_the_file_of_a_destroyed_case(senior, closed_case, closed_concern):
    retention.apply_retention(now=months_later(13))
    response = client_for(senior).get(reverse("safeguarding:concern_detail", args=[closed_concern.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert WHAT in page and "Sarah Jones" in page and closed_case.reference in page


def test_the_file_is_destroyed_once_its_own_period_has_passed(senior, closed_case, closed_concern):
    retention.apply_retention(now=years_later(24))
    assert safeguarding_access.get_concern_for_user(senior, closed_concern.pk).what == WHAT
    then = years_later(26)
    results = retention.apply_retention(now=then)
    assert [r.steps["concerns"] for r in results] == [[(closed_concern.pk, closed_case.reference)]]
    concern = Concern.objects.get(pk=closed_concern.pk)
    assert concern.data_key == "" and concern.destroyed_at == then
    with pytest.raises(HouseholdDestroyed):
        _ = concern.what
    with pytest.raises(HouseholdDestroyed):
        _ = Discussion.objects.get(concern=concern).notes
    with pytest.raises(Http404):
        safeguarding_access.get_concern_for_user(senior, concern.pk)


def test_the_audit_log_says_retention_destroyed_the_file(closed_case, closed_concern):
    from auditlog import get_logentry_model

    retention.apply_retention(now=years_later(26))
    entry = get_logentry_model().objects.filter(object_pk=str(closed_concern.pk)).latest("timestamp")
    assert entry.actor is None and entry.additional_data == {"how": "retention"}
    assert set(entry.changes) == {"data_key", "destroyed_at"}
    assert entry.changes["data_key"] == ["[hidden]", "[hidden]"]


def test_a_file_whose_period_is_shorter_is_not_destroyed_before_its_case(
    service, senior, closed_case, closed_concern
):
    service.child_protection_retention_years = 1
    service.retention_months_after_closure = 36
    service.save()
    retention.apply_retention(now=months_later(25))
    assert safeguarding_access.get_concern_for_user(senior, closed_concern.pk).what == WHAT
    results = retention.apply_retention(now=months_later(37))
    assert [len(r.steps["concerns"]) for r in results] == [1]
    assert Case.objects.get(pk=closed_case.pk).status == Case.Status.DESTROYED
    assert Concern.objects.get(pk=closed_concern.pk).destroyed_at is not None


def test_a_file_whose_case_is_still_open_is_kept(senior, case, closed_concern):
    retention.apply_retention(now=years_later(30))
    assert safeguarding_access.get_concern_for_user(senior, closed_concern.pk).what == WHAT


def test_an_open_concern_is_never_destroyed(senior, caseworker, case, concern):
    discuss(senior, concern, Discussion.Decision.MONITOR)
    case_services.close_case(by=caseworker, case=case, reason="No further support needed.")
    retention.apply_retention(now=years_later(30))
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED  # kept while the leads monitor
    assert safeguarding_access.get_concern_for_user(senior, concern.pk).what == WHAT


def test_a_closed_concern_without_closed_at_counts_from_its_latest_discussion(
    senior, closed_case, closed_concern
):
    Concern.objects.filter(pk=closed_concern.pk).update(closed_at=None)
    Discussion.objects.filter(concern=closed_concern).update(
        recorded_at=timezone.now() + timezone.timedelta(days=300)
    )
    retention.apply_retention(now=years_later(25) + timezone.timedelta(days=30))
    assert Concern.objects.get(pk=closed_concern.pk).destroyed_at is None
    retention.apply_retention(now=years_later(26) + timezone.timedelta(days=30))
    assert Concern.objects.get(pk=closed_concern.pk).destroyed_at is not None


def test_a_dry_run_lists_the_file_and_destroys_nothing(senior, closed_case, closed_concern):
    results = retention.apply_retention(now=years_later(26), dry_run=True)
    assert [r.steps["concerns"] for r in results] == [[(closed_concern.pk, closed_case.reference)]]
    assert Case.objects.get(pk=closed_case.pk).status == Case.Status.CLOSED
    assert safeguarding_access.get_concern_for_user(senior, closed_concern.pk).what == WHAT
