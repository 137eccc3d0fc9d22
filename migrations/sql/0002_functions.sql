-- A parcel whose shape changes loses its raster statistics; they are recomputed on demand.
CREATE FUNCTION gis_parcel_stats_stale() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM parcel_raster_stat WHERE parcel_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER raster_stats_stale AFTER UPDATE OF geom ON land_parcel
  FOR EACH ROW WHEN (OLD.geom IS DISTINCT FROM NEW.geom)
  EXECUTE FUNCTION gis_parcel_stats_stale();
CREATE TRIGGER validate_geom BEFORE INSERT OR UPDATE OF geom ON road
  FOR EACH ROW EXECUTE FUNCTION gis_validate_geom('name');
CREATE TRIGGER validate_geom BEFORE INSERT OR UPDATE OF geom ON transit_station
  FOR EACH ROW EXECUTE FUNCTION gis_validate_geom('name');
CREATE TRIGGER validate_geom BEFORE INSERT OR UPDATE OF geom ON constraint_zone
  FOR EACH ROW EXECUTE FUNCTION gis_validate_geom('name');
