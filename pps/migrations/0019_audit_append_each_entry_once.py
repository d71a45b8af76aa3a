# pps_audit_append built each row as `(jsonb_populate_record(...)).*`: PostgreSQL expands that
# into one call of the function per column, so each entry was parsed from JSON, and took an id
# from the sequence, once for each of the table's columns (ids went up by 19 an entry). The
# record is now built once per entry, in FROM (LATERAL), from an id taken once, in the order of
# the array. What is written is unchanged. SQLite has none of this.

from django.db import migrations

SQL_FORWARD = r"""
CREATE OR REPLACE FUNCTION pps_audit_append(entries jsonb)
RETURNS TABLE (entry_id bigint, entry_time timestamptz, entry_position bigint, entry_hash text)
LANGUAGE sql SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
  WITH items AS MATERIALIZED (
    -- a volatile select list (nextval) is evaluated after the sort: ids in the array's order
    SELECT item.value, item.n, nextval(pg_get_serial_sequence('pps_auditentry', 'id')) AS id
      FROM jsonb_array_elements(entries) WITH ORDINALITY AS item(value, n)
     ORDER BY item.n
  ), written AS (
    INSERT INTO pps_auditentry
      SELECT entry.*
        FROM items,
             LATERAL jsonb_populate_record(NULL::pps_auditentry,
               items.value || jsonb_build_object(
                 'id', items.id, 'timestamp', clock_timestamp(), 'chain_position', NULL,
                 'prev_hash', '', 'row_hash', '')) AS entry
       ORDER BY items.n
    RETURNING id, timestamp, chain_position, row_hash::text
  )
  SELECT id, timestamp, chain_position, row_hash FROM written ORDER BY id
$$;
"""

SQL_BACKWARD = r"""
CREATE OR REPLACE FUNCTION pps_audit_append(entries jsonb)
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
      ORDER BY item.n
    RETURNING id, timestamp, chain_position, row_hash::text
  )
  SELECT id, timestamp, chain_position, row_hash FROM written ORDER BY id
$$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("pps", "0018_audit_indexes_the_pages_use")]

    operations = [migrations.RunPython(forward, backward)]
