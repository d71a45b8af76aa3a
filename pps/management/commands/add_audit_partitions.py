"""Creates the audit log's monthly partitions ahead of time (PostgreSQL; a nightly job).

    python manage.py add_audit_partitions            # this month and the next 3
    python manage.py add_audit_partitions --months 12

The audit table is partitioned by month (migration ``pps.0020``). An entry written in a month
that has no partition yet is kept in the default partition, and moved into its month when this
creates it; so a missed night loses nothing, and the next run puts things right.
"""

from django.core.management.base import BaseCommand, CommandError

from pps.audit_chain import MONTHS_AHEAD, add_partitions, chain_supported


class Command(BaseCommand):
    help = "Create the audit log's partitions for this month and the months ahead (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=MONTHS_AHEAD, help="months ahead of this one")

    def handle(self, *args, months=MONTHS_AHEAD, **options):
        if not chain_supported():
            raise CommandError("The audit log is partitioned on PostgreSQL only; this database is not.")
        if months < 1:
            raise CommandError("--months must be at least 1.")
        added, waiting = add_partitions(months)
        self.stdout.write(f"Added {added} audit partitions; {waiting} entries wait in the default partition.")
