-- Who may write what (revision 0011): reading a building, floor, campus or body is not
-- holding it. A body with one room in a building sees the building; only its title holder
-- (or a whole-system role) changes or deletes it, its floors (a floor's rooms go with it)
-- and its campus. A scoped user changes the bodies under their scope's root, never the
-- root itself, and keeps them under it. The write policies are per command, so that a read
-- asks the `see` policy alone (as fast as before).

CREATE FUNCTION gis_root() RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('gis_app.org', true), '')::integer
$$;

DROP POLICY scope ON building;
CREATE POLICY see ON building FOR SELECT TO gis_web
  USING ((SELECT gis_sees_all()) OR title_holder_id = ANY ((SELECT gis_orgs())::integer[])
         OR EXISTS (SELECT 1 FROM building_body bb WHERE bb.building_id = building.id
                    AND bb.organisation_id = ANY ((SELECT gis_orgs())::integer[])));
CREATE POLICY hold_insert ON building FOR INSERT TO gis_web
  WITH CHECK ((SELECT gis_sees_all()) OR title_holder_id = ANY ((SELECT gis_orgs())::integer[]));
CREATE POLICY hold_update ON building FOR UPDATE TO gis_web
  USING ((SELECT gis_sees_all()) OR title_holder_id = ANY ((SELECT gis_orgs())::integer[])) WITH CHECK ((SELECT gis_sees_all()) OR title_holder_id = ANY ((SELECT gis_orgs())::integer[]));
CREATE POLICY hold_delete ON building FOR DELETE TO gis_web
  USING ((SELECT gis_sees_all()) OR title_holder_id = ANY ((SELECT gis_orgs())::integer[]));

DROP POLICY scope ON floor;
CREATE POLICY see ON floor FOR SELECT TO gis_web
  USING ((SELECT gis_sees_all()) OR EXISTS (SELECT 1 FROM building b WHERE b.id = building_id));
CREATE POLICY hold_insert ON floor FOR INSERT TO gis_web
  WITH CHECK ((SELECT gis_sees_all()) OR EXISTS (
    SELECT 1 FROM building b WHERE b.id = building_id
    AND b.title_holder_id = ANY ((SELECT gis_orgs())::integer[])));
CREATE POLICY hold_update ON floor FOR UPDATE TO gis_web
  USING ((SELECT gis_sees_all()) OR EXISTS (
    SELECT 1 FROM building b WHERE b.id = building_id
    AND b.title_holder_id = ANY ((SELECT gis_orgs())::integer[]))) WITH CHECK ((SELECT gis_sees_all()) OR EXISTS (
    SELECT 1 FROM building b WHERE b.id = building_id
    AND b.title_holder_id = ANY ((SELECT gis_orgs())::integer[])));
CREATE POLICY hold_delete ON floor FOR DELETE TO gis_web
  USING ((SELECT gis_sees_all()) OR EXISTS (
    SELECT 1 FROM building b WHERE b.id = building_id
    AND b.title_holder_id = ANY ((SELECT gis_orgs())::integer[])));

DROP POLICY scope ON campus;
CREATE POLICY see ON campus FOR SELECT TO gis_web
  USING ((SELECT gis_sees_all()) OR EXISTS (SELECT 1 FROM building b WHERE b.campus_id = campus.id));
CREATE POLICY hold_insert ON campus FOR INSERT TO gis_web
  WITH CHECK ((SELECT gis_sees_all()) OR EXISTS (
    SELECT 1 FROM building b WHERE b.campus_id = campus.id
    AND b.title_holder_id = ANY ((SELECT gis_orgs())::integer[])));
CREATE POLICY hold_update ON campus FOR UPDATE TO gis_web
  USING ((SELECT gis_sees_all()) OR EXISTS (
    SELECT 1 FROM building b WHERE b.campus_id = campus.id
    AND b.title_holder_id = ANY ((SELECT gis_orgs())::integer[]))) WITH CHECK ((SELECT gis_sees_all()) OR EXISTS (
    SELECT 1 FROM building b WHERE b.campus_id = campus.id
    AND b.title_holder_id = ANY ((SELECT gis_orgs())::integer[])));
CREATE POLICY hold_delete ON campus FOR DELETE TO gis_web
  USING ((SELECT gis_sees_all()) OR EXISTS (
    SELECT 1 FROM building b WHERE b.campus_id = campus.id
    AND b.title_holder_id = ANY ((SELECT gis_orgs())::integer[])));

DROP POLICY scope ON organisation;
CREATE POLICY see ON organisation FOR SELECT TO gis_web
  USING ((SELECT gis_sees_all()) OR id = ANY ((SELECT gis_orgs())::integer[]));
CREATE POLICY edit_under_root ON organisation FOR UPDATE TO gis_web
  USING ((SELECT gis_sees_all())
         OR (id = ANY ((SELECT gis_orgs())::integer[]) AND id IS DISTINCT FROM (SELECT gis_root())))
  WITH CHECK ((SELECT gis_sees_all())
              OR (id IS DISTINCT FROM (SELECT gis_root())
                  AND parent_id = ANY ((SELECT gis_orgs())::integer[])));
CREATE POLICY remove_under_root ON organisation FOR DELETE TO gis_web
  USING ((SELECT gis_sees_all())
         OR (id = ANY ((SELECT gis_orgs())::integer[]) AND id IS DISTINCT FROM (SELECT gis_root())));

-- Whether a rank may be held in a body: the body's own level, or, in a sub-provincial
-- city (the flag on the body or any body above it), the provincial deputy and department
-- ranks. Run as the owner: the bodies above a caller's scope decide it too.
CREATE FUNCTION gis_rank_fits(org integer, rank_code text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH RECURSIVE up(id, parent_id, sub) AS (
    SELECT id, parent_id, sub_provincial FROM organisation WHERE id = org
    UNION ALL
    SELECT o.id, o.parent_id, o.sub_provincial FROM organisation o JOIN up ON o.id = up.parent_id
  )
  SELECT k.level = o.level
      OR ((SELECT bool_or(sub) FROM up)
          AND k.code IN ('provincial_deputy', 'provincial_dept_head', 'provincial_dept_deputy'))
  FROM organisation o, rank k WHERE o.id = org AND k.code = rank_code
$$;

-- End a person's stays on `day`, in every room, seen or not by the caller (a stay in a
-- room outside the scope would otherwise stay open): a stay starting that day is removed,
-- a later one refused. Only for a person in the caller's scope. Returns the rooms left.
CREATE FUNCTION gis_end_stays(person integer, day date) RETURNS SETOF integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  later date;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM staff s WHERE s.id = person
                 AND (gis_sees_all() OR s.organisation_id = ANY (gis_orgs()))) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = 'new row violates row-level security policy: staff not in scope';
  END IF;
  SELECT max(valid_from) INTO later FROM room_occupancy
  WHERE staff_id = person AND valid_from > day;
  IF later IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = format('staff %s: effective date %s is before their current stay began on %s',
                       person, day, later);
  END IF;
  RETURN QUERY DELETE FROM room_occupancy WHERE staff_id = person AND valid_from = day
    RETURNING room_id;
  RETURN QUERY UPDATE room_occupancy SET valid_to = day WHERE staff_id = person
    AND valid_from < day AND (valid_to IS NULL OR valid_to > day) RETURNING room_id;
END
$$;

-- Two edits drawing on one floor at once: the second waits for the first to commit, then
-- checks against its room.
CREATE OR REPLACE FUNCTION gis_validate_room_overlap() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  other text;
  shared double precision;
BEGIN
  IF gis_edit_setting('action') IS NULL THEN
    RETURN NEW;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('gis_room_floor'), NEW.floor_id);
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

-- Histories for the roles that are not auditors: a change is seen when the row it left
-- (or, for a deletion, the row it removed) belongs to a body in scope; a row of no body
-- (an idle room, a floor, a building) when the caller sees that row now or in a past
-- version. Occupancy and staff changes (who sat where, names) only for the roles that
-- manage people.
DROP POLICY history ON audit_log;
CREATE POLICY history ON audit_log FOR SELECT TO gis_web
  USING ((SELECT gis_role()) IN ('office_manager', 'unit_officer', 'viewer')
    AND ((SELECT gis_sees_all()) OR CASE table_name
      WHEN 'room' THEN CASE WHEN row_org IS NOT NULL
        THEN row_org = ANY ((SELECT gis_orgs())::integer[])
        ELSE EXISTS (SELECT 1 FROM room r WHERE r.id = row_key::integer)
          OR EXISTS (SELECT 1 FROM room_history h WHERE h.id = row_key::integer) END
      WHEN 'floor' THEN EXISTS (SELECT 1 FROM floor f WHERE f.id = row_key::integer)
        OR EXISTS (SELECT 1 FROM floor_history h WHERE h.id = row_key::integer)
      WHEN 'building' THEN row_org = ANY ((SELECT gis_orgs())::integer[])
        OR EXISTS (SELECT 1 FROM building b WHERE b.id = row_key::integer)
      WHEN 'organisation' THEN row_org = ANY ((SELECT gis_orgs())::integer[])
      WHEN 'reallocation' THEN row_org = ANY ((SELECT gis_orgs())::integer[])
      WHEN 'room_occupancy' THEN (SELECT gis_role()) <> 'viewer' AND EXISTS (
        SELECT 1 FROM room r WHERE r.id = (coalesce(after, before) ->> 'room_id')::integer)
      WHEN 'staff' THEN (SELECT gis_role()) <> 'viewer'
        AND row_org = ANY ((SELECT gis_orgs())::integer[])
      ELSE false
    END));
