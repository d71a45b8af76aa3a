from django.core.management.base import BaseCommand, CommandError

from pps.audit_chain import chain_supported, verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the audit log's hash chain (PostgreSQL) and name the first entry that was "
        "edited, removed or inserted out of turn. Prints the chain head to keep outside the database."
    )

    def handle(self, *args, **options):
        if not chain_supported():
            raise CommandError("The audit log is hash-chained on PostgreSQL only; this database is not.")
        report = verify_chain(progress=lambda n: self.stdout.write(f"checked {n} entries"))
        if not report.intact:
            raise CommandError(
                f"Audit chain broken at entry {report.first_broken_id}: {report.problem}. "
                f"{report.checked} entries before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} entries."))
        self.stdout.write(f"Chain head: {report.head_hash}")
