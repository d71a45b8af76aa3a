# Sealing wrote each entry's place and hashes with an UPDATE of its own: on the table partitioned
# by month (0020) every one of those statements opened every month's partition, and sealing fell
# to a few thousand entries a second. The hashes are still computed one after the other, in id
# order (each follows the one before), but written with ONE UPDATE for the whole batch, joined on
# (id, time), the partitioned table's key. What is written is unchanged. SQLite has none of this.

from django.db import migrations

SQL_FORWARD = r"""
CREATE OR REPLACE FUNCTION pps_audit_seal(max_entries integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
DECLARE
  last_position bigint;
  last_hash text;
  entry pps_auditentry;
  ids bigint[] := '{}';
  times timestamptz[] := '{}';
  positions bigint[] := '{}';
  previous text[] := '{}';
  hashes text[] := '{}';
BEGIN
  -- One sealer at a time; writers never take this lock.
  PERFORM pg_advisory_xact_lock(hashtext('pps_auditentry_seal'));
  PERFORM set_config('pps.audit_sealing', 'on', true);
  SELECT chain_position, row_hash INTO last_position, last_hash
    FROM pps_auditentry WHERE chain_position IS NOT NULL
    ORDER BY chain_position DESC LIMIT 1;
  last_position := coalesce(last_position, 0);
  last_hash := coalesce(last_hash, repeat('0', 64));
  FOR entry IN SELECT * FROM pps_auditentry WHERE chain_position IS NULL
               ORDER BY id LIMIT max_entries FOR UPDATE LOOP
    entry.chain_position := last_position + 1;
    entry.prev_hash := last_hash;
    entry.row_hash := pps_audit_row_hash(entry);
    ids := ids || entry.id;
    times := times || entry.timestamp;
    positions := positions || entry.chain_position;
    previous := previous || entry.prev_hash::text;
    hashes := hashes || entry.row_hash::text;
    last_position := entry.chain_position;
    last_hash := entry.row_hash;
  END LOOP;
  UPDATE pps_auditentry AS e
     SET chain_position = s.position, prev_hash = s.previous, row_hash = s.hash
    FROM unnest(ids, times, positions, previous, hashes) AS s(id, at, position, previous, hash)
   WHERE e.id = s.id AND e.timestamp = s.at;
  PERFORM set_config('pps.audit_sealing', 'off', true);
  RETURN coalesce(array_length(ids, 1), 0);
END
$$;
REVOKE ALL ON FUNCTION pps_audit_seal(integer) FROM PUBLIC;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        schema_editor.execute(import_module("pps.migrations.0020_audit_partitioned_by_month").SQL_SEAL, params=None)


class Migration(migrations.Migration):
    dependencies = [("pps", "0020_audit_partitioned_by_month")]

    operations = [migrations.RunPython(forward, backward)]
