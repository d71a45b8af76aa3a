"""With a read replica configured, the statistics are read from it and everything else from the
primary: no page that writes audit entries reads there, and no write goes there
(``pps.db_router``). The test database's second alias, ``replica``, mirrors it; the tests commit
what they make (``transactional_db``), as the replica sees only what the primary committed."""

import pytest
from auditlog import get_logentry_model
from django.contrib.sessions.models import Session
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Contact
from pps.db_router import ReplicaRouter, reading_statistics
from reports.models import StatisticsExport
from tests.conftest import client_for
from tests.markers import requires_postgres


@pytest.fixture
def replica(settings):
    settings.PPS_READ_REPLICA = "replica"
    return "replica"


def test_only_statistics_reads_of_the_records_go_to_the_replica(replica):
    router = ReplicaRouter()
    assert router.db_for_read(Contact) is None  # outside the statistics: the primary
    with reading_statistics():
        assert router.db_for_read(Contact) == "replica"
        assert router.db_for_read(get_logentry_model()) == "default"
        assert router.db_for_read(Session) == "default"
    assert router.db_for_write(Contact) == "default"
    assert router.allow_migrate("replica", "cases") is False


def test_without_a_replica_everything_stays_on_the_primary(settings, db):
    settings.PPS_READ_REPLICA = None
    with reading_statistics():
        assert ReplicaRouter().db_for_read(Contact) is None


def queries_on(alias):
    return CaptureQueriesContext(connections[alias])


@requires_postgres
@pytest.mark.django_db(databases=["default", "replica"])
def test_the_statistics_page_reads_the_replica_and_a_case_page_never_does(
    transactional_db, replica, coordinator, caseworker, case
):
    with queries_on("replica") as on_replica, queries_on("default") as on_primary:
        assert client_for(coordinator).get(reverse("reports:statistics")).status_code == 200
    # The figures come from the summary tables (``reports.summaries``), kept beside the records.
    assert any('"reports_dailycount"' in query["sql"] for query in on_replica.captured_queries)
    assert not any('"reports_dailycount"' in query["sql"] for query in on_primary.captured_queries)

    audit = get_logentry_model().objects.filter(actor=caseworker)
    before = audit.count()
    with queries_on("replica") as on_replica:
        assert client_for(caseworker).get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    assert audit.count() > before  # the page wrote its ACCESS entries
    assert on_replica.captured_queries == []


@requires_postgres
@pytest.mark.django_db(databases=["default", "replica"])
def test_an_export_writes_its_record_and_audit_entry_on_the_primary(transactional_db, replica, coordinator):
    with queries_on("replica") as on_replica:
        answer = client_for(coordinator).post(reverse("reports:statistics_export"), {"format": "csv"})
        assert answer.status_code == 200
        b"".join(answer.streaming_content)
    assert not any(query["sql"].startswith(("INSERT", "UPDATE")) for query in on_replica.captured_queries)
    assert StatisticsExport.objects.filter(requested_by=coordinator).exists()
    assert (
        get_logentry_model()
        .objects.filter(actor=coordinator, action=get_logentry_model().Action.ACCESS)
        .exists()
    )
    assert any('"reports_dailycount"' in query["sql"] for query in on_replica.captured_queries)
