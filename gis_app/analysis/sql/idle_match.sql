-- Idle-space matching (调剂优先): floors, and whole buildings, whose reallocatable vacant
-- rooms together hold the requested offices, meeting rooms and usable area, within
-- :max_distance_m of the origin (a given point, or the centre of the buildings where the
-- requesting body has rooms). A building is offered whole only when no single floor of it
-- fits. Distances are metres on the ellipsoid.
, pool AS (
  SELECT s.*,
         s.category = 'office' AND coalesce(s.subtype NOT IN ('rest_room', 'private_toilet'), true)
           AS is_office,
         s.category = 'service' AND s.subtype = 'meeting' AS is_meeting
  FROM room_state s
  WHERE s.vacant AND (s.safety_grade IS NULL OR s.safety_grade NOT IN ('C', 'D'))
),
origin AS (
  SELECT CASE
    WHEN CAST(:lon AS float8) IS NOT NULL
      THEN ST_SetSRID(ST_MakePoint(CAST(:lon AS float8), CAST(:lat AS float8)), 4490)
    ELSE (SELECT ST_Centroid(ST_Collect(b.geom)) FROM building b
          WHERE b.id IN (SELECT f.building_id FROM room r JOIN floor f ON f.id = r.floor_id
                         WHERE r.organisation_id = CAST(:organisation_id AS integer)))
  END AS geom
),
unit AS (
  SELECT 'floor' AS unit, floor_id AS unit_id, building_id,
         count(*) FILTER (WHERE is_office) AS offices,
         count(*) FILTER (WHERE is_meeting) AS meetings,
         coalesce(sum(usable_area_m2) FILTER (WHERE is_office OR is_meeting), 0) AS area_m2
  FROM pool GROUP BY floor_id, building_id
  UNION ALL
  SELECT 'building', building_id, building_id,
         count(*) FILTER (WHERE is_office),
         count(*) FILTER (WHERE is_meeting),
         coalesce(sum(usable_area_m2) FILTER (WHERE is_office OR is_meeting), 0)
  FROM pool GROUP BY building_id
),
fits AS (
  SELECT u.*, b.code AS building_code, b.name AS building_name, b.safety_grade,
         ST_Distance(geography(ST_PointOnSurface(b.geom)), geography(o.geom)) AS distance_m
  FROM unit u
  JOIN building b ON b.id = u.building_id
  CROSS JOIN origin o
  WHERE u.offices >= CAST(:offices AS integer) AND u.meetings >= CAST(:meetings AS integer)
    AND u.area_m2 >= CAST(:area AS numeric)
    AND ST_DWithin(geography(b.geom), geography(o.geom), CAST(:max_distance_m AS float8))
),
candidate AS (
  SELECT f.* FROM fits f
  WHERE f.unit = 'floor'
     OR NOT EXISTS (SELECT 1 FROM fits g WHERE g.unit = 'floor' AND g.building_id = f.building_id)
)
