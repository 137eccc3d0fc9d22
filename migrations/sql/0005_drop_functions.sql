-- Reverse of 0005_functions.sql: policies off, 0001/0003's trigger functions back.
DROP POLICY IF EXISTS auditors ON audit_log;
DROP POLICY IF EXISTS own ON land_query_preset;
DROP POLICY IF EXISTS read_shared ON land_query_preset;
DROP POLICY IF EXISTS scope ON room_occupancy;
DROP POLICY IF EXISTS scope ON room;
DROP POLICY IF EXISTS scope ON floor;
DROP POLICY IF EXISTS scope ON building;
DROP POLICY IF EXISTS scope ON staff;
DROP POLICY IF EXISTS scope ON organisation;
ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY;
ALTER TABLE land_query_preset DISABLE ROW LEVEL SECURITY;
ALTER TABLE room_occupancy DISABLE ROW LEVEL SECURITY;
ALTER TABLE room DISABLE ROW LEVEL SECURITY;
ALTER TABLE floor DISABLE ROW LEVEL SECURITY;
ALTER TABLE building DISABLE ROW LEVEL SECURITY;
ALTER TABLE staff DISABLE ROW LEVEL SECURITY;
ALTER TABLE organisation DISABLE ROW LEVEL SECURITY;
ALTER FUNCTION gis_parcel_stats_stale() SECURITY INVOKER RESET search_path;
ALTER FUNCTION gis_parcel_stats_new() SECURITY INVOKER RESET search_path;
DROP FUNCTION gis_audit_summary_allowed();
DROP FUNCTION gis_audit_row_org(text, jsonb);
DROP FUNCTION gis_staff_name(integer);
DROP FUNCTION gis_floor_held(integer);
DROP FUNCTION gis_building_used(integer);
DROP FUNCTION gis_org_subtree(integer);
DROP FUNCTION gis_user_id();
DROP FUNCTION gis_role();
DROP FUNCTION gis_orgs();
DROP FUNCTION gis_sees_all();
CREATE OR REPLACE FUNCTION gis_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
  actor text := coalesce(nullif(current_setting('gis_app.user', true), ''), session_user);
  n bigint;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO audit_log (who, table_name, operation, row_key, before, after)
    VALUES (actor, TG_TABLE_NAME, TG_OP, NULL, NULL, jsonb_build_object('truncate', true));
  ELSIF current_setting('gis_app.audit', true) = 'summary' THEN
    IF TG_OP = 'DELETE' THEN
      SELECT count(*) INTO n FROM old_rows;
    ELSE
      SELECT count(*) INTO n FROM new_rows;
    END IF;
    IF n > 0 THEN
      INSERT INTO audit_log (who, table_name, operation, row_key, before, after)
      VALUES (actor, TG_TABLE_NAME, TG_OP, NULL, NULL,
              jsonb_build_object('bulk', true, 'rows', n));
    END IF;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO audit_log (who, table_name, operation, row_key, before, after)
    SELECT actor, TG_TABLE_NAME, TG_OP, gis_audit_key(j, TG_ARGV), NULL, j
    FROM (SELECT to_jsonb(r) AS j FROM new_rows r) s;
  ELSE
    INSERT INTO audit_log (who, table_name, operation, row_key, before, after)
    SELECT actor, TG_TABLE_NAME, TG_OP, gis_audit_key(j, TG_ARGV), j, NULL
    FROM (SELECT to_jsonb(r) AS j FROM old_rows r) s;
  END IF;
  RETURN NULL;
END
$$;

-- Updates: row-level, so that before and after stay paired even when the key itself
-- changes (codes of ranks, standards and land-use classes are editable).
CREATE OR REPLACE FUNCTION gis_audit_update() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
  actor text := coalesce(nullif(current_setting('gis_app.user', true), ''), session_user);
  before_row jsonb := to_jsonb(OLD);
  after_row jsonb := to_jsonb(NEW);
BEGIN
  IF before_row IS DISTINCT FROM after_row THEN
    INSERT INTO audit_log (who, table_name, operation, row_key, before, after)
    VALUES (actor, TG_TABLE_NAME, TG_OP, gis_audit_key(after_row, TG_ARGV), before_row, after_row);
  END IF;
  RETURN NULL;
END
$$;


