-- Reverse of 0011_functions.sql: the policies of 0005, 0008, 0009 and 0010 again.
DROP FUNCTION gis_end_stays(integer, date);
DROP FUNCTION gis_rank_fits(integer, text);
DROP POLICY see ON building;
DROP POLICY hold_insert ON building;
DROP POLICY hold_update ON building;
DROP POLICY hold_delete ON building;
CREATE POLICY scope ON building TO gis_web
  USING ((SELECT gis_sees_all()) OR title_holder_id = ANY ((SELECT gis_orgs())::integer[])
         OR EXISTS (SELECT 1 FROM building_body bb WHERE bb.building_id = building.id
                    AND bb.organisation_id = ANY ((SELECT gis_orgs())::integer[])));
DROP POLICY see ON floor;
DROP POLICY hold_insert ON floor;
DROP POLICY hold_update ON floor;
DROP POLICY hold_delete ON floor;
CREATE POLICY scope ON floor TO gis_web
  USING ((SELECT gis_sees_all()) OR EXISTS (SELECT 1 FROM building b WHERE b.id = building_id));
DROP POLICY see ON campus;
DROP POLICY hold_insert ON campus;
DROP POLICY hold_update ON campus;
DROP POLICY hold_delete ON campus;
CREATE POLICY scope ON campus TO gis_web USING ((SELECT gis_sees_all())
  OR EXISTS (SELECT 1 FROM building b WHERE b.campus_id = campus.id));
DROP POLICY see ON organisation;
DROP POLICY edit_under_root ON organisation;
DROP POLICY remove_under_root ON organisation;
CREATE POLICY scope ON organisation TO gis_web
  USING ((SELECT gis_sees_all()) OR id = ANY ((SELECT gis_orgs())::integer[]));
DROP FUNCTION gis_root();
CREATE OR REPLACE FUNCTION gis_validate_room_overlap() RETURNS trigger
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
DROP POLICY history ON audit_log;
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
