-- Which bodies have rooms in which building, kept by triggers in the transaction of every
-- change, so the building policy reads an indexed table instead of running a query per
-- building (bench/rls_cost.py). Rooms and floors changed by a statement mark their
-- buildings; those buildings' pairs are computed again from their rooms.

CREATE FUNCTION gis_building_body_refresh(buildings integer[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  DELETE FROM building_body WHERE building_id = ANY (buildings);
  INSERT INTO building_body (building_id, organisation_id)
  SELECT DISTINCT f.building_id, r.organisation_id
  FROM floor f JOIN room r ON r.floor_id = f.id
  WHERE f.building_id = ANY (buildings) AND r.organisation_id IS NOT NULL;
$$;

-- Rooms inserted, changed or deleted: their floors' buildings (floors deleted with their
-- rooms are handled by the floor trigger, which runs after the cascade).
CREATE FUNCTION gis_building_body_rooms() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  touched integer[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT f.building_id) INTO touched
    FROM floor f WHERE f.id IN (SELECT floor_id FROM new_rows WHERE organisation_id IS NOT NULL);
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT f.building_id) INTO touched
    FROM floor f WHERE f.id IN (SELECT floor_id FROM old_rows WHERE organisation_id IS NOT NULL);
  ELSE
    SELECT array_agg(DISTINCT f.building_id) INTO touched
    FROM floor f WHERE f.id IN (
      SELECT n.floor_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.organisation_id IS DISTINCT FROM o.organisation_id OR n.floor_id <> o.floor_id
      UNION
      SELECT o.floor_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.organisation_id IS DISTINCT FROM o.organisation_id OR n.floor_id <> o.floor_id);
  END IF;
  IF touched IS NOT NULL THEN
    PERFORM gis_building_body_refresh(touched);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION gis_building_body_floors() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  touched integer[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT building_id) INTO touched FROM old_rows;
  ELSE
    SELECT array_agg(DISTINCT b) INTO touched FROM (
      SELECT n.building_id AS b FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.building_id <> o.building_id
      UNION ALL
      SELECT o.building_id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.building_id <> o.building_id) s;
  END IF;
  IF touched IS NOT NULL THEN
    PERFORM gis_building_body_refresh(touched);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER building_body_insert AFTER INSERT ON room REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gis_building_body_rooms();
CREATE TRIGGER building_body_update AFTER UPDATE ON room
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gis_building_body_rooms();
CREATE TRIGGER building_body_delete AFTER DELETE ON room REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gis_building_body_rooms();
CREATE TRIGGER building_body_update AFTER UPDATE ON floor
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gis_building_body_floors();
CREATE TRIGGER building_body_delete AFTER DELETE ON floor REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gis_building_body_floors();

INSERT INTO building_body (building_id, organisation_id)
SELECT DISTINCT f.building_id, r.organisation_id
FROM floor f JOIN room r ON r.floor_id = f.id WHERE r.organisation_id IS NOT NULL;

DROP POLICY scope ON building;
CREATE POLICY scope ON building TO gis_web
  USING ((SELECT gis_sees_all()) OR title_holder_id = ANY ((SELECT gis_orgs())::integer[])
         OR EXISTS (SELECT 1 FROM building_body bb WHERE bb.building_id = building.id
                    AND bb.organisation_id = ANY ((SELECT gis_orgs())::integer[])));

-- The building policy no longer asks it.
DROP FUNCTION gis_building_used(integer);
