# On PostgreSQL, audit entries are written only through pps_audit_append(entries jsonb): the
# function sets each entry's time from the database clock (clock_timestamp()) and its place in
# the chain (the 0003 trigger), whatever the caller sent for them. It runs with its owner's
# rights (SECURITY DEFINER), so the application's role needs EXECUTE on it and no INSERT on the
# table (see `manage.py grant_database_roles` and the README). SQLite has neither.

from django.db import migrations

SQL_FORWARD = r"""
CREATE OR REPLACE FUNCTION pps_audit_append(entries jsonb)
RETURNS TABLE (entry_id bigint, entry_time timestamptz, entry_position bigint, entry_hash text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
DECLARE
  item jsonb;
  entry pps_auditentry;
BEGIN
  FOR item IN SELECT value FROM jsonb_array_elements(entries) LOOP
    entry := jsonb_populate_record(NULL::pps_auditentry, item);
    entry.id := nextval(pg_get_serial_sequence('pps_auditentry', 'id'));
    entry.timestamp := clock_timestamp();
    entry.chain_position := NULL;
    entry.prev_hash := '';
    entry.row_hash := '';
    INSERT INTO pps_auditentry SELECT (entry).*
      RETURNING pps_auditentry.id, pps_auditentry.timestamp, pps_auditentry.chain_position,
                pps_auditentry.row_hash::text
      INTO entry_id, entry_time, entry_position, entry_hash;
    RETURN NEXT;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION pps_audit_append(jsonb) FROM PUBLIC;

-- Whoever inserts directly (the table's owner only, once the application role has no INSERT)
-- cannot choose the time either.
CREATE OR REPLACE FUNCTION pps_audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  last_position bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('pps_auditentry_chain'));
  SELECT chain_position, row_hash INTO last_position, last_hash
    FROM pps_auditentry WHERE chain_position IS NOT NULL
    ORDER BY chain_position DESC LIMIT 1;
  NEW.timestamp := clock_timestamp();
  NEW.chain_position := coalesce(last_position, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
  NEW.row_hash := pps_audit_row_hash(NEW);
  RETURN NEW;
END
$$;
"""

SQL_BACKWARD = r"""
DROP FUNCTION IF EXISTS pps_audit_append(jsonb);
CREATE OR REPLACE FUNCTION pps_audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  last_position bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('pps_auditentry_chain'));
  SELECT chain_position, row_hash INTO last_position, last_hash
    FROM pps_auditentry WHERE chain_position IS NOT NULL
    ORDER BY chain_position DESC LIMIT 1;
  NEW.chain_position := coalesce(last_position, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
  NEW.row_hash := pps_audit_row_hash(NEW);
  RETURN NEW;
END
$$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("pps", "0010_shared_cache_table")]

    operations = [migrations.RunPython(forward, backward)]
