from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from pps.models import Service
from reports import summaries


class Command(BaseCommand):
    help = (
        "Count the statistics' summary tables again from the records (contacts, cases, the codes "
        "of the children): after a bulk load, or to put right summaries that were written around "
        "the service functions. Every service, or those named by --service (id or short name); "
        "each service in one transaction. Run it when nobody is logging contacts for the service. "
        "On PostgreSQL it then runs VACUUM ANALYZE on the two tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("--service", action="append", help="id or short name; may be repeated")

    def handle(self, *args, service=None, **options):
        ids = None
        if service:
            ids = []
            for name in service:
                found = Service.objects.filter(short_name=name).values_list("pk", flat=True)
                if not found:
                    try:
                        found = Service.objects.filter(pk=name).values_list("pk", flat=True)
                    except ValueError:
                        found = []
                if not found:
                    raise CommandError(f"No service {name!r}.")
                ids.extend(found)
        written = summaries.rebuild(ids, progress=lambda message: self.stdout.write(message))
        if connection.vendor == "postgresql":
            # VACUUM (for index-only scans) cannot run in a transaction; ANALYZE can.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for model in (summaries.DailyCount, summaries.Reached):
                    cursor.execute(f"{command} {model._meta.db_table}")
        self.stdout.write(
            f"Wrote {written['daily counts']} daily counts and {written['reached']} reached rows."
        )
