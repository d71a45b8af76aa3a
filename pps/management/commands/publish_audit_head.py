"""Publishes the audit chain head outside the database, to be run on a schedule.

    python manage.py publish_audit_head --file /var/log/pps/audit-heads.jsonl

Appends one JSON line (when, position, hash) to the file and logs it on the `pps.audit` logger
(to syslog or a log service, where the database maintainer cannot edit it). Run it every hour
(cron or a systemd timer); `verify_audit_chain --published FILE` then checks the chain against
every head published, so that a cut tail or a rewrite from some point is found.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pps.audit_chain import chain_supported, publish_head


class Command(BaseCommand):
    help = "Append the audit chain head to a file outside the database, and log it."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=settings.PPS_AUDIT_HEADS_FILE, help="where to append it")

    def handle(self, *args, file, **options):
        if not chain_supported():
            raise CommandError("The audit log is hash-chained on PostgreSQL only; this database is not.")
        if not file:
            raise CommandError("Say where to publish the head: --file PATH, or set PPS_AUDIT_HEADS_FILE.")
        record = publish_head(file)
        self.stdout.write(f"Published chain head: entry {record['position']}, {record['head']}")
