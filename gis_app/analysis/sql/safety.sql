-- Building safety (JGJ 125-2016 危险房屋鉴定): who still works in C and D buildings, and
-- whose appraisal is older than :appraisal_years on :as_of. A C building is partly
-- dangerous (局部危房: use restricted, strengthen or move), a D building dangerous as a
-- whole (整幢危房: not to be used, move now).
-- The people are scope.sql's current_occupant: those in post on :as_of, where they sit.
-- danger_room: each (room, person) in a C or D building; body_first / room_first mark one
-- row per room and body / per room, so areas are summed once.
-- danger_floor, danger_body: per building, body of the people and floor, and per building
-- and body with its floors (who, how many, which rooms, m²);
-- danger_building: the same per building, with its bodies.
-- safety_building: every building in scope (those the scoped rooms are in; with no body
-- or floor asked, also the place's buildings without rooms) with its grade, whether its
-- appraisal is overdue and the figures above (0 when nobody is in danger there).
, danger_room AS (
  SELECT r.building_id, r.safety_grade, r.floor_id, r.floor_name,
         o.staff_body_id AS organisation_id, r.id AS room_id, o.staff_id, r.usable_area_m2,
         r.category = 'office' AND coalesce(r.subtype NOT IN ('rest_room', 'private_toilet'), true)
           AS is_office,
         row_number() OVER (PARTITION BY r.id, o.staff_body_id ORDER BY o.staff_id) = 1
           AS body_first,
         row_number() OVER (PARTITION BY r.id ORDER BY o.staff_id) = 1 AS room_first
  FROM scoped_room r JOIN current_occupant o ON o.room_id = r.id
  WHERE r.safety_grade IN ('C', 'D')
),
danger_floor AS (
  SELECT d.building_id, d.organisation_id, d.floor_id, min(d.floor_name) AS floor_name,
         count(DISTINCT d.staff_id) AS people,
         count(*) FILTER (WHERE d.body_first) AS rooms,
         count(*) FILTER (WHERE d.body_first AND d.is_office) AS offices,
         coalesce(sum(d.usable_area_m2) FILTER (WHERE d.body_first), 0) AS area_m2
  FROM danger_room d
  GROUP BY d.building_id, d.organisation_id, d.floor_id
),
danger_body AS (
  SELECT d.building_id, d.organisation_id, o.name AS organisation_name,
         count(DISTINCT d.staff_id) AS people,
         count(*) FILTER (WHERE d.body_first) AS rooms,
         count(*) FILTER (WHERE d.body_first AND d.is_office) AS offices,
         coalesce(sum(d.usable_area_m2) FILTER (WHERE d.body_first), 0) AS area_m2,
         (SELECT jsonb_agg(jsonb_build_object(
                   'floor_id', x.floor_id, 'floor_name', x.floor_name, 'people', x.people,
                   'rooms', x.rooms, 'offices', x.offices, 'area_m2', x.area_m2)
                 ORDER BY x.floor_id)
          FROM danger_floor x
          WHERE x.building_id = d.building_id AND x.organisation_id = d.organisation_id)
           AS floors
  FROM danger_room d
  LEFT JOIN organisation_at(CAST(:as_of AS date)) o ON o.id = d.organisation_id
  GROUP BY d.building_id, d.organisation_id, o.name
),
danger_building AS (
  SELECT d.building_id,
         count(DISTINCT d.staff_id) AS people,
         count(*) FILTER (WHERE d.room_first) AS rooms,
         coalesce(sum(d.usable_area_m2) FILTER (WHERE d.room_first), 0) AS area_m2,
         (SELECT jsonb_agg(jsonb_build_object(
                   'organisation_id', x.organisation_id, 'name', x.organisation_name,
                   'people', x.people, 'rooms', x.rooms, 'offices', x.offices,
                   'area_m2', x.area_m2, 'floors', x.floors)
                 ORDER BY x.people DESC, x.organisation_id)
          FROM danger_body x WHERE x.building_id = d.building_id) AS bodies
  FROM danger_room d
  GROUP BY d.building_id
),
safety_building AS (
  SELECT b.id AS building_id, b.code, b.name, b.campus_id, b.safety_grade,
         b.safety_appraised_on, b.title_holder_id, b.geom,
         coalesce(b.safety_appraised_on < CAST(:as_of AS date)
           - make_interval(years => CAST(:appraisal_years AS integer)), false)
           AS appraisal_overdue,
         coalesce(d.people, 0) AS people, coalesce(d.rooms, 0) AS rooms,
         coalesce(d.area_m2, 0) AS area_m2, coalesce(d.bodies, '[]') AS bodies
  FROM building_at(CAST(:as_of AS date)) b
  LEFT JOIN danger_building d ON d.building_id = b.id
  WHERE b.id IN (SELECT building_id FROM scoped_room)
     OR (CAST(:body_id AS integer) IS NULL AND CAST(:floor_id AS integer) IS NULL
         AND (CAST(:building_id AS integer) IS NULL OR b.id = CAST(:building_id AS integer))
         AND (CAST(:campus_id AS integer) IS NULL OR b.campus_id = CAST(:campus_id AS integer))
         AND (CAST(:district AS text) IS NULL OR b.id IN (
           SELECT building_id FROM building_district WHERE district = CAST(:district AS text)))
         AND (CAST(:bbox_west AS float8) IS NULL OR b.geom && ST_MakeEnvelope(
           CAST(:bbox_west AS float8), CAST(:bbox_south AS float8),
           CAST(:bbox_east AS float8), CAST(:bbox_north AS float8), 4490)))
)
