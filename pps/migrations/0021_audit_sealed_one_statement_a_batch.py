# Sealing wrote each entry's place and hashes with an UPDATE of its own: on the table partitioned
# by month (0020) every one of those statements opened every month's partition, and sealing fell
# to a few thousand entries a second. The hashes are still computed one after the other, in id
# order (each follows the one before), but written with ONE UPDATE a month for the whole batch,
# on that month's partition itself (nearly always one: entries wait minutes, not months). What
# is written is unchanged. SQLite has none of this.

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
  found record;
  entry pps_auditentry;
  month oid;
  months oid[] := '{}';
  ids bigint[] := '{}';
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
  FOR found IN SELECT e.tableoid AS month, e AS entry FROM pps_auditentry e
               WHERE e.chain_position IS NULL ORDER BY e.id LIMIT max_entries FOR UPDATE LOOP
    entry := found.entry;
    entry.chain_position := last_position + 1;
    entry.prev_hash := last_hash;
    entry.row_hash := pps_audit_row_hash(entry);
    months := months || found.month;
    ids := ids || entry.id;
    positions := positions || entry.chain_position;
    previous := previous || entry.prev_hash::text;
    hashes := hashes || entry.row_hash::text;
    last_position := entry.chain_position;
    last_hash := entry.row_hash;
  END LOOP;
  -- Written month by month (almost always one: entries are sealed within minutes), each with
  -- one statement on that month's partition.
  FOR month IN SELECT DISTINCT m FROM unnest(months) AS m LOOP
    EXECUTE format(
      'UPDATE %s AS e SET chain_position = s.position, prev_hash = s.previous, row_hash = s.hash '
      'FROM unnest($1, $2, $3, $4, $5) AS s(month, id, position, previous, hash) '
      'WHERE s.month = $6 AND e.id = s.id', month::regclass)
      USING months, ids, positions, previous, hashes, month;
  END LOOP;
  PERFORM set_config('pps.audit_sealing', 'off', true);
  RETURN coalesce(array_length(ids, 1), 0);
END
$$;
REVOKE ALL ON FUNCTION pps_audit_seal(integer) FROM PUBLIC;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL_FORWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("pps", "0020_audit_partitioned_by_month")]

    # Back to 0020 the function stays: it seals an unpartitioned table as well.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
