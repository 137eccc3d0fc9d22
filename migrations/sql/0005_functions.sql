-- Access control (revision 0005): the request's identity, set per transaction by the app
-- (SET LOCAL through set_config(..., true)), and the row-level security policies that
-- read it. Nothing set means nothing visible: the policies fail closed.
--   gis_app.user     login name, written to the audit log
--   gis_app.user_id  app_user.id (presets belong to their user)
--   gis_app.role     admin | office_manager | unit_officer | viewer | auditor
--   gis_app.scope    'all' (the whole system) or 'orgs'
--   gis_app.orgs     the organisation ids in scope, as an integer[] literal
--   gis_app.org      the root of the user's scope (the audit log keeps it)
-- Policies wrap these functions in scalar subqueries so each is evaluated once per
-- statement (an InitPlan), not once per row.

CREATE FUNCTION gis_sees_all() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('gis_app.scope', true), '') = 'all'
$$;

CREATE FUNCTION gis_orgs() RETURNS integer[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('gis_app.orgs', true), '')::integer[], '{}')
$$;

CREATE FUNCTION gis_role() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('gis_app.role', true), '')
$$;

CREATE FUNCTION gis_user_id() RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('gis_app.user_id', true), '')::integer
$$;

-- The ids of `root` and every body under it; run as the owner, because the scope has to be
-- known before the policies can show any organisation.
CREATE FUNCTION gis_org_subtree(root integer) RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH RECURSIVE t(id) AS (
    SELECT id FROM organisation WHERE id = root
    UNION
    SELECT o.id FROM organisation o JOIN t ON o.parent_id = t.id
  )
  SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM t
$$;

-- A building is in scope when its title holder is, or a room in it belongs to a body in
-- scope. Run as the owner: the room policy looks at buildings, so the building policy may
-- not look at rooms through their own policies (PostgreSQL refuses the recursion).
CREATE FUNCTION gis_building_used(building integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM floor f JOIN room r ON r.floor_id = f.id
    WHERE f.building_id = building AND r.organisation_id = ANY (gis_orgs())
  )
$$;

-- A room assigned to no body (idle, shared) is its building's title holder's.
CREATE FUNCTION gis_floor_held(floor_ integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM floor f JOIN building b ON b.id = f.building_id
    WHERE f.id = floor_ AND b.title_holder_id = ANY (gis_orgs())
  )
$$;

-- A staff member's name, for the roles that manage their body; NULL for anyone else. The
-- app's role cannot read staff.name itself.
CREATE FUNCTION gis_staff_name(staff_id integer) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.name FROM staff s
  WHERE s.id = staff_id
    AND gis_role() IN ('admin', 'office_manager', 'unit_officer')
    AND (gis_sees_all() OR s.organisation_id = ANY (gis_orgs()))
$$;

ALTER TABLE organisation ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON organisation TO gis_web
  USING ((SELECT gis_sees_all()) OR id = ANY ((SELECT gis_orgs())::integer[]));

ALTER TABLE staff ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON staff TO gis_web
  USING ((SELECT gis_sees_all()) OR organisation_id = ANY ((SELECT gis_orgs())::integer[]));

ALTER TABLE building ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON building TO gis_web
  USING ((SELECT gis_sees_all()) OR title_holder_id = ANY ((SELECT gis_orgs())::integer[])
         OR gis_building_used(id));

ALTER TABLE floor ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON floor TO gis_web
  USING ((SELECT gis_sees_all()) OR EXISTS (SELECT 1 FROM building b WHERE b.id = building_id));

ALTER TABLE room ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON room TO gis_web
  USING ((SELECT gis_sees_all()) OR organisation_id = ANY ((SELECT gis_orgs())::integer[])
         OR (organisation_id IS NULL AND gis_floor_held(floor_id)));

ALTER TABLE room_occupancy ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON room_occupancy TO gis_web
  USING ((SELECT gis_sees_all()) OR EXISTS (SELECT 1 FROM room r WHERE r.id = room_id));

ALTER TABLE land_query_preset ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_shared ON land_query_preset FOR SELECT TO gis_web
  USING (owner_id IS NULL OR owner_id = (SELECT gis_user_id()) OR (SELECT gis_role()) = 'admin');
CREATE POLICY own ON land_query_preset FOR ALL TO gis_web
  USING (owner_id = (SELECT gis_user_id()) OR (SELECT gis_role()) = 'admin')
  WITH CHECK (owner_id = (SELECT gis_user_id()) OR (SELECT gis_role()) = 'admin');

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY auditors ON audit_log FOR SELECT TO gis_web
  USING ((SELECT gis_role()) IN ('admin', 'auditor')
         AND ((SELECT gis_sees_all()) OR actor_org = ANY ((SELECT gis_orgs())::integer[])
              OR row_org = ANY ((SELECT gis_orgs())::integer[])));

-- Whose a changed row is, for auditors scoped to part of the tree.
CREATE FUNCTION gis_audit_row_org(table_name text, j jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(
    (j ->> 'organisation_id')::integer,
    (j ->> 'title_holder_id')::integer,
    CASE WHEN table_name = 'organisation' THEN (j ->> 'id')::integer END
  )
$$;

-- Summary mode (one row per bulk statement) only for the owner's sessions (the CLI's bulk
-- loads); the app's role always writes one audit row per changed row.
CREATE FUNCTION gis_audit_summary_allowed() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT current_setting('gis_app.audit', true) = 'summary'
     AND (SELECT r.rolsuper OR NOT pg_has_role(r.oid, 'gis_web', 'MEMBER')
          FROM pg_roles r WHERE r.rolname = session_user)
$$;

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

-- The other trigger functions write tables the app's role may not (raster statistics are
-- the land query's cache, kept by the owner's rules).
ALTER FUNCTION gis_parcel_stats_stale() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION gis_parcel_stats_new() SECURITY DEFINER SET search_path = public, pg_temp;
