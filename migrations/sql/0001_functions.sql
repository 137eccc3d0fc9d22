-- Audit log and record validation for the initial schema (revision 0001).
-- Validation messages name the record and the reason; they use SQLSTATE 23514
-- (check_violation) so the API can answer 422.

CREATE FUNCTION gis_audit_key(j jsonb, keys text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(j ->> k, '|' ORDER BY o) FROM unnest(keys) WITH ORDINALITY AS u(k, o)
$$;

-- Inserts and deletes: statement-level, one set-based INSERT per statement (cheap for COPY).
-- Arguments: the key columns. SET LOCAL gis_app.audit = 'summary' makes a bulk load write
-- one row per statement. TRUNCATE is logged as one row.
CREATE FUNCTION gis_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  actor text := coalesce(nullif(current_setting('gis_app.user', true), ''), session_user);
  n bigint;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO audit_log (who, table_name, operation, row_key, before, after)
    VALUES (actor, TG_TABLE_NAME, TG_OP, NULL, NULL, jsonb_build_object('truncate', true));
  ELSIF current_setting('gis_app.audit', true) = 'summary' THEN
    IF TG_OP = 'DELETE' THEN
      SELECT count(*) INTO n FROM old_rows;
    ELSE
      SELECT count(*) INTO n FROM new_rows;
    END IF;
    IF n > 0 THEN
      INSERT INTO audit_log (who, table_name, operation, row_key, before, after)
      VALUES (actor, TG_TABLE_NAME, TG_OP, NULL, NULL,
              jsonb_build_object('bulk', true, 'rows', n));
    END IF;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO audit_log (who, table_name, operation, row_key, before, after)
    SELECT actor, TG_TABLE_NAME, TG_OP, gis_audit_key(j, TG_ARGV), NULL, j
    FROM (SELECT to_jsonb(r) AS j FROM new_rows r) s;
  ELSE
    INSERT INTO audit_log (who, table_name, operation, row_key, before, after)
    SELECT actor, TG_TABLE_NAME, TG_OP, gis_audit_key(j, TG_ARGV), j, NULL
    FROM (SELECT to_jsonb(r) AS j FROM old_rows r) s;
  END IF;
  RETURN NULL;
END
$$;

-- Updates: row-level, so that before and after stay paired even when the key itself
-- changes (codes of ranks, standards and land-use classes are editable).
CREATE FUNCTION gis_audit_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  actor text := coalesce(nullif(current_setting('gis_app.user', true), ''), session_user);
  before_row jsonb := to_jsonb(OLD);
  after_row jsonb := to_jsonb(NEW);
BEGIN
  IF before_row IS DISTINCT FROM after_row THEN
    INSERT INTO audit_log (who, table_name, operation, row_key, before, after)
    VALUES (actor, TG_TABLE_NAME, TG_OP, gis_audit_key(after_row, TG_ARGV), before_row, after_row);
  END IF;
  RETURN NULL;
END
$$;

-- NULL when the shape is usable, else why not.
CREATE FUNCTION gis_shape_problem(g geometry) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN g IS NULL THEN 'geometry missing'
    WHEN ST_IsEmpty(g) THEN 'geometry empty'
    WHEN NOT (ST_IsValidDetail(g)).valid THEN 'geometry invalid: ' || (ST_IsValidDetail(g)).reason
  END
$$;

-- Row-level BEFORE trigger for tables with one `geom`; argument: the column naming the record.
CREATE FUNCTION gis_validate_geom() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  problem text := gis_shape_problem(NEW.geom);
BEGIN
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = format('%s %s: %s', TG_TABLE_NAME, to_jsonb(NEW) ->> TG_ARGV[0], problem);
  END IF;
  RETURN NEW;
END
$$;

-- Rooms: both shapes usable, and the room inside its floor outline
-- (at most 0.5 m² outside, measured on the ellipsoid).
CREATE FUNCTION gis_validate_room() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  problem text := coalesce(gis_shape_problem(NEW.geom),
                           'local drawing ' || gis_shape_problem(NEW.local_geom));
  outline geometry;
  outside double precision;
BEGIN
  IF problem IS NULL THEN
    SELECT f.geom INTO outline FROM floor f WHERE f.id = NEW.floor_id;
    IF outline IS NOT NULL AND NOT ST_CoveredBy(NEW.geom, outline) THEN
      outside := ST_Area(geography(ST_Difference(NEW.geom, outline)));
      IF outside > 0.5 THEN
        problem := format('outside its floor outline by %s m²', round(outside::numeric, 1));
      END IF;
    END IF;
  END IF;
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = format('room %s (floor %s): %s', NEW.number, NEW.floor_id, problem);
  END IF;
  RETURN NEW;
END
$$;

-- A floor outline may not be changed so that its rooms end up outside it.
CREATE FUNCTION gis_validate_floor_rooms() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  stray text;
BEGIN
  SELECT r.number INTO stray FROM room r
  WHERE r.floor_id = NEW.id AND NOT ST_CoveredBy(r.geom, NEW.geom)
    AND ST_Area(geography(ST_Difference(r.geom, NEW.geom))) > 0.5
  ORDER BY r.number LIMIT 1;
  IF stray IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = format('floor %s (building %s): new outline leaves room %s outside',
                       NEW.name, NEW.building_id, stray);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION gis_validate_parcel_landuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM landuse_class c
                 WHERE c.scheme = NEW.landuse_scheme AND c.code = NEW.landuse_code) THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = format('land_parcel %s: unknown land-use code %s in scheme %s',
                       NEW.parcel_code, NEW.landuse_code, NEW.landuse_scheme);
  END IF;
  RETURN NEW;
END
$$;

CREATE FUNCTION gis_validate_staff_rank() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM rank r WHERE r.code = NEW.rank_code) THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
      MESSAGE = format('staff %s (organisation %s): unknown rank code %s',
                       coalesce(NEW.name, NEW.id::text), NEW.organisation_id, NEW.rank_code);
  END IF;
  RETURN NEW;
END
$$;

-- Validation runs on insert and when the checked columns change (not on a status edit).
CREATE TRIGGER validate_geom BEFORE INSERT OR UPDATE OF geom ON campus
  FOR EACH ROW EXECUTE FUNCTION gis_validate_geom('code');
CREATE TRIGGER validate_geom BEFORE INSERT OR UPDATE OF geom ON building
  FOR EACH ROW EXECUTE FUNCTION gis_validate_geom('code');
CREATE TRIGGER validate_geom BEFORE INSERT OR UPDATE OF geom ON floor
  FOR EACH ROW EXECUTE FUNCTION gis_validate_geom('name');
CREATE TRIGGER validate_rooms_inside AFTER UPDATE OF geom ON floor
  FOR EACH ROW EXECUTE FUNCTION gis_validate_floor_rooms();
CREATE TRIGGER validate_geom BEFORE INSERT OR UPDATE OF geom ON land_parcel
  FOR EACH ROW EXECUTE FUNCTION gis_validate_geom('parcel_code');
CREATE TRIGGER validate_landuse BEFORE INSERT OR UPDATE OF landuse_scheme, landuse_code
  ON land_parcel FOR EACH ROW EXECUTE FUNCTION gis_validate_parcel_landuse();
CREATE TRIGGER validate_room BEFORE INSERT OR UPDATE OF geom, local_geom, floor_id ON room
  FOR EACH ROW EXECUTE FUNCTION gis_validate_room();
CREATE TRIGGER validate_rank BEFORE INSERT OR UPDATE OF rank_code ON staff
  FOR EACH ROW EXECUTE FUNCTION gis_validate_staff_rank();
