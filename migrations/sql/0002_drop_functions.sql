-- Reverse of 0002_functions.sql (the tables and their triggers are dropped by the migration).
DROP TRIGGER IF EXISTS raster_stats_stale ON land_parcel;
DROP FUNCTION IF EXISTS gis_parcel_stats_stale();
