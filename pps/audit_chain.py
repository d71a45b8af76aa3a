"""Sealing and checking the audit log's hash chain (PostgreSQL).

Entries are appended without any lock (``pps_audit_append``, migration ``pps.0015``), so that
audited requests never wait for one another. Sealing (``seal``, run by ``manage.py seal_audit``,
continuously or every minute) then chains them in one ordered step: each unsealed entry, in id
order, gets the next place in the chain and ``row_hash``, SHA-256 over the previous entry's hash
and the entry's own content. Until it is sealed an entry is protected by the append-only
trigger and grants as every entry is (no UPDATE or DELETE but the sealing itself); once sealed,
recomputing every hash in order shows whether any entry was edited, removed or slipped in. An
entry waits at most the sealing interval plus one sealing pass (``SEAL_WITHIN``); verification
reports any entry left unsealed for longer.

The last hash (the chain head) should be copied somewhere outside the database now and then
(``publish_head``), so that a rewrite of the whole chain by someone who can disable triggers is
caught as well.
"""

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections

GENESIS = "0" * 64
#: Set by the database (pps_audit_append and the chain trigger), never by Python.
SET_BY_THE_DATABASE = {"id", "timestamp", "chain_position", "prev_hash", "row_hash"}


def append_entries(entries, using=None) -> None:
    """Writes unsaved audit entries through ``pps_audit_append`` (PostgreSQL, migration 0011),
    the only way the application's role may add to the audit table: the function sets each
    entry's time and its place in the chain. The entries get their id, time and hashes back.
    One statement for any number of entries."""

    if not entries:
        return
    conn = connections[using or "default"]
    rows = [
        {
            field.column: getattr(entry, field.attname)
            for field in entry._meta.concrete_fields
            if field.name not in SET_BY_THE_DATABASE
        }
        for entry in entries
    ]
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT entry_id, entry_time, entry_position, entry_hash FROM pps_audit_append(%s::jsonb)",
            [json.dumps(rows, cls=DjangoJSONEncoder)],
        )
        written = cursor.fetchall()
    for entry, (pk, at, position, row_hash) in zip(entries, written, strict=True):
        entry.pk, entry.timestamp, entry.chain_position, entry.row_hash = pk, at, position, row_hash
        entry._state.adding = False
        entry._state.db = conn.alias


BATCH = 5000
#: How long an entry may wait to be sealed before verification calls it a problem: ``seal_audit``
#: runs every minute (or continuously), and one pass seals thousands of entries a second.
SEAL_WITHIN_MINUTES = 5


def seal(batch: int = BATCH, using=None) -> int:
    """Seal every entry written so far (in batches of ``batch``, one transaction each); returns
    how many. Safe to run from several places at once: sealers take turns, writers never wait."""

    conn = connections[using or "default"]
    total = 0
    while True:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pps_audit_seal(%s)", [batch])
            sealed = cursor.fetchone()[0]
        total += sealed
        if sealed < batch:
            return total


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


#: The nightly job keeps this many months of audit partitions ready beyond the present one.
MONTHS_AHEAD = 3


def add_partitions(months_ahead: int = MONTHS_AHEAD) -> tuple[int, int]:
    """Creates the audit table's partitions for this month and ``months_ahead`` more, and for any
    month whose entries wait in the default partition (moving them in). Returns how many were
    created and how many entries are still in the default partition (0 unless something is
    wrong: alert on it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pps_audit_add_partitions(%s)", [months_ahead])
        added = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pps_auditentry_default")
        waiting = cursor.fetchone()[0]
    return added, waiting


def verify_chain(progress=None) -> ChainReport:
    """Recompute the chain from its first entry and report the first entry that does not fit."""
    if not chain_supported():
        raise RuntimeError("The audit log is hash-chained on PostgreSQL only.")
    with connection.cursor() as cursor:
        # Entries waiting to be sealed are expected; one waiting far longer than sealing takes is
        # not (the sealer stopped, or the entry was slipped in where sealing cannot reach it).
        cursor.execute(
            "SELECT id FROM pps_auditentry WHERE chain_position IS NULL "
            "AND timestamp < now() - make_interval(mins => %s) ORDER BY id LIMIT 1",
            [SEAL_WITHIN_MINUTES],
        )
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
        return ChainReport(
            checked,
            previous_hash,
            unchained[0],
            f"it has waited more than {SEAL_WITHIN_MINUTES} minutes to be sealed (is seal_audit running?)",
        )
    return ChainReport(checked, previous_hash)


def chain_head() -> tuple[int, str]:
    """The last entry's place in the chain and its hash ((0, GENESIS) for an empty log)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT chain_position, row_hash FROM pps_auditentry WHERE chain_position IS NOT NULL "
            "ORDER BY chain_position DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def publish_head(path) -> dict:
    """Appends the chain head to the file at ``path`` (one JSON line: when, position, hash) and
    logs it on ``pps.audit``: a copy outside the database that its maintainer cannot edit."""

    seal()  # what is written by now is in the head published
    position, head = chain_head()
    record = {"at": dt.datetime.now(dt.UTC).isoformat(), "position": position, "head": head}
    line = json.dumps(record, sort_keys=True)
    with Path(path).open("a", encoding="utf-8") as published:
        published.write(line + "\n")
    logging.getLogger("pps.audit").warning(
        json.dumps({"event": "audit_chain_head", **record}, sort_keys=True)
    )
    return record


def published_heads(path) -> list[dict]:
    heads = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            heads.append(
                {"at": str(record["at"]), "position": int(record["position"]), "head": str(record["head"])}
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"line {number} of {path} is not a published chain head") from error
    return heads


def check_published(heads) -> str:
    """Compares the chain with heads published earlier; returns what is wrong ("" when every
    published head is still in the chain, where it was). Finds a cut tail (a published position
    gone) and a rewrite from some point on (the entry at a published position has another hash),
    which recomputing the chain alone cannot see."""
    for record in sorted(heads, key=lambda head: head["position"]):
        if record["position"] == 0:
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT row_hash FROM pps_auditentry WHERE chain_position = %s", [record["position"]]
            )
            row = cursor.fetchone()
        if row is None:
            return (
                f"the chain head published at {record['at']} (entry {record['position']}) is missing: "
                "entries were removed from the end of the log"
            )
        if row[0] != record["head"]:
            return (
                f"entry {record['position']} is not the one published at {record['at']}: "
                "the log was rewritten from that point or before"
            )
    return ""
