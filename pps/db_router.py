"""Statistics read from the read replica; everything else on the primary (README "Past one
machine").

Active only when a ``replica`` database is configured (``REPLICA_DATABASE_URL``: a hot standby
of the primary, streaming replication) and ``PPS_READ_REPLICA`` names it, which the settings do
whenever the URL is given. Then:

- reads made inside ``reading_statistics()`` go to the replica: the reports app wraps the
  figures of its pages and exports in it. Those are heavy aggregates over contacts and cases,
  and a second or so of replication lag does not change a year's counts;
- only the tables of the record-keeping apps are read there: never sessions, the shared cache,
  django-axes' sign-in failures, the authenticator apps or the audit log;
- a read inside a transaction of the primary stays on the primary (it must see what that
  transaction wrote);
- every write goes to the primary, and the replica is never migrated (it copies the primary).
  Pages that write audit entries (every page that shows a record) read and write on the primary
  alone: nothing they decide on is ever stale.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
#: Apps whose tables statistics read: the replica's copies of these serve them.
STATISTICS_APPS = frozenset({"pps", "cases", "consent", "safeguarding", "reports", "rights", "training"})
#: Models of those apps that are never read from the replica even so (and the audit log's model,
#: ``AUDITLOG_LOGENTRY_MODEL``).
PRIMARY_ONLY = frozenset({"pps.AuthenticatorApp", "pps.BackupCodes", "pps.SecondFactorEnrolment"})

_reading_statistics = contextvars.ContextVar("pps_reading_statistics", default=False)


@contextmanager
def reading_statistics():
    """Within the block, this thread's reads of the record-keeping tables go to the replica (if
    one is configured). Without one, on PostgreSQL, the primary may plan them with parallel
    workers again (``DB_STATISTICS_PARALLEL_WORKERS``, 2 unless said), which the application's
    connections otherwise go without (``DB_PARALLEL_WORKERS``): the all-services figures scan
    hundreds of thousands of rows, where workers pay for themselves."""
    token = _reading_statistics.set(True)
    connection = connections[DEFAULT_DB_ALIAS]
    workers = getattr(settings, "PPS_STATISTICS_PARALLEL_WORKERS", None)
    in_parallel = workers is not None and replica_alias() is None and connection.vendor == "postgresql"
    try:
        if in_parallel:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('max_parallel_workers_per_gather', %s, false)", [str(workers)]
                )
        yield
    finally:
        _reading_statistics.reset(token)
        # A transaction rolled back takes its SET with it; otherwise back to the connection's own.
        if in_parallel and not connection.needs_rollback and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET max_parallel_workers_per_gather")


def replica_alias() -> str | None:
    alias = getattr(settings, "PPS_READ_REPLICA", None)
    return alias if alias and alias in settings.DATABASES else None


def _in_transaction() -> bool:
    """Inside a transaction of the primary (not counting a test case's wrapping one, as Django's
    own check of durable transactions does not)."""
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = replica_alias()
        if alias is None or not _reading_statistics.get():
            return None
        label = model._meta.label
        if model._meta.app_label not in STATISTICS_APPS or label in PRIMARY_ONLY:
            return DEFAULT_DB_ALIAS
        if label == getattr(settings, "AUDITLOG_LOGENTRY_MODEL", None) or _in_transaction():
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
