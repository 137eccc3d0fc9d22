-- Reverse of 0010_functions.sql: audit rows without the edit's settings (as in 0005), no
-- versioning, no overlap rule for edits.
DROP TRIGGER validate_room_overlap ON room;
DROP FUNCTION gis_validate_room_overlap();
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['organisation', 'staff', 'building', 'floor', 'room'] LOOP
    EXECUTE format('DROP TRIGGER keep_version ON %I', t);
    EXECUTE format('DROP FUNCTION IF EXISTS %I(date)', t || '_at');
  END LOOP;
END $$;
DROP FUNCTION gis_keep_version();
DROP POLICY add_under_scope ON organisation;
DROP POLICY history ON audit_log;
REVOKE SELECT (left_on, valid_from) ON staff FROM gis_web;
CREATE OR REPLACE FUNCTION gis_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  actor text := coalesce(nullif(current_setting('gis_app.user', true), ''), session_user);
  actor_org_ integer := nullif(current_setting('gis_app.org', true), '')::integer;
  n bigint;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO audit_log (who, actor_org, table_name, operation, row_key, before, after)
    VALUES (actor, actor_org_, TG_TABLE_NAME, TG_OP, NULL, NULL,
            jsonb_build_object('truncate', true));
  ELSIF gis_audit_summary_allowed() THEN
    IF TG_OP = 'DELETE' THEN
      SELECT count(*) INTO n FROM old_rows;
    ELSE
      SELECT count(*) INTO n FROM new_rows;
    END IF;
    IF n > 0 THEN
      INSERT INTO audit_log (who, actor_org, table_name, operation, row_key, before, after)
      VALUES (actor, actor_org_, TG_TABLE_NAME, TG_OP, NULL, NULL,
              jsonb_build_object('bulk', true, 'rows', n));
    END IF;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO audit_log (who, actor_org, row_org, table_name, operation, row_key, before, after)
    SELECT actor, actor_org_, gis_audit_row_org(TG_TABLE_NAME, j), TG_TABLE_NAME, TG_OP,
           gis_audit_key(j, TG_ARGV), NULL, j
    FROM (SELECT to_jsonb(r) AS j FROM new_rows r) s;
  ELSE
    INSERT INTO audit_log (who, actor_org, row_org, table_name, operation, row_key, before, after)
    SELECT actor, actor_org_, gis_audit_row_org(TG_TABLE_NAME, j), TG_TABLE_NAME, TG_OP,
           gis_audit_key(j, TG_ARGV), j, NULL
    FROM (SELECT to_jsonb(r) AS j FROM old_rows r) s;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION gis_audit_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  actor text := coalesce(nullif(current_setting('gis_app.user', true), ''), session_user);
  before_row jsonb := to_jsonb(OLD);
  after_row jsonb := to_jsonb(NEW);
BEGIN
  IF before_row IS DISTINCT FROM after_row THEN
    INSERT INTO audit_log (who, actor_org, row_org, table_name, operation, row_key, before, after)
    VALUES (actor, nullif(current_setting('gis_app.org', true), '')::integer,
            gis_audit_row_org(TG_TABLE_NAME, after_row), TG_TABLE_NAME, TG_OP,
            gis_audit_key(after_row, TG_ARGV), before_row, after_row);
  END IF;
  RETURN NULL;
END
$$;
DROP FUNCTION gis_effective_date();
DROP FUNCTION gis_edit_setting(text);
