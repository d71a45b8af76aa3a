"""What lasts exactly one request: the ACCESS entries waiting to be written, and answers worth
reading once (the ids of the cases the signed-in person may reach).

``RequestScopeMiddleware`` opens a scope around each request. Inside it:

- ``record_access`` (``pps.audit``) collects its entries here instead of writing each batch at
  once, and the middleware writes all of them in ONE statement when the view has returned
  (``flush_access``), before the response leaves. If that write fails, the exception replaces the
  response (the person gets an error page, not the records): nothing is shown without its entry.
  A view that fails after reading still has its reads written: the scope flushes whatever the
  view's outcome. Pages that list audit entries flush first, so they list their own read.
- ``remembered`` keeps an answer for the rest of the request. Changes to what it remembers
  (assigning staff to cases) ``forget`` it at once.

Outside a request (management commands, service functions called from tests) there is no scope:
entries are written at once and nothing is remembered, as before.
"""

import contextvars
import copy
from contextlib import contextmanager

from auditlog import get_logentry_model
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

_scope: contextvars.ContextVar = contextvars.ContextVar("pps_request_scope", default=None)


class _Scope:
    __slots__ = ("entries", "memo", "written_with_changes")

    def __init__(self):
        self.entries = []
        self.memo = {}
        self.written_with_changes = []  # (commit callback, ids of the entries it forgets)


@contextmanager
def request_scope():
    """Collect audit entries and remember answers until the block ends, then write the entries."""
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        try:
            flush_access()
        finally:
            _scope.reset(token)


def collecting() -> bool:
    return _scope.get() is not None


def collect(entries) -> bool:
    """Keep ``entries`` to write at the end of the request; False when no request is open."""
    scope = _scope.get()
    if scope is None:
        return False
    scope.entries.extend(entries)
    return True


def flush_access() -> int:
    """Write every entry collected so far, in one statement; returns how many."""
    scope = _scope.get()
    if scope is None:
        return 0
    _forget_written_in_open_transaction(scope)
    if not scope.entries:
        return 0

    entries, scope.entries = scope.entries, []
    get_logentry_model().objects.bulk_create(entries)
    return len(entries)


def write_with_change(write) -> None:
    """``write(waiting)``: a change's own entries written (one statement) together with
    ``waiting``, copies of the ACCESS entries collected so far in this request
    (``pps.audit.entries_written_together``), so that a request that reads and then changes
    records writes its audit entries in one statement, not two.

    The entries collected stay collected until the change's transaction commits: if it is rolled
    back, they are written at the end of the request as any others, so a read is never left
    unrecorded. (Still open at the end of the request, as in a test's transaction around it,
    they count as written: they stand or fall with everything else in it.)"""
    scope = _scope.get()
    taken = list(scope.entries) if scope is not None else []
    write([copy.copy(entry) for entry in taken])  # the originals, unsaved, for after a rollback
    if not taken:
        return
    written = {id(entry) for entry in taken}

    def committed():
        scope.entries = [entry for entry in scope.entries if id(entry) not in written]

    transaction.on_commit(committed)  # at once outside a transaction; dropped by a rollback
    scope.written_with_changes.append((committed, written))


def _forget_written_in_open_transaction(scope) -> None:
    """Entries written with a change whose transaction is still open (its commit callback is
    still waiting, neither run nor dropped by a rollback): they are in that transaction."""
    if not scope.written_with_changes:
        return
    waiting = {id(callback) for _, callback, _ in connection.run_on_commit}
    for callback, written in scope.written_with_changes:
        if id(callback) in waiting:
            scope.entries = [entry for entry in scope.entries if id(entry) not in written]
    scope.written_with_changes = []


def remembered(key, compute):
    """``compute()``, read once per request for ``key`` (computed every time outside a request)."""
    scope = _scope.get()
    if scope is None:
        return compute()
    if key not in scope.memo:
        scope.memo[key] = compute()
    return scope.memo[key]


def recalls(key) -> bool:
    """Has this request remembered ``key`` (and not forgotten it since)? False outside a request."""
    scope = _scope.get()
    return scope is not None and key in scope.memo


def forget(prefix) -> None:
    """Forget every remembered answer whose key starts with ``prefix`` (a tuple's first item)."""
    scope = _scope.get()
    if scope is not None:
        for key in [key for key in scope.memo if key[0] == prefix]:
            del scope.memo[key]


def _forget_reach(**kwargs):
    forget("assigned_case_ids")


def connect() -> None:
    """A change to who holds a case permission, or to someone's groups, forgets the remembered
    reach of this request at once (a senior who puts someone on a case sees it take effect)."""

    for model in ("cases.CaseUserObjectPermission", "cases.CaseGroupObjectPermission"):
        post_save.connect(_forget_reach, sender=model, dispatch_uid=f"pps_forget_reach_save_{model}")
        post_delete.connect(_forget_reach, sender=model, dispatch_uid=f"pps_forget_reach_delete_{model}")
    m2m_changed.connect(
        _forget_reach, sender=get_user_model().groups.through, dispatch_uid="pps_forget_reach_groups"
    )
