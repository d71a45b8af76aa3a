from auditlog.context import disable_auditlog
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from pps import crypto
from pps.encryption import DataKeyField

BATCH = 500


def data_key_fields():
    """(model, field) for every wrapped data key: households (``cases.Parent``), referrals
    (``consent.Referral``), child-protection files (``safeguarding.Concern``)..."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, DataKeyField)
    ]


class Command(BaseCommand):
    help = (
        "Re-wrap every data key (households, referrals, child-protection files) under the current "
        "(first) master key of FIELD_ENCRYPTION_KEYS. Data stays readable throughout: only the "
        "small wrapped keys change. Afterwards the older master keys can be removed from "
        "FIELD_ENCRYPTION_KEYS."
    )

    def handle(self, *args, **options):
        ring = crypto.get_key_ring()
        current = f"v1.{ring.current_id}."
        for model, field in data_key_fields():
            self.rewrap(model, field, current, ring.current_id)
        done_message = f"Done: every data key is under master key {ring.current_id!r}."
        self.stdout.write(self.style.SUCCESS(done_message))

    def rewrap(self, model, field, current: str, current_id: str) -> None:
        label, name = model._meta.label, field.name
        pending = model._default_manager.exclude(**{name: ""}).exclude(**{f"{name}__startswith": current})
        total = pending.count()
        self.stdout.write(f"{label}: {total} data keys to re-wrap under master key {current_id!r}.")
        done = 0
        # Key maintenance, not a change of personal data: one summary line, no audit entry per row.
        with disable_auditlog():
            while True:
                with transaction.atomic():
                    batch = list(pending.values_list("pk", name)[:BATCH])
                    if not batch:
                        break
                    for pk, wrapped in batch:
                        # The associated data each model's _data_key_aad() uses, e.g.
                        # "safeguarding.Concern.data_key:<uuid>".
                        aad = crypto.field_aad(label, name, pk).encode()
                        rewrapped = crypto.rewrap_data_key(wrapped, aad=aad)
                        model._default_manager.filter(pk=pk).update(**{name: rewrapped})
                done += len(batch)
                self.stdout.write(f"{label}: re-wrapped {done}/{total}")
