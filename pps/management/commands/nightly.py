"""The nightly jobs, in one command (``bin/nightly``; README "Nightly jobs").

    python manage.py nightly

Runs, in this order, each even if one before it failed:

- ``apply_retention``: destroys what the services' retention settings say is kept no longer;
- ``add_audit_partitions``: creates the audit log's monthly partitions for the months ahead
  (PostgreSQL; skipped, saying so, elsewhere);
- ``verify_audit_chain``: recomputes the audit log's hash chain (PostgreSQL; skipped, saying so,
  on a database without the chain);
- ``clearsessions``: deletes expired sessions from the session table.

Exits non-zero, naming the jobs that failed, if any did: alert on it.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from pps.audit_chain import chain_supported

JOBS = ("apply_retention", "add_audit_partitions", "verify_audit_chain", "clearsessions")
POSTGRES_ONLY = ("add_audit_partitions", "verify_audit_chain")


class Command(BaseCommand):
    help = "Run the nightly jobs: retention, audit partitions, audit chain verification, expired sessions."

    def handle(self, *args, **options):
        failed = []
        for job in JOBS:
            if job in POSTGRES_ONLY and not chain_supported():
                self.stdout.write(f"{job}: skipped (for PostgreSQL's audit log only)")
                continue
            self.stdout.write(f"{job}: starting")
            try:
                call_command(job, stdout=self.stdout, stderr=self.stderr)
            except CommandError as error:
                self.stderr.write(f"{job}: FAILED: {error}")
                failed.append(job)
            else:
                self.stdout.write(f"{job}: done")
        if failed:
            raise CommandError(f"nightly jobs failed: {', '.join(failed)}")
