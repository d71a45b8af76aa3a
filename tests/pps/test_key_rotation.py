"""Rotating the master key re-wraps every data key: households, referrals and child-protection
files, each bound to its own record; afterwards the old master key can go."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Parent
from consent.models import Referral
from pps import crypto
from safeguarding import services as safeguarding
from safeguarding.models import Concern
from tests.consent.test_referrals import make_referral


@pytest.fixture
def concern(caseworker, case):
    return safeguarding.raise_concern(
        by=caseworker,
        case=case,
        child=case.parent.children.get(),
        what="Bruise on the arm, said a parent did it",
        happened_at=timezone.now() - timezone.timedelta(hours=1),
    )


def test_after_rotation_a_referral_and_a_concern_read_under_the_new_key_alone(
    settings, caseworker, case, concern
):
    referral = make_referral(caseworker)
    old = settings.FIELD_ENCRYPTION_KEYS
    new = crypto.generate_key_ring_text("next")
    settings.FIELD_ENCRYPTION_KEYS = f"{new},{old}"
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    for model in (Parent, Referral, Concern):
        assert all(key.startswith("v1.next.") for key in model.objects.values_list("data_key", flat=True))
        assert f"{model._meta.label}: 1 data keys to re-wrap" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = new
    assert Referral.objects.get(pk=referral.pk).parent_last_name == "Shah"
    assert Concern.objects.get(pk=concern.pk).what == "Bruise on the arm, said a parent did it"
    assert Concern.objects.get(pk=concern.pk).child_name == case.parent.children.get().full_name
    assert Parent.objects.get(pk=case.parent.pk).last_name == "Jones"


def test_a_second_run_has_nothing_to_do(settings, caseworker, concern):
    settings.FIELD_ENCRYPTION_KEYS = (
        f"{crypto.generate_key_ring_text('next')},{settings.FIELD_ENCRYPTION_KEYS}"
    )
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "safeguarding.Concern: 0 data keys to re-wrap" in out.getvalue()
    assert "cases.Parent: 0 data keys to re-wrap" in out.getvalue()


def test_a_destroyed_file_has_no_key_to_rewrap(settings, concern):
    Concern.objects.filter(pk=concern.pk).update(data_key="", destroyed_at=timezone.now())
    settings.FIELD_ENCRYPTION_KEYS = (
        f"{crypto.generate_key_ring_text('next')},{settings.FIELD_ENCRYPTION_KEYS}"
    )
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "safeguarding.Concern: 0 data keys to re-wrap" in out.getvalue()
    assert Concern.objects.get(pk=concern.pk).data_key == ""
