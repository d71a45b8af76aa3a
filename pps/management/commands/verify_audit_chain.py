from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pps.audit_chain import chain_supported, check_published, published_heads, verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the audit log's hash chain (PostgreSQL) and name the first entry that was "
        "edited, removed or inserted out of turn. Prints the chain head to keep outside the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--published",
            default=settings.PPS_AUDIT_HEADS_FILE,
            help="the file publish_audit_head writes: the chain must still hold every head in it",
        )

    def handle(self, *args, published=None, **options):
        if not chain_supported():
            raise CommandError("The audit log is hash-chained on PostgreSQL only; this database is not.")
        report = verify_chain(progress=lambda n: self.stdout.write(f"checked {n} entries"))
        if not report.intact:
            raise CommandError(
                f"Audit chain broken at entry {report.first_broken_id}: {report.problem}. "
                f"{report.checked} entries before it are intact."
            )
        if published:
            try:
                problem = check_published(published_heads(published))
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read the published chain heads: {error}") from error
            if problem:
                raise CommandError(f"Audit chain does not hold its published heads: {problem}.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} entries."))
        if published:
            self.stdout.write(f"Every chain head published in {published} is in it.")
        self.stdout.write(f"Chain head: {report.head_hash}")
