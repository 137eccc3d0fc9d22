-- Reverse of 0003_functions.sql: back to 0002's trigger function.
DROP TRIGGER IF EXISTS raster_stats_new ON land_parcel;
DROP FUNCTION IF EXISTS gis_parcel_stats_new();
CREATE OR REPLACE FUNCTION gis_parcel_stats_stale() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM parcel_raster_stat WHERE parcel_id = NEW.id;
  RETURN NULL;
END
$$;
