"""A disclosure on the basis of child protection is recorded only with the concern it answers,
of the same case, by someone who may reach that concern (``consent.services.record_disclosure``)."""

import pytest
from django.http import Http404
from django.utils import timezone

from consent import services as consent_services
from consent.models import Disclosure, Recipient
from safeguarding import services
from tests.factories import make_case


def raise_concern(by, case):
    return services.raise_concern(
        by=by, case=case, child=None, what="CANARY-ZEBEDEE", happened_at=timezone.now()
    )


def disclose(by, case, **extra):
    return consent_services.record_disclosure(
        by=by,
        case=case,
        what="The concern, by phone",
        recipient=Recipient.SOCIAL_CARE,
        organisation="Children's social care",
        when=timezone.now(),
        how=Disclosure.How.PHONE,
        basis=Disclosure.Basis.CHILD_PROTECTION,
        **extra,
    )


def test_a_child_protection_disclosure_needs_a_concern_of_the_case_and_a_lead(senior, caseworker, case):
    concern = raise_concern(caseworker, case)
    other_case = make_case(caseworker)
    other_concern = raise_concern(caseworker, other_case)

    with pytest.raises(consent_services.ConsentError, match="child-protection file"):
        disclose(senior, case)
    with pytest.raises(consent_services.ConsentError, match="another case"):
        disclose(senior, case, concern=other_concern)
    with pytest.raises(Http404):
        disclose(caseworker, case, concern=concern)
    assert not Disclosure.objects.exists()

    disclosure = disclose(senior, case, concern=concern)
    stored = Disclosure.objects.get()
    assert stored.pk == disclosure.pk
    assert stored.case_id == case.pk
    assert stored.basis == Disclosure.Basis.CHILD_PROTECTION
    assert stored.consent is None
    assert stored.legal_reference == ""
    assert stored.disclosed_by == senior


def test_a_consent_passed_with_a_child_protection_disclosure_is_not_stored(senior, caseworker, case):
    from consent.models import Consent

    concern = raise_concern(caseworker, case)
    consent = Consent.objects.filter(parent_id=case.parent_id).first()
    disclosure = disclose(senior, case, concern=concern, consent=consent, legal_reference="s47 Children Act")
    disclosure.refresh_from_db()
    assert disclosure.consent is None
    assert disclosure.legal_reference == ""


def test_a_caseworkers_case_page_reads_the_same_whether_or_not_a_referral_is_hidden_on_it(
    senior, caseworker, case, time_machine
):
    """The case page skips the kinds of record a case has none of (``has_records``). It asks
    through the same rules as its reads: a child-protection concern and referral the caseworker
    may not see make their page do exactly what it does on a case with nothing (R6: no trace, not
    even in what the page reads or how long it takes)."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.conftest import client_for

    time_machine.move_to(timezone.now(), tick=False)
    plain = make_case(caseworker)
    disclose(senior, case, concern=raise_concern(senior, case))
    client = client_for(caseworker)

    def tables_read(on):
        url = reverse("cases:case_detail", args=[on.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return [re.findall(r'(?:FROM|INTO|UPDATE) "(\w+)"', q["sql"]) for q in captured], response

    with_referral, page = tables_read(case)
    assert "The concern, by phone" not in page.content.decode()
    assert with_referral == tables_read(plain)[0]
    assert not any("consent_disclosure" in tables and len(tables) == 1 for tables in with_referral)
    client = client_for(senior)  # a lead: the referral is read, and shown
    lead_reads = [tables[:1] for tables in tables_read(case)[0]]
    assert ["consent_disclosure"] in lead_reads and ["safeguarding_concern"] in lead_reads
