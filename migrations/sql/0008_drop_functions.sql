-- Reverse of 0008_functions.sql: the building policy asks gis_building_used() again.
CREATE FUNCTION gis_building_used(building integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM floor f JOIN room r ON r.floor_id = f.id
    WHERE f.building_id = building AND r.organisation_id = ANY (gis_orgs())
  )
$$;
DROP POLICY scope ON building;
CREATE POLICY scope ON building TO gis_web
  USING ((SELECT gis_sees_all()) OR title_holder_id = ANY ((SELECT gis_orgs())::integer[])
         OR gis_building_used(id));
DROP TRIGGER building_body_delete ON floor;
DROP TRIGGER building_body_update ON floor;
DROP TRIGGER building_body_delete ON room;
DROP TRIGGER building_body_update ON room;
DROP TRIGGER building_body_insert ON room;
DROP FUNCTION gis_building_body_floors();
DROP FUNCTION gis_building_body_rooms();
DROP FUNCTION gis_building_body_refresh(integer[]);
