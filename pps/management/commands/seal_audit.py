"""Seals the audit log's new entries into its hash chain (PostgreSQL), to be run all the time.

    python manage.py seal_audit --every 60     # a service of its own: seal, wait a minute, again
    python manage.py seal_audit                # once (from cron or a systemd timer, every minute)

Entries are written unsealed, without waiting for one another; this chains them, in order
(``pps.audit_chain.seal``). An entry is sealed at most one interval plus one pass after it was
written; ``verify_audit_chain`` reports any left unsealed longer than
``pps.audit_chain.SEAL_WITHIN_MINUTES``.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from pps.audit_chain import chain_supported, seal


class Command(BaseCommand):
    help = "Chain the audit entries written since the last sealing (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="seconds between passes; 0: once")

    def handle(self, *args, every=0, **options):
        if not chain_supported():
            raise CommandError("The audit log is hash-chained on PostgreSQL only; this database is not.")
        while True:
            started = time.monotonic()
            sealed = seal()
            self.stdout.write(f"Sealed {sealed} audit entries in {time.monotonic() - started:.2f} s.")
            if not every:
                return
            time.sleep(every)
