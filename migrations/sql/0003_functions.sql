-- Parcels added or reshaped are queued for raster statistics; the next land query computes
-- exactly those (gis_app.raster.registry.refresh_pending).
CREATE OR REPLACE FUNCTION gis_parcel_stats_stale() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM parcel_raster_stat WHERE parcel_id = NEW.id;
  INSERT INTO parcel_stat_pending (parcel_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE FUNCTION gis_parcel_stats_new() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO parcel_stat_pending (parcel_id) SELECT id FROM new_parcels ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE TRIGGER raster_stats_new AFTER INSERT ON land_parcel
  REFERENCING NEW TABLE AS new_parcels
  FOR EACH STATEMENT EXECUTE FUNCTION gis_parcel_stats_new();

-- Parcels that already lack a statistic are queued once.
INSERT INTO parcel_stat_pending (parcel_id)
SELECT p.id FROM land_parcel p WHERE EXISTS (
  SELECT 1 FROM raster_layer r WHERE NOT EXISTS (
    SELECT 1 FROM parcel_raster_stat s WHERE s.parcel_id = p.id AND s.raster_code = r.code));
