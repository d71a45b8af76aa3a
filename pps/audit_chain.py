"""Checking the audit log's hash chain (PostgreSQL).

Each entry's ``row_hash`` is SHA-256 over the previous entry's hash and the entry's own content,
computed by a database trigger (migration ``pps.0003``). Recomputing every hash in order shows
whether any entry was edited, removed or slipped in since it was written. The last hash (the
chain head) should be copied somewhere outside the database now and then, so that a rewrite of
the whole chain by someone who can disable triggers is caught as well.
"""

from dataclasses import dataclass

from django.db import connection

GENESIS = "0" * 64
BATCH = 5000


@dataclass
class ChainReport:
    checked: int
    head_hash: str
    first_broken_id: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def chain_supported() -> bool:
    return connection.vendor == "postgresql"


def verify_chain(progress=None) -> ChainReport:
    """Recompute the chain from its first entry and report the first entry that does not fit."""
    if not chain_supported():
        raise RuntimeError("The audit log is hash-chained on PostgreSQL only.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM pps_auditentry WHERE chain_position IS NULL ORDER BY id LIMIT 1")
        unchained = cursor.fetchone()
    previous_hash, previous_position, checked = GENESIS, 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.id, e.chain_position, e.prev_hash, e.row_hash, pps_audit_row_hash(e) "
                "FROM pps_auditentry e WHERE e.chain_position > %s "
                "ORDER BY e.chain_position LIMIT %s",
                [previous_position, BATCH],
            )
            rows = cursor.fetchall()
        if not rows:
            break
        for entry_id, position, prev_hash, row_hash, expected in rows:
            problem = ""
            if position != previous_position + 1:
                problem = (
                    f"entries are missing before it (position {position}, expected {previous_position + 1})"
                )
            elif prev_hash != previous_hash:
                problem = "it does not follow the entry before it"
            elif row_hash != expected:
                problem = "its content no longer matches its hash"
            if problem:
                return ChainReport(checked, previous_hash, entry_id, problem)
            previous_hash, previous_position = row_hash, position
            checked += 1
        if progress:
            progress(checked)
    if unchained:
        return ChainReport(checked, previous_hash, unchained[0], "it is not in the chain at all")
    return ChainReport(checked, previous_hash)
