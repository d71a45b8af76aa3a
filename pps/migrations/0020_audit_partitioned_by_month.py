# On PostgreSQL the audit table becomes a table partitioned by month (declarative partitioning,
# by the entry's time, in UTC), so that a month is a table of its own: its indexes stay the size
# of a month, a history reads the newest months first and stops, and old months can be archived
# or dropped whole when a retention rule says so. SQLite has none of this.
#
# - Every existing entry is copied, unchanged (ids, times, chain positions and hashes), into the
#   partition of its month; the chain verifies as before.
# - The primary key is (id, timestamp) and the chain position unique per partition with the time
#   (PostgreSQL's rule: a partitioned table's unique indexes include the partition key). Ids come
#   from one sequence and positions from the one sealer at a time (pps_audit_seal's lock), and
#   verification checks that positions follow one another, so both stay unique across months.
# - pps_audit_add_partitions(months_ahead) creates the partitions of this month and the next
#   ones (the nightly job runs it); an entry written for a month with no partition yet waits in
#   the default partition, and is moved into its month when that month's partition is created.
# - The triggers and functions of 0003, 0015 and 0019 are made again for the new table. The
#   insert trigger now keeps a time within a minute of the database clock as it is (a BEFORE
#   trigger may not move a row to another partition; pps_audit_append sets the time itself).
# - Sealing is 0015's here; 0021 writes each batch with one statement a month.
#
# On a large table the copy takes a while (about a minute a few million entries) and holds the
# table locked: run it in a maintenance window.

from importlib import import_module

from django.db import migrations

MONTHS_AHEAD = 3

SQL_PARTITIONS = r"""
CREATE OR REPLACE FUNCTION pps_audit_add_month(month date)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
DECLARE
  name text := format('pps_auditentry_%s', to_char(month, 'YYYY_MM'));
  starts timestamptz := date_trunc('month', month)::timestamp AT TIME ZONE 'UTC';
  ends timestamptz := (date_trunc('month', month) + interval '1 month')::timestamp AT TIME ZONE 'UTC';
  maintenance text := current_setting('pps.audit_maintenance', true);
BEGIN
  IF to_regclass(name) IS NOT NULL THEN
    RETURN false;
  END IF;
  IF EXISTS (SELECT 1 FROM pps_auditentry_default WHERE timestamp >= starts AND timestamp < ends) THEN
    -- Entries written before their month had a partition: moved, unchanged, into it.
    EXECUTE format('CREATE TABLE %I (LIKE pps_auditentry INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format('INSERT INTO %I SELECT * FROM pps_auditentry_default '
                   'WHERE timestamp >= $1 AND timestamp < $2', name) USING starts, ends;
    PERFORM set_config('pps.audit_maintenance', 'on', true);
    DELETE FROM pps_auditentry_default WHERE timestamp >= starts AND timestamp < ends;
    PERFORM set_config('pps.audit_maintenance', coalesce(maintenance, ''), true);
    EXECUTE format('ALTER TABLE pps_auditentry ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   name, starts, ends);
  ELSE
    EXECUTE format('CREATE TABLE %I PARTITION OF pps_auditentry FOR VALUES FROM (%L) TO (%L)',
                   name, starts, ends);
  END IF;
  EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', name);
  RETURN true;
END
$$;
REVOKE ALL ON FUNCTION pps_audit_add_month(date) FROM PUBLIC;

CREATE OR REPLACE FUNCTION pps_audit_add_partitions(months_ahead integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
DECLARE
  this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  month date;
  added integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('pps_auditentry_partitions'));
  FOR month IN
    SELECT DISTINCT date_trunc('month', timestamp AT TIME ZONE 'UTC')::date FROM pps_auditentry_default
    UNION
    SELECT (this_month + make_interval(months => n))::date FROM generate_series(0, months_ahead) AS n
    ORDER BY 1
  LOOP
    IF pps_audit_add_month(month) THEN
      added := added + 1;
    END IF;
  END LOOP;
  RETURN added;
END
$$;
REVOKE ALL ON FUNCTION pps_audit_add_partitions(integer) FROM PUBLIC;
"""

SQL_CHAIN_TRIGGER = r"""
CREATE OR REPLACE FUNCTION pps_audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The database's clock, not the writer's: a time more than a minute off is replaced (one in
  -- another month than now cannot be moved there by a trigger, and is refused by PostgreSQL).
  IF NEW.timestamp IS NULL OR abs(extract(epoch FROM clock_timestamp() - NEW.timestamp)) > 60 THEN
    NEW.timestamp := clock_timestamp();
  END IF;
  NEW.chain_position := NULL;
  NEW.prev_hash := '';
  NEW.row_hash := '';
  RETURN NEW;
END
$$;
"""

def earlier(name: str) -> str:
    return import_module(f"pps.migrations.{name}").SQL_FORWARD


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("LOCK TABLE pps_auditentry IN ACCESS EXCLUSIVE MODE")
        cursor.execute("SELECT coalesce(max(id), 0) FROM pps_auditentry")
        last_id = cursor.fetchone()[0]
    run(
        "CREATE TABLE pps_auditentry_by_month "
        "(LIKE pps_auditentry INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (timestamp)",
        params=None,
    )
    run("ALTER TABLE pps_auditentry RENAME TO pps_auditentry_unpartitioned", params=None)
    run("ALTER TABLE pps_auditentry_by_month RENAME TO pps_auditentry", params=None)
    run("CREATE TABLE pps_auditentry_default PARTITION OF pps_auditentry DEFAULT", params=None)
    run("REVOKE ALL ON pps_auditentry_default FROM PUBLIC", params=None)
    run(SQL_PARTITIONS, params=None)
    # A partition for every month that has entries, and for the months ahead, before the copy.
    run(
        "SELECT pps_audit_add_month(m) FROM (SELECT DISTINCT date_trunc('month', timestamp AT TIME ZONE 'UTC')::date "
        "AS m FROM pps_auditentry_unpartitioned) AS months",
        params=None,
    )
    run(f"SELECT pps_audit_add_partitions({MONTHS_AHEAD})", params=None)
    run("INSERT INTO pps_auditentry SELECT * FROM pps_auditentry_unpartitioned", params=None)
    run("CREATE SEQUENCE pps_auditentry_id_by_month AS bigint", params=None)
    run(f"SELECT setval('pps_auditentry_id_by_month', {int(last_id) + 1}, false)", params=None)
    # The old table goes, with the functions typed by its rows (they are made again below).
    run("DROP TABLE pps_auditentry_unpartitioned CASCADE", params=None)
    run("ALTER SEQUENCE pps_auditentry_id_by_month RENAME TO pps_auditentry_id_seq", params=None)
    run("ALTER TABLE pps_auditentry ALTER COLUMN id SET DEFAULT nextval('pps_auditentry_id_seq')", params=None)
    run("ALTER SEQUENCE pps_auditentry_id_seq OWNED BY pps_auditentry.id", params=None)
    for statement in (
        "ALTER TABLE pps_auditentry ADD CONSTRAINT pps_auditentry_pkey PRIMARY KEY (id, timestamp)",
        'CREATE INDEX pps_auditen_content_81fab7_idx ON pps_auditentry (content_type_id, object_pk, "timestamp")',
        'CREATE INDEX auditentry_actor_history ON pps_auditentry (actor_id, "timestamp", id)',
        "CREATE INDEX auditentry_unsealed ON pps_auditentry (id) WHERE chain_position IS NULL",
        "CREATE UNIQUE INDEX auditentry_one_entry_per_place ON pps_auditentry (chain_position, timestamp) "
        "WHERE chain_position IS NOT NULL",
        "ALTER TABLE pps_auditentry ADD CONSTRAINT pps_auditentry_actor_id_8598eec5_fk_pps_user_id "
        "FOREIGN KEY (actor_id) REFERENCES pps_user(id) DEFERRABLE INITIALLY DEFERRED",
        "ALTER TABLE pps_auditentry ADD CONSTRAINT pps_auditentry_content_type_id_2aee6e3a_fk_django_co "
        "FOREIGN KEY (content_type_id) REFERENCES django_content_type(id) DEFERRABLE INITIALLY DEFERRED",
    ):
        run(statement, params=None)
    # The hash, the triggers and the functions, as they were, on the new table.
    run(earlier("0003_audit_chain"), params=None)
    run(earlier("0015_audit_sealed_in_batches"), params=None)
    run(earlier("0019_audit_append_each_entry_once"), params=None)
    run(SQL_CHAIN_TRIGGER, params=None)
    run("ANALYZE pps_auditentry", params=None)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("pps", "0019_audit_append_each_entry_once")]

    # No way back: the entries stay in their months (an unpartitioned copy would be made by hand).
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
