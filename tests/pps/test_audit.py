"""R8: changes and reads are recorded, with who and from where, and nothing personal."""

import json

from auditlog import get_logentry_model
from django.urls import reverse

from cases import services
from cases.models import Parent
from tests.factories import contact_details, make_case

CANARY = "CANARY-ZEBEDEE"


def all_entries_text() -> str:
    entry = get_logentry_model()
    rows = entry.objects.values(
        "object_repr", "changes", "changes_text", "serialized_data", "additional_data"
    )
    return json.dumps(list(rows), default=str)


def test_creating_and_changing_personal_records_is_audited_without_their_content(caseworker):
    case = make_case(
        caseworker, first_name=CANARY, last_name=CANARY, email="canary-zebedee@example.org", children=1
    )
    child = case.parent.children.get()
    child.first_name = CANARY
    services.update_child(by=caseworker, child=child)
    services.log_case_contact(
        by=caseworker, case=case, details=contact_details(case.service), notes=f"{CANARY} said hello"
    )
    services.close_case(by=caseworker, case=case, reason=f"{CANARY} moved away")
    entry = get_logentry_model()
    created = set(
        entry.objects.filter(action=entry.Action.CREATE).values_list("content_type__model", flat=True)
    )
    assert {"parent", "child", "case", "contact", "consent", "caseevent"} <= created
    assert entry.objects.filter(action=entry.Action.UPDATE, object_pk=str(child.pk)).exists()
    text = all_entries_text()
    assert CANARY not in text and CANARY.lower() not in text
    assert "[hidden]" in text


def test_a_change_records_who_made_it(as_caseworker, caseworker, case):
    url = reverse("cases:case_close", args=[case.pk])
    as_caseworker.post(url, {"reason": "done"}, REMOTE_ADDR="10.1.2.3")
    entry = get_logentry_model()
    change = entry.objects.get(action=entry.Action.UPDATE, object_pk=str(case.pk))
    assert change.actor == caseworker
    assert change.remote_addr == "10.1.2.3"


def test_a_forged_forwarded_for_header_neither_chooses_the_address_nor_breaks_the_page(as_caseworker, case):
    url = reverse("cases:case_detail", args=[case.pk])
    response = as_caseworker.get(url, HTTP_X_FORWARDED_FOR="not-an-address, 6.6.6.6")
    assert response.status_code == 200
    entry = get_logentry_model()
    access = entry.objects.filter(action=entry.Action.ACCESS, object_pk=str(case.pk)).latest("timestamp")
    assert access.remote_addr == "127.0.0.1"


def test_opening_a_case_page_is_recorded_as_an_access(as_caseworker, caseworker, case):
    as_caseworker.get(reverse("cases:case_detail", args=[case.pk]))
    entry = get_logentry_model()
    access = entry.objects.filter(action=entry.Action.ACCESS, object_pk=str(case.pk)).latest("timestamp")
    assert access.actor == caseworker
    assert access.additional_data == {"how": "case page"}
    assert access.object_repr == str(case.pk)


def test_a_list_page_records_each_case_shown(as_caseworker, caseworker):
    cases = [make_case(caseworker) for _ in range(3)]
    as_caseworker.get(reverse("cases:case_list"))
    entry = get_logentry_model()
    shown = set(
        entry.objects.filter(action=entry.Action.ACCESS, additional_data__how="case list").values_list(
            "object_pk", flat=True
        )
    )
    assert shown == {str(c.pk) for c in cases}


def test_the_str_of_a_parent_is_its_id_not_its_name(case):
    parent = Parent.objects.get(pk=case.parent.pk)
    assert str(parent) == str(parent.pk)


def test_one_call_recording_several_kinds_of_record_gives_each_its_own_entry(caseworker, case):
    from django.contrib.contenttypes.models import ContentType

    from pps.audit import record_access

    other = make_case(caseworker)
    record_access(caseworker, [case, case.parent, other], how="several kinds", child_protection=True)
    entry = get_logentry_model()
    written = entry.objects.filter(additional_data__how="several kinds").order_by("id")
    assert [(e.content_type, e.object_pk, e.object_repr) for e in written] == [
        (ContentType.objects.get_for_model(type(record)), str(record.pk), str(record.pk))
        for record in (case, case.parent, other)
    ]
    assert {e.actor_id for e in written} == {caseworker.pk}
    assert all(e.additional_data == {"how": "several kinds", "child_protection": True} for e in written)
    assert len({e.pk for e in written}) == 3
