"""Concerns recorded before they had their own data key (encrypted with the household's key) get
one, with their discussions and referrals re-encrypted under it, by safeguarding migration 0003."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from cases import services as case_services
from pps import crypto
from safeguarding import services
from safeguarding.models import Concern, Discussion, ExternalReferral

MIGRATION = "0003_concerns_get_their_own_data_key"
migration = importlib.import_module(f"safeguarding.migrations.{MIGRATION}")
WHAT = "CANARY-ZEBEDEE said her dad hit her"


@pytest.fixture(scope="module")
def historical_apps(django_db_blocker):
    with django_db_blocker.unblock():
        return MigrationLoader(connection).project_state(("safeguarding", MIGRATION)).apps


def run_migration(apps):
    migration.give_concerns_their_own_key(apps, None)


@pytest.fixture
def concern(caseworker, senior, case):
    concern = services.raise_concern(
        by=caseworker,
        case=case,
        child=case.parent.children.get(),
        what=WHAT,
        happened_at=timezone.now() - timezone.timedelta(hours=2),
    )
    services.record_discussion(
        senior,
        concern,
        participants="Lee and Casey",
        senior_manager=senior,
        held_at=timezone.now(),
        decision="social_care",
        notes="Agreed to refer today",
    )
    services.record_external_referral(
        senior,
        concern,
        agency="social_care",
        made_at=timezone.now(),
        person_spoken_to="Duty social worker",
        their_reference="CS-123",
        what_was_shared="What she said, and the bruise",
    )
    return concern


def make_old_style(concern):
    """Store ``concern`` as it was before 0002: its fields and those of its discussions and
    referrals encrypted with the household's key, no key or snapshot of its own."""
    household = concern.case.parent.household_key()
    for model, fields, rows in [
        (Concern, migration.FIELDS["Concern"], [Concern.objects.get(pk=concern.pk)]),
        (Discussion, migration.FIELDS["Discussion"], Discussion.objects.filter(concern=concern)),
        (
            ExternalReferral,
            migration.FIELDS["ExternalReferral"],
            ExternalReferral.objects.filter(concern=concern),
        ),
    ]:
        for row in rows:
            tokens = {
                name: crypto.encrypt_field(
                    household, getattr(row, name), aad=crypto.field_aad(model._meta.label, name, row.pk)
                )
                for name in fields
            }
            model.objects.filter(pk=row.pk).update(**tokens)
    Concern.objects.filter(pk=concern.pk).update(
        data_key="", case_reference="", child_name="", parent_name=""
    )


def test_an_old_concern_gets_its_own_key_and_reads_as_before(historical_apps, concern, case):
    make_old_style(concern)
    run_migration(historical_apps)
    migrated = Concern.objects.get(pk=concern.pk)
    assert migrated.data_key.startswith("v1.")
    assert migrated.household_key() != case.parent.household_key()
    assert migrated.what == WHAT
    assert migrated.case_reference == case.reference
    assert migrated.child_name == case.parent.children.get().full_name
    assert migrated.parent_name == "Sarah Jones"
    discussion = Discussion.objects.get(concern=concern)
    assert (discussion.participants, discussion.notes) == ("Lee and Casey", "Agreed to refer today")
    referral = ExternalReferral.objects.get(concern=concern)
    assert (referral.person_spoken_to, referral.their_reference) == ("Duty social worker", "CS-123")
    assert referral.what_was_shared == "What she said, and the bruise"


def test_the_file_then_outlives_the_household(historical_apps, senior, concern):
    make_old_style(concern)
    run_migration(historical_apps)
    case_services.destroy_household(by=senior, parent=concern.case.parent)
    assert Concern.objects.get(pk=concern.pk).what == WHAT
    assert Discussion.objects.get(concern=concern).notes == "Agreed to refer today"


def test_a_concern_of_a_destroyed_household_is_marked_destroyed(historical_apps, senior, concern, case):
    make_old_style(concern)
    case_services.destroy_household(by=senior, parent=case.parent)
    run_migration(historical_apps)
    migrated = Concern.objects.get(pk=concern.pk)
    assert migrated.data_key == "" and migrated.destroyed_at is not None
    assert migrated.case_reference == case.reference
    assert Concern.objects.filter(pk=concern.pk, child_name="", parent_name="").exists()


def test_concerns_with_their_own_key_are_left_alone(historical_apps, concern):
    before = Concern.objects.filter(pk=concern.pk).values("data_key", "what").get()
    run_migration(historical_apps)
    assert Concern.objects.filter(pk=concern.pk).values("data_key", "what").get() == before
