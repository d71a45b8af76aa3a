# Encrypts rows written before personal fields were encrypted: each parent gets a data key, and
# its fields and those of its children, cases, case events, contacts and consents are replaced
# by tokens; its plaintext search tokens are replaced by blind indexes. Rows are written with
# .update(), since historical models have no household keys.
from django.db import migrations

from cases.search import stored_tokens
from pps import crypto

FIELDS = {
    "Parent": ["first_name", "last_name", "phone", "email", "address", "postcode"],
    "Child": ["first_name", "last_name", "date_of_birth", "school"],
    "Case": ["summary"],
    "CaseEvent": ["reason"],
    "Contact": ["notes"],
}


def _encrypt_row(model, label, obj, key):
    changes = {}
    for name in FIELDS.get(model.__name__, ["parent_was_told"]):
        value = obj.__dict__.get(name)
        if value is None or crypto.is_encrypted_token(value):
            continue
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        changes[name] = crypto.encrypt_field(key, text, aad=crypto.field_aad(label, name, obj.pk))
    if changes:
        model.objects.filter(pk=obj.pk).update(**changes)


def encrypt_existing_rows(apps, schema_editor):
    Parent = apps.get_model("cases", "Parent")
    if not Parent.objects.filter(data_key="").exists():
        return
    models = {name: apps.get_model("cases", name) for name in ("Child", "Case", "CaseEvent", "Contact")}
    Consent = apps.get_model("consent", "Consent")
    SearchToken = apps.get_model("cases", "ParentSearchToken")
    for parent in Parent.objects.filter(data_key="").iterator():
        SearchToken.objects.filter(parent=parent).delete()
        SearchToken.objects.bulk_create(
            SearchToken(parent=parent, kind=kind, value=value) for kind, value in stored_tokens(parent)
        )
        key = crypto.new_data_key()
        wrapped = crypto.wrap_data_key(key, aad=crypto.field_aad("cases.Parent", "data_key", parent.pk).encode())
        _encrypt_row(Parent, "cases.Parent", parent, key)
        Parent.objects.filter(pk=parent.pk).update(data_key=wrapped)
        related = [
            (models["Child"], "cases.Child", models["Child"].objects.filter(parent=parent)),
            (models["Case"], "cases.Case", models["Case"].objects.filter(parent=parent)),
            (models["CaseEvent"], "cases.CaseEvent", models["CaseEvent"].objects.filter(case__parent=parent)),
            (models["Contact"], "cases.Contact", models["Contact"].objects.filter(case__parent=parent)),
            (Consent, "consent.Consent", Consent.objects.filter(parent=parent)),
        ]
        for model, label, rows in related:
            for obj in rows:
                _encrypt_row(model, label, obj, key)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_encrypted_personal_fields"),
        ("consent", "0003_encrypted_personal_fields"),
    ]

    operations = [migrations.RunPython(encrypt_existing_rows, migrations.RunPython.noop)]
