"""R8: a senior manager sees who accessed a case, and what a member of staff accessed; both
views are themselves recorded."""

from auditlog import get_logentry_model
from django.urls import reverse
from django.utils.html import escape

from pps.audit import record_access
from tests.conftest import client_for


def test_a_senior_sees_who_opened_a_case(senior, as_caseworker, caseworker, case):
    as_caseworker.get(reverse("cases:case_detail", args=[case.pk]))
    page = client_for(senior).get(reverse("cases:case_access_log", args=[case.pk])).content.decode()
    assert "Who has accessed this case" in page
    assert escape(caseworker.display_name) in page
    assert "case page" in page and "Viewed" in page and "Created" in page


def test_looking_at_the_access_history_is_itself_recorded(senior, case):
    client_for(senior).get(reverse("cases:case_access_log", args=[case.pk]))
    entry = get_logentry_model()
    assert entry.objects.filter(
        action=entry.Action.ACCESS,
        actor=senior,
        object_pk=str(case.pk),
        additional_data__how="access history",
    ).exists()


def test_a_senior_sees_what_a_member_of_staff_accessed(senior, as_caseworker, caseworker, case):
    as_caseworker.get(reverse("cases:case_detail", args=[case.pk]))
    page = client_for(senior).get(reverse("cases:staff_access_log", args=[caseworker.pk])).content.decode()
    assert f"What {escape(caseworker.display_name)} has accessed" in page
    assert str(case.pk)[:10] in page
    entry = get_logentry_model()
    assert entry.objects.filter(
        actor=senior, object_pk=str(caseworker.pk), action=entry.Action.ACCESS
    ).exists()


def test_staff_of_another_service_are_not_found(senior, outsider):
    assert client_for(senior).get(reverse("cases:staff_access_log", args=[outsider.pk])).status_code == 404


def test_caseworkers_cannot_see_access_histories(as_caseworker, caseworker, case):
    assert as_caseworker.get(reverse("cases:case_access_log", args=[case.pk])).status_code == 404
    assert as_caseworker.get(reverse("cases:staff_access_log", args=[caseworker.pk])).status_code == 404


def test_a_senior_lists_their_services_staff_only(senior, caseworker, outsider):
    # A name no one else can have: random names of two services' staff can coincide.
    outsider.first_name, outsider.last_name = "Ottoline", "Outsidertown"
    outsider.save()
    page = client_for(senior).get(reverse("cases:staff_list")).content.decode()
    assert escape(caseworker.display_name) in page
    assert escape(outsider.display_name) not in page
    assert reverse("cases:staff_access_log", args=[caseworker.pk]) in page


def test_caseworkers_cannot_list_staff(as_caseworker):
    assert as_caseworker.get(reverse("cases:staff_list")).status_code == 404


def test_a_long_history_pages_by_the_last_entry_shown_with_an_estimated_total(senior, caseworker, case):
    from cases.views import AUDIT_ENTRIES_PER_PAGE

    for _ in range(AUDIT_ENTRIES_PER_PAGE // 50 + 1):
        record_access(caseworker, [case] * 50, how="case list")
    client = client_for(senior)
    url = reverse("cases:staff_access_log", args=[caseworker.pk])
    first = client.get(url)
    page = first.context["page"]
    assert len(page.object_list) == AUDIT_ENTRIES_PER_PAGE and page.has_next
    assert "About " in first.content.decode() and "entries in all" in first.content.decode()
    second = client.get(url, {"older": page.next_cursor}).context["page"]
    seen = {entry.pk for entry in page.object_list}
    assert second.object_list and not seen & {entry.pk for entry in second.object_list}
    oldest_first_page = page.object_list[-1]
    assert all(
        (entry.timestamp, entry.pk) < (oldest_first_page.timestamp, oldest_first_page.pk)
        for entry in second.object_list
    )
    # A cursor that was not made by the page is ignored: the newest entries again.
    assert client.get(url, {"older": "forged"}).context["page"].is_first


def test_a_history_line_says_when_as_the_date_filter_would():
    import datetime as dt

    from django.template.defaultfilters import date as date_filter
    from django.utils import timezone

    from pps.audit import _short, _when

    for at in (
        dt.datetime(2026, 12, 3, 9, 5, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 30, 23, 59, 59, tzinfo=dt.UTC),
    ):
        assert _when(at) == date_filter(timezone.localtime(at), "j M Y, H:i:s")  # summer time included
    assert _short("abcdef") == "abcdef"
    assert _short("0123456789abcdef") == "0123456789ab…"
