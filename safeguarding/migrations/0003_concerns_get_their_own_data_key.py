# Concerns recorded before 0002 have no data key of their own: their text, and that of their
# discussions and external referrals, is encrypted with the case's household key. Each gets its
# own data key, and those fields are re-encrypted under it, so that the child-protection file no
# longer depends on the case file's key (it can outlive it). The snapshot of who the concern is
# about (case reference, child's and parent's names) is filled in from the case.
#
# A concern whose household was destroyed already cannot be read: its content went with the
# household. It keeps no key, its names stay empty and it is marked destroyed.
#
# Raw tokens are read with .values() and written with .update(), calling pps.crypto directly:
# historical models have no household keys (see cases/migrations/0007_encrypt_existing_rows.py).
from django.db import migrations
from django.utils import timezone

from pps import crypto

FIELDS = {
    "Concern": ["what"],
    "Discussion": ["participants", "notes"],
    "ExternalReferral": ["person_spoken_to", "their_reference", "what_was_shared"],
}


def _aad(model: str, field: str, pk) -> str:
    app = "cases" if model in ("Parent", "Child") else "safeguarding"
    return crypto.field_aad(f"{app}.{model}", field, pk)


def _read(household_key: bytes, model: str, field: str, pk, token: str) -> str:
    if token in (None, ""):
        return ""
    if not crypto.is_encrypted_token(token):
        return token  # written before encryption: plaintext
    return crypto.decrypt_field(household_key, token, aad=_aad(model, field, pk))


def _rekey_row(manager, model: str, pk, row: dict, household_key: bytes, key: bytes, **extra) -> None:
    changes = dict(extra)
    for field in FIELDS[model]:
        text = _read(household_key, model, field, pk, row[field])
        changes[field] = crypto.encrypt_field(key, text, aad=_aad(model, field, pk))
    manager.filter(pk=pk).update(**changes)


def _household_key(parent_id, wrapped: str) -> bytes | None:
    if not wrapped:
        return None  # destroyed
    return crypto.unwrap_data_key(wrapped, aad=_aad("Parent", "data_key", parent_id).encode())


def _name(household_key: bytes, model: str, pk, first: str, last: str) -> str:
    first = _read(household_key, model, "first_name", pk, first)
    last = _read(household_key, model, "last_name", pk, last)
    return f"{first} {last}".strip()


def give_concerns_their_own_key(apps, schema_editor):
    Concern = apps.get_model("safeguarding", "Concern")
    Discussion = apps.get_model("safeguarding", "Discussion")
    ExternalReferral = apps.get_model("safeguarding", "ExternalReferral")
    Child = apps.get_model("cases", "Child")
    pending = Concern.objects.filter(data_key="")
    if not pending.exists():
        return
    now = timezone.now()
    rows = pending.values(
        "pk",
        "what",
        "destroyed_at",
        "child_id",
        "case__reference",
        "case__parent_id",
        "case__parent__data_key",
        "case__parent__first_name",
        "case__parent__last_name",
    )
    for row in list(rows):
        pk = row["pk"]
        if row["destroyed_at"] is not None:
            continue  # destroyed by retention since: it has no key by design
        household_key = _household_key(row["case__parent_id"], row["case__parent__data_key"])
        if household_key is None:
            Concern.objects.filter(pk=pk).update(case_reference=row["case__reference"], destroyed_at=now)
            continue
        parent_name = _name(
            household_key,
            "Parent",
            row["case__parent_id"],
            row["case__parent__first_name"],
            row["case__parent__last_name"],
        )
        child_name = ""
        if row["child_id"] is not None:
            child = Child.objects.values("first_name", "last_name").get(pk=row["child_id"])
            child_name = _name(
                household_key, "Child", row["child_id"], child["first_name"], child["last_name"]
            )
        key = crypto.new_data_key()
        _rekey_row(
            Concern.objects,
            "Concern",
            pk,
            row,
            household_key,
            key,
            data_key=crypto.wrap_data_key(key, aad=_aad("Concern", "data_key", pk).encode()),
            case_reference=row["case__reference"],
            child_name=crypto.encrypt_field(key, child_name, aad=_aad("Concern", "child_name", pk)),
            parent_name=crypto.encrypt_field(key, parent_name, aad=_aad("Concern", "parent_name", pk)),
        )
        for model, manager in (
            ("Discussion", Discussion.objects),
            ("ExternalReferral", ExternalReferral.objects),
        ):
            for related in manager.filter(concern_id=pk).values("pk", *FIELDS[model]):
                _rekey_row(manager, model, related["pk"], related, household_key, key)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_case_status_index"),
        ("safeguarding", "0002_concern_own_key_break_glass_alerts"),
    ]

    operations = [migrations.RunPython(give_concerns_their_own_key, migrations.RunPython.noop)]
