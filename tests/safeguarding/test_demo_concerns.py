"""The demo gives each service's designated lead a queue: a new concern, one of immediate danger,
one discussed and referred to social care, and one closed after discussion."""

import io

import pytest
from auditlog import get_logentry_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from pps.models import User
from safeguarding import alerts
from safeguarding.models import Concern, ExternalReferral
from tests.conftest import client_for


@pytest.fixture
def loaded(db, tmp_path):
    call_command(
        "load_demo_data",
        "--parents",
        "20",
        "--contacts",
        "200",
        "--logins-file",
        str(tmp_path / "logins.txt"),
        stdout=io.StringIO(),
    )


def test_each_lead_has_a_queue_of_demo_concerns(loaded):
    for prefix in ("kw", "tv"):
        lead = User.objects.get(username=f"{prefix}.senior")
        concerns = Concern.objects.filter(case__service=lead.service)
        assert sorted(concerns.values_list("status", flat=True)) == ["closed", "new", "new", "referred"]
        assert concerns.filter(immediate_danger=True).count() == 1
        referred = concerns.get(status="referred")
        assert ExternalReferral.objects.get(concern=referred).disclosure.case_id == referred.case_id
        assert all(c.child_name and c.parent_name and c.case_reference for c in concerns)
        page = client_for(lead).get(reverse("safeguarding:concern_queue")).content.decode()
        for concern in concerns.exclude(status="closed"):
            assert reverse("safeguarding:concern_detail", args=[concern.pk]) in page
        assert alerts.unseen_for(lead).count() == 2  # the two concerns not discussed yet
        assert (
            client_for(lead).get(reverse("safeguarding:concern_detail", args=[referred.pk])).status_code
            == 200
        )


def test_loading_them_is_neither_audited_nor_emailed(loaded):
    assert not get_logentry_model().objects.exists()
    assert mail.outbox == []


def test_a_reset_removes_the_demo_concerns(loaded, tmp_path):
    call_command(
        "load_demo_data",
        "--parents",
        "20",
        "--contacts",
        "200",
        "--logins-file",
        str(tmp_path / "logins.txt"),
        "--reset",
        "--yes-really",
        stdout=io.StringIO(),
    )
    assert Concern.objects.count() == 8
