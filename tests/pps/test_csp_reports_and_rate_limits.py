"""A Content-Security-Policy report endpoint that logs reports without personal data and is
rate-limited, and a limit on searching with a clear 429 page (issue 10, item 18)."""

import html
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pps import csp_reports
from tests.factories import make_case

REPORT = {
    "csp-report": {
        "document-uri": "https://casework.example/parents/?q=Hayley+Dawson",
        "referrer": "https://casework.example/cases/?parent=Hayley%20Dawson",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'",
        "blocked-uri": "https://evil.example/steal.js?name=Hayley+Dawson",
        "script-sample": "alert('Hayley Dawson')",
        "source-file": "https://casework.example/static/js/app.js?v=Hayley",
        "line-number": 12,
        "status-code": 200,
    }
}


@pytest.fixture
def csp_log(caplog):
    caplog.set_level("WARNING", logger="pps.csp")

    def read():
        return [json.loads(r.getMessage()) for r in caplog.records if r.name == "pps.csp"]

    return read


def send(client, body, content_type="application/csp-report"):
    return client.post(reverse("csp_report"), body, content_type=content_type)


def test_every_page_names_the_report_endpoint(as_caseworker):
    policy = as_caseworker.get(reverse("cases:dashboard"))["Content-Security-Policy"]
    assert "report-uri /csp-report/" in policy


def test_a_report_is_logged_without_personal_data(db, csp_log):
    response = send(Client(enforce_csrf_checks=True), json.dumps(REPORT))
    assert response.status_code == 204
    [entry] = csp_log()
    assert entry == {
        "event": "csp_violation",
        "directive": "script-src-elem",
        "blocked": "https://evil.example",
        "page": "/parents/",
        "source": "/static/js/app.js",
        "line": 12,
        "disposition": "enforce",
    }
    assert "Hayley" not in json.dumps(csp_log())


def test_reporting_api_reports_are_understood_too(db, csp_log):
    body = [{"type": "csp-violation", "body": {"effectiveDirective": "img-src", "blockedURL": "inline"}}]
    assert send(Client(), json.dumps(body), "application/reports+json").status_code == 204
    assert csp_log()[0]["directive"] == "img-src" and csp_log()[0]["blocked"] == "inline"


@pytest.mark.parametrize("body", ["not json", json.dumps({"nothing": 1}), "x" * (csp_reports.MAX_BYTES + 10)])
def test_rubbish_is_refused_quietly(db, csp_log, body):
    assert send(Client(), body).status_code in (204, 400, 413)
    assert csp_log() == []


def test_reports_are_rate_limited_per_address(db, csp_log):
    client = Client(REMOTE_ADDR="203.0.113.60")
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        answers = [send(client, json.dumps(REPORT)).status_code for _ in range(csp_reports.LIMIT + 5)]
        assert answers.count(204) == csp_reports.LIMIT and answers[-1] == 429
        assert len(csp_log()) == csp_reports.LIMIT
        assert send(Client(REMOTE_ADDR="203.0.113.61"), json.dumps(REPORT)).status_code == 204


def test_a_get_is_not_a_report(db):
    assert Client().get(reverse("csp_report")).status_code == 405


def test_searching_too_often_gets_a_clear_429_page_keeping_what_was_typed(
    settings, caseworker, as_caseworker
):
    settings.PPS_SEARCHES_PER_MINUTE = 3
    make_case(caseworker, first_name="Sarah", last_name="Jones")
    url = reverse("cases:parent_search")
    with time_machine.travel(timezone.now().replace(second=1), tick=False) as clock:
        for _ in range(3):
            assert as_caseworker.post(url, {"q": "jones"}, follow=True).status_code == 200
        response = as_caseworker.post(url, {"q": "Sarah Jones"}, follow=True)
        assert response.status_code == 429
        page = html.unescape(response.content.decode())
        assert "Too many searches" in page and "Wait a minute" in page
        assert 'value="Sarah Jones"' in page
        assert "1 parent found" not in page
        clock.shift(60)
        assert as_caseworker.post(url, {"q": "jones"}, follow=True).status_code == 200


def test_one_persons_searches_do_not_limit_a_colleague(
    settings, caseworker, second_caseworker, as_caseworker
):
    from tests.conftest import client_for

    settings.PPS_SEARCHES_PER_MINUTE = 2
    url = reverse("cases:parent_search")
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        for _ in range(3):
            as_caseworker.post(url, {"q": "jones"}, follow=True)
        assert client_for(second_caseworker).post(url, {"q": "jones"}, follow=True).status_code == 200
