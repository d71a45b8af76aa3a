"""The dashboard warns of consents to share lapsing within 30 days and of cases working without one."""

from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from consent import services
from consent.queries import consent_warnings_for
from tests.factories import make_case


def consent_on(by, case, *, days_ago=0):
    return services.record_consent(
        by=by,
        case=case,
        method="written_meeting",
        parent_was_told="Sharing with the school.",
        recipients=["school"],
        given_at=timezone.now() - timezone.timedelta(days=days_ago),
    )


def test_lapsing_and_missing_consents_are_listed(caseworker, case):
    lapsing_case = make_case(caseworker)
    renewed_case = make_case(caseworker)
    consent_on(caseworker, case)
    lapsing = consent_on(caseworker, lapsing_case, days_ago=350)
    consent_on(caseworker, renewed_case, days_ago=350)
    consent_on(caseworker, renewed_case)
    without_case = make_case(caseworker)
    warnings = consent_warnings_for(caseworker)
    assert [c.pk for c in warnings["lapsing"]] == [lapsing_case.pk]
    assert warnings["lapsing"][0].lapses_on == lapsing.expires_on
    assert [c.pk for c in warnings["without"]] == [without_case.pk]


def test_a_withdrawn_consent_leaves_the_case_without_one(caseworker, case):
    consent = consent_on(caseworker, case)
    services.withdraw_consent(by=caseworker, consent=consent, note="Phoned")
    assert [c.pk for c in consent_warnings_for(caseworker)["without"]] == [case.pk]


def test_others_see_nothing_of_cases_they_may_not_reach(second_caseworker, outsider, case):
    for user in (second_caseworker, outsider):
        warnings = consent_warnings_for(user)
        assert warnings["without"] == [] and warnings["lapsing"] == []


def test_the_include_renders_the_warnings(caseworker, case):
    request = RequestFactory().get("/")
    request.user = caseworker
    page = Template("{% load consent_tags %}{% consent_warnings %}").render(Context({"request": request}))
    assert "1 open case without a valid consent to share" in page
    assert "Sarah Jones" in page and case.reference in page
