# Audit entries are appended without any lock and chained afterwards, in order, by one sealing
# step (pps_audit_seal, run by `manage.py seal_audit`). Until now a BEFORE INSERT trigger took an
# advisory lock to chain each entry as it was written, so every audited request in the database
# waited for every other one.
#
# - Appending (pps_audit_append, one INSERT for any number of entries, or a direct INSERT by the
#   owner) sets the entry's time from the database clock and leaves it unsealed: chain_position
#   NULL, no hashes.
# - pps_audit_seal(n) takes the sealing lock (writers never take it), reads the chain head and
#   gives the next n unsealed entries, in id order, their position, prev_hash and row_hash.
# - The append-only trigger still refuses every UPDATE and DELETE except the sealing itself, by
#   pps_audit_seal (which runs as the table's owner, the only role with UPDATE on it): giving an
#   unsealed entry its place. Content cannot change, sealed or not; a sealed entry not at all.
# SQLite has none of this.

from django.db import migrations, models

SQL_FORWARD = r"""
CREATE OR REPLACE FUNCTION pps_audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.timestamp := clock_timestamp();
  NEW.chain_position := NULL;
  NEW.prev_hash := '';
  NEW.row_hash := '';
  RETURN NEW;
END
$$;

DROP FUNCTION IF EXISTS pps_audit_append(jsonb);
CREATE FUNCTION pps_audit_append(entries jsonb)
RETURNS TABLE (entry_id bigint, entry_time timestamptz, entry_position bigint, entry_hash text)
LANGUAGE sql SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
  WITH written AS (
    INSERT INTO pps_auditentry
      SELECT (jsonb_populate_record(NULL::pps_auditentry,
                item.value || jsonb_build_object(
                  'id', nextval(pg_get_serial_sequence('pps_auditentry', 'id')),
                  'timestamp', clock_timestamp(), 'chain_position', NULL,
                  'prev_hash', '', 'row_hash', ''))).*
      FROM jsonb_array_elements(entries) WITH ORDINALITY AS item(value, n)
      ORDER BY item.n  -- a volatile select list (nextval) is evaluated after the sort: ids in order
    RETURNING id, timestamp, chain_position, row_hash::text
  )
  SELECT id, timestamp, chain_position, row_hash FROM written ORDER BY id
$$;
REVOKE ALL ON FUNCTION pps_audit_append(jsonb) FROM PUBLIC;

CREATE OR REPLACE FUNCTION pps_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('pps.audit_maintenance', true) = 'on'
     AND pg_has_role(current_user, (SELECT tableowner FROM pg_tables
                                    WHERE schemaname = current_schema() AND tablename = 'pps_auditentry'),
                     'MEMBER') THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  -- Sealing, by pps_audit_seal only (it sets pps.audit_sealing for its own statements, and runs
  -- as the table's owner: nobody else has UPDATE on the table): an unsealed entry gets its place.
  IF TG_OP = 'UPDATE' AND current_setting('pps.audit_sealing', true) = 'on'
     AND OLD.chain_position IS NULL AND NEW.chain_position IS NOT NULL THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE FUNCTION pps_audit_seal(max_entries integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
DECLARE
  last_position bigint;
  last_hash text;
  entry pps_auditentry;
  sealed integer := 0;
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
    UPDATE pps_auditentry
       SET chain_position = entry.chain_position, prev_hash = entry.prev_hash, row_hash = entry.row_hash
     WHERE id = entry.id;
    last_position := entry.chain_position;
    last_hash := entry.row_hash;
    sealed := sealed + 1;
  END LOOP;
  PERFORM set_config('pps.audit_sealing', 'off', true);
  RETURN sealed;
END
$$;
REVOKE ALL ON FUNCTION pps_audit_seal(integer) FROM PUBLIC;
"""

SQL_BACKWARD = r"""
DROP FUNCTION IF EXISTS pps_audit_seal(integer);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL_BACKWARD, params=None)
        from importlib import import_module

        # Back to chaining on insert (0011's functions) and 0003's append-only trigger.
        schema_editor.execute(import_module("pps.migrations.0011_audit_append_function").SQL_FORWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("pps", "0014_legal_request_deputy")]

    operations = [migrations.RunPython(forward, backward)]
