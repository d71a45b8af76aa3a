"""A case study's own data key is re-wrapped by key rotation like every other (SECURITY 35)."""

import io

from django.core.management import call_command

from pps import crypto
from training import services
from training.models import CaseStudy


def test_a_case_study_reads_under_the_new_master_key_alone_after_rotation(settings, senior, family_case):
    study = services.make_case_study(by=senior, case=family_case)
    old = settings.FIELD_ENCRYPTION_KEYS
    new = crypto.generate_key_ring_text("next")
    settings.FIELD_ENCRYPTION_KEYS = f"{new},{old}"
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "training.CaseStudy: 1 data keys to re-wrap" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = new
    assert CaseStudy.objects.get(pk=study.pk).title == study.title
    assert CaseStudy.objects.get(pk=study.pk).events.get().kind == "made"
