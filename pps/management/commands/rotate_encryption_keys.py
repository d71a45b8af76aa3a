from auditlog.context import disable_auditlog
from django.core.management.base import BaseCommand
from django.db import transaction

from cases.models import Parent
from pps import crypto

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-wrap every household's data key under the current (first) master key of "
        "FIELD_ENCRYPTION_KEYS. Data stays readable throughout: only the small wrapped keys change. "
        "Afterwards the older master keys can be removed from FIELD_ENCRYPTION_KEYS."
    )

    def handle(self, *args, **options):
        ring = crypto.get_key_ring()
        current = f"v1.{ring.current_id}."
        pending = Parent.objects.exclude(data_key="").exclude(data_key__startswith=current)
        total = pending.count()
        self.stdout.write(f"{total} data keys to re-wrap under master key {ring.current_id!r}.")
        done = 0
        # Key maintenance, not a change of personal data: one summary line, no audit entry per row.
        with disable_auditlog():
            while True:
                with transaction.atomic():
                    batch = list(pending.only("pk", "data_key")[:BATCH])
                    if not batch:
                        break
                    for parent in batch:
                        aad = crypto.field_aad("cases.Parent", "data_key", parent.pk).encode()
                        rewrapped = crypto.rewrap_data_key(parent.data_key, aad=aad)
                        Parent.objects.filter(pk=parent.pk).update(data_key=rewrapped)
                done += len(batch)
                self.stdout.write(f"re-wrapped {done}/{total}")
        done_message = f"Done: every data key is under master key {ring.current_id!r}."
        self.stdout.write(self.style.SUCCESS(done_message))
