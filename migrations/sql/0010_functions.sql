-- Editing and history (revision 0010).
-- An edit tells its transaction its effective date, document number, note and action
-- (gis_app.db.edit); the versioning triggers keep the replaced version of each row in
-- <table>_history, and the audit triggers copy the four settings into each audit row.

CREATE FUNCTION gis_edit_setting(name text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('gis_app.' || name, true), '')
$$;

-- The date a change takes effect: the edit's own, else today.
CREATE FUNCTION gis_effective_date() RETURNS date
LANGUAGE sql STABLE AS $$
  SELECT coalesce(gis_edit_setting('effective_date')::date, current_date)
$$;

-- BEFORE UPDATE OR DELETE on a versioned table: the replaced version goes to its history,
-- valid until the effective date; the new version is valid from it. Two changes on one
-- day keep one version (the audit log has both). A date before the row's last change
-- would rewrite history, and is refused naming the row and that change's date.
CREATE FUNCTION gis_keep_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  eff date := gis_effective_date();
  columns text;
BEGIN
  IF TG_OP = 'UPDATE' AND row(NEW.*) IS NOT DISTINCT FROM row(OLD.*) THEN
    RETURN NEW;
  END IF;
  IF eff < OLD.valid_from THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = format('%s %s: effective date %s is before its last change on %s',
                       TG_TABLE_NAME, OLD.id, eff, OLD.valid_from);
  END IF;
  IF eff > OLD.valid_from THEN
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns
    FROM pg_attribute WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped;
    EXECUTE format('INSERT INTO %I (%s, valid_to) SELECT %s, $2 FROM (SELECT ($1).*) o',
                   TG_TABLE_NAME || '_history', columns, columns)
      USING OLD, eff;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  NEW.valid_from := eff;
  RETURN NEW;
END
$$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['organisation', 'staff', 'building', 'floor', 'room'] LOOP
    EXECUTE format('CREATE TRIGGER keep_version BEFORE UPDATE OR DELETE ON %I '
                   'FOR EACH ROW EXECUTE FUNCTION gis_keep_version()', t);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t || '_history');
    EXECUTE format('REVOKE ALL ON %I FROM gis_web', t || '_history');
  END LOOP;
END $$;

GRANT SELECT ON organisation_history, building_history, floor_history, room_history TO gis_web;
GRANT SELECT (id, organisation_id, rank_code, left_on, valid_from, valid_to, history_id)
  ON staff_history TO gis_web;
GRANT SELECT (left_on, valid_from) ON staff TO gis_web;

-- The history tables are seen as the tables themselves are.
CREATE POLICY scope ON organisation_history FOR SELECT TO gis_web
  USING ((SELECT gis_sees_all()) OR id = ANY ((SELECT gis_orgs())::integer[]));
CREATE POLICY scope ON staff_history FOR SELECT TO gis_web
  USING ((SELECT gis_sees_all()) OR organisation_id = ANY ((SELECT gis_orgs())::integer[]));
CREATE POLICY scope ON building_history FOR SELECT TO gis_web
  USING ((SELECT gis_sees_all()) OR title_holder_id = ANY ((SELECT gis_orgs())::integer[])
         OR EXISTS (SELECT 1 FROM building_body bb WHERE bb.building_id = building_history.id
                    AND bb.organisation_id = ANY ((SELECT gis_orgs())::integer[])));
CREATE POLICY scope ON floor_history FOR SELECT TO gis_web
  USING ((SELECT gis_sees_all()) OR EXISTS (SELECT 1 FROM building b WHERE b.id = building_id));
CREATE POLICY scope ON room_history FOR SELECT TO gis_web
  USING ((SELECT gis_sees_all()) OR organisation_id = ANY ((SELECT gis_orgs())::integer[])
         OR (organisation_id IS NULL AND gis_floor_held(floor_id)));

-- A new body may be added under one in scope (its own id joins the scope only once the
-- caller's scope is read again).
CREATE POLICY add_under_scope ON organisation FOR INSERT TO gis_web
  WITH CHECK ((SELECT gis_sees_all()) OR parent_id = ANY ((SELECT gis_orgs())::integer[]));

ALTER TABLE reallocation ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON reallocation TO gis_web
  USING ((SELECT gis_sees_all()) OR organisation_id = ANY ((SELECT gis_orgs())::integer[]));
REVOKE UPDATE, DELETE ON reallocation FROM gis_web;

-- Edits through the app keep a floor clean: a room drawn, reshaped or moved by an edit
-- may not overlap another room of its floor by more than 0.5 m² (imports only report
-- overlaps, as data-quality findings, since real drawings have them).
CREATE FUNCTION gis_validate_room_overlap() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  other text;
  shared double precision;
BEGIN
  IF gis_edit_setting('action') IS NULL THEN
    RETURN NEW;
  END IF;
  SELECT r.number, ST_Area(geography(ST_Intersection(r.geom, NEW.geom))) INTO other, shared
  FROM room r
  WHERE r.floor_id = NEW.floor_id AND r.id <> NEW.id AND r.geom && NEW.geom
    AND ST_Intersects(r.geom, NEW.geom)
    AND ST_Area(geography(ST_Intersection(r.geom, NEW.geom))) > 0.5
  ORDER BY r.number LIMIT 1;
  IF other IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = format('room %s (floor %s): overlaps room %s by %s m²',
                       NEW.number, NEW.floor_id, other, round(shared::numeric, 1));
  END IF;
  RETURN NEW;
END
$$;
ALTER FUNCTION gis_validate_room_overlap() SECURITY DEFINER SET search_path = public, pg_temp;
CREATE TRIGGER validate_room_overlap BEFORE INSERT OR UPDATE OF geom, floor_id ON room
  FOR EACH ROW EXECUTE FUNCTION gis_validate_room_overlap();

-- The audit rows carry the edit's date, document, note and action.
CREATE OR REPLACE FUNCTION gis_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  actor text := coalesce(gis_edit_setting('user'), session_user);
  actor_org_ integer := gis_edit_setting('org')::integer;
  eff date := gis_edit_setting('effective_date')::date;
  doc text := gis_edit_setting('document_no');
  note_ text := gis_edit_setting('note');
  action_ text := gis_edit_setting('action');
  n bigint;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO audit_log (who, actor_org, table_name, operation, row_key, before, after,
                           effective_date, document_no, note, action)
    VALUES (actor, actor_org_, TG_TABLE_NAME, TG_OP, NULL, NULL,
            jsonb_build_object('truncate', true), eff, doc, note_, action_);
  ELSIF gis_audit_summary_allowed() THEN
    IF TG_OP = 'DELETE' THEN
      SELECT count(*) INTO n FROM old_rows;
    ELSE
      SELECT count(*) INTO n FROM new_rows;
    END IF;
    IF n > 0 THEN
      INSERT INTO audit_log (who, actor_org, table_name, operation, row_key, before, after,
                             effective_date, document_no, note, action)
      VALUES (actor, actor_org_, TG_TABLE_NAME, TG_OP, NULL, NULL,
              jsonb_build_object('bulk', true, 'rows', n), eff, doc, note_, action_);
    END IF;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO audit_log (who, actor_org, row_org, table_name, operation, row_key, before, after,
                           effective_date, document_no, note, action)
    SELECT actor, actor_org_, gis_audit_row_org(TG_TABLE_NAME, j), TG_TABLE_NAME, TG_OP,
           gis_audit_key(j, TG_ARGV), NULL, j, eff, doc, note_, action_
    FROM (SELECT to_jsonb(r) AS j FROM new_rows r) s;
  ELSE
    INSERT INTO audit_log (who, actor_org, row_org, table_name, operation, row_key, before, after,
                           effective_date, document_no, note, action)
    SELECT actor, actor_org_, gis_audit_row_org(TG_TABLE_NAME, j), TG_TABLE_NAME, TG_OP,
           gis_audit_key(j, TG_ARGV), j, NULL, eff, doc, note_, action_
    FROM (SELECT to_jsonb(r) AS j FROM old_rows r) s;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION gis_audit_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  before_row jsonb := to_jsonb(OLD);
  after_row jsonb := to_jsonb(NEW);
BEGIN
  IF before_row IS DISTINCT FROM after_row THEN
    INSERT INTO audit_log (who, actor_org, row_org, table_name, operation, row_key, before, after,
                           effective_date, document_no, note, action)
    VALUES (coalesce(gis_edit_setting('user'), session_user), gis_edit_setting('org')::integer,
            gis_audit_row_org(TG_TABLE_NAME, after_row), TG_TABLE_NAME, TG_OP,
            gis_audit_key(after_row, TG_ARGV), before_row, after_row,
            gis_edit_setting('effective_date')::date, gis_edit_setting('document_no'),
            gis_edit_setting('note'), gis_edit_setting('action'));
  END IF;
  RETURN NULL;
END
$$;

-- Histories for the roles that are not auditors: the changes of the rooms, floors,
-- buildings, bodies and reallocations they can see; occupancy and staff changes (who sat
-- where, names) only for the roles that manage people.
CREATE POLICY history ON audit_log FOR SELECT TO gis_web
  USING ((SELECT gis_role()) IN ('office_manager', 'unit_officer', 'viewer')
    AND CASE table_name
      WHEN 'room' THEN EXISTS (SELECT 1 FROM room r WHERE r.id = row_key::integer)
        OR EXISTS (SELECT 1 FROM room_history h WHERE h.id = row_key::integer)
      WHEN 'floor' THEN EXISTS (SELECT 1 FROM floor f WHERE f.id = row_key::integer)
        OR EXISTS (SELECT 1 FROM floor_history h WHERE h.id = row_key::integer)
      WHEN 'building' THEN EXISTS (SELECT 1 FROM building b WHERE b.id = row_key::integer)
        OR EXISTS (SELECT 1 FROM building_history h WHERE h.id = row_key::integer)
      WHEN 'organisation' THEN EXISTS (SELECT 1 FROM organisation o WHERE o.id = row_key::integer)
      WHEN 'reallocation' THEN EXISTS (SELECT 1 FROM reallocation x WHERE x.id = row_key::integer)
      WHEN 'room_occupancy' THEN (SELECT gis_role()) <> 'viewer' AND EXISTS (
        SELECT 1 FROM room r WHERE r.id = (coalesce(after, before) ->> 'room_id')::integer)
      WHEN 'staff' THEN (SELECT gis_role()) <> 'viewer'
        AND EXISTS (SELECT 1 FROM staff s WHERE s.id = row_key::integer)
      ELSE false
    END);
