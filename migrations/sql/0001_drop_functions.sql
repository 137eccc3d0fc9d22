-- Reverse of 0001_functions.sql (tables are dropped by the migration itself).
DROP FUNCTION IF EXISTS gis_validate_staff_rank() CASCADE;
DROP FUNCTION IF EXISTS gis_validate_parcel_landuse() CASCADE;
DROP FUNCTION IF EXISTS gis_validate_room() CASCADE;
DROP FUNCTION IF EXISTS gis_validate_floor_rooms() CASCADE;
DROP FUNCTION IF EXISTS gis_validate_geom() CASCADE;
DROP FUNCTION IF EXISTS gis_shape_problem(geometry);
DROP FUNCTION IF EXISTS gis_audit_update() CASCADE;
DROP FUNCTION IF EXISTS gis_audit() CASCADE;
DROP FUNCTION IF EXISTS gis_audit_key(jsonb, text[]);
