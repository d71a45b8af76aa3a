"""R9, R13: personal data is stored encrypted, bound to its row, with a key per household that
rotates under new master keys and can be destroyed for good."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cases import services
from cases.models import Case, Child, Contact, Parent, ParentSearchToken
from consent.models import Consent
from pps import crypto
from pps.encryption import HouseholdDestroyed
from tests.conftest import client_for
from tests.factories import contact_details, make_case

CANARY = "Zebedee"


def raw_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names are the test's own
        return [" ".join(map(str, row)) for row in cursor.fetchall()]


@pytest.fixture
def canary_case(caseworker):
    case = make_case(
        caseworker,
        first_name=CANARY,
        last_name=f"{CANARY}-Smith",
        phone="07700 900432",
        email="zebedee@example.org",
        address=f"1 {CANARY} Lane",
        postcode="ZE1 1ZZ",
        summary=f"{CANARY} needs help with transport",
    )
    services.log_case_contact(
        by=caseworker, case=case, details=contact_details(case.service), notes=f"{CANARY} called back"
    )
    services.close_case(by=caseworker, case=case, reason=f"{CANARY} moved")
    return case


@pytest.mark.parametrize(
    "table",
    [
        "cases_parent",
        "cases_child",
        "cases_case",
        "cases_caseevent",
        "cases_contact",
        "cases_parentsearchtoken",
        "consent_consent",
        "pps_auditentry",
    ],
)
def test_no_table_holds_the_plaintext(canary_case, table):
    rows = raw_rows(table)
    assert rows
    for row in rows:
        for secret in (
            CANARY,
            CANARY.lower(),
            "900432",
            "07700900432",
            "zebedee@example.org",
            "ZE1 1ZZ",
            "ZE11ZZ",
        ):
            assert secret not in row


def test_the_application_reads_it_back(as_caseworker, canary_case):
    page = as_caseworker.get(reverse("cases:case_detail", args=[canary_case.pk])).content.decode()
    assert f"{CANARY} {CANARY}-Smith" in page
    assert f"{CANARY} called back" in page and f"{CANARY} moved" in page
    assert "ZE1 1ZZ" in page


def test_the_same_value_encrypts_differently_each_time(caseworker):
    one, two = make_case(caseworker, first_name="Sam").parent, make_case(caseworker, first_name="Sam").parent
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name FROM cases_parent WHERE id IN (%s, %s)", [one.pk.hex, two.pk.hex])
        tokens = [row[0] for row in cursor.fetchall()]
    if not tokens:  # PostgreSQL stores uuids natively
        with connection.cursor() as cursor:
            cursor.execute("SELECT first_name FROM cases_parent WHERE id IN (%s, %s)", [one.pk, two.pk])
            tokens = [row[0] for row in cursor.fetchall()]
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    assert all(crypto.is_encrypted_token(token) for token in tokens)


def test_a_ciphertext_copied_to_another_row_does_not_decrypt(caseworker, canary_case):
    other = make_case(caseworker).parent
    stolen = Parent.objects.filter(pk=canary_case.parent.pk).values_list("first_name", flat=True)
    Parent.objects.filter(pk=other.pk).update(first_name=stolen.get())
    with pytest.raises(crypto.DecryptionError):
        Parent.objects.get(pk=other.pk).first_name  # noqa: B018


def test_encrypted_fields_cannot_be_queried(canary_case):
    with pytest.raises(TypeError, match="encrypted"):
        Parent.objects.filter(first_name=CANARY).exists()


def test_search_still_finds_by_name_prefix_phone_and_postcode(caseworker, canary_case):
    for query in ("zeb", "Zebedee-Smith", "07700 900432", "ZE1 1ZZ", "zebedee@example.org"):
        assert [p.pk for p in services.find_parents(caseworker, query)] == [canary_case.parent.pk], query


def test_rotation_keeps_everything_readable_under_the_new_key_alone(settings, canary_case):
    old = settings.FIELD_ENCRYPTION_KEYS
    new = crypto.generate_key_ring_text("next")
    settings.FIELD_ENCRYPTION_KEYS = f"{new},{old}"
    call_command("rotate_encryption_keys")
    assert all(key.startswith("v1.next.") for key in Parent.objects.values_list("data_key", flat=True))
    settings.FIELD_ENCRYPTION_KEYS = new
    parent = Parent.objects.get(pk=canary_case.parent.pk)
    assert parent.first_name == CANARY
    assert Case.objects.get(pk=canary_case.pk).summary == f"{CANARY} needs help with transport"
    assert Child.objects.filter(parent=parent).get().first_name


def test_a_destroyed_household_is_unreadable_and_unfindable_while_others_are_untouched(
    senior, caseworker, canary_case
):
    neighbour = make_case(caseworker, first_name="Nina", last_name="Zebra")
    services.destroy_household(by=senior, parent=canary_case.parent)
    assert not ParentSearchToken.objects.filter(parent=canary_case.parent).exists()
    assert services.find_parents(caseworker, "zeb") == [neighbour.parent]
    for model, pk, field in [
        (Parent, canary_case.parent.pk, "first_name"),
        (Case, canary_case.pk, "summary"),
        (Contact, canary_case.contacts.get().pk, "notes"),
        (Consent, canary_case.parent.consents.get().pk, "parent_was_told"),
    ]:
        with pytest.raises(HouseholdDestroyed):
            getattr(model.objects.get(pk=pk), field)
    assert client_for(caseworker).get(reverse("cases:case_detail", args=[canary_case.pk])).status_code == 404
    assert Case.objects.get(pk=neighbour.pk).parent.first_name == "Nina"


def test_only_senior_staff_can_destroy_a_household(caseworker, canary_case):
    from django.http import Http404

    with pytest.raises(Http404):
        services.destroy_household(by=caseworker, parent=canary_case.parent)
    assert Parent.objects.get(pk=canary_case.parent.pk).first_name == CANARY


def test_an_nng_contact_has_no_household_and_stores_no_notes(caseworker, service):
    contact = services.log_nng_contact(by=caseworker, details=contact_details(service))
    assert Contact.objects.filter(pk=contact.pk, notes="").exists()


def test_refreshing_a_record_reloads_its_encrypted_fields(caseworker, case):
    from cases.models import Parent

    parent = Parent.objects.get(pk=case.parent_id)
    assert parent.first_name == "Sarah"
    other = Parent.objects.get(pk=case.parent_id)
    other.first_name = "Sadie"
    other.save()

    parent.refresh_from_db()

    assert parent.first_name == "Sadie"
    parent.refresh_from_db(fields=["first_name"])
    assert parent.first_name == "Sadie"


def test_a_deferred_encrypted_field_is_read_when_first_used(caseworker, case):
    from cases.models import Parent

    parent = Parent.objects.only("pk", "data_key").get(pk=case.parent_id)
    assert parent.first_name == "Sarah"
