-- Idle-space matching (调剂优先): floors, and whole buildings, whose reallocatable vacant
-- rooms together hold the requested offices, meeting rooms and usable area, within
-- :max_distance_m of the origin (a given point, or the centre of the buildings where the
-- requesting body has rooms). Distances are metres on the ellipsoid.
--
-- Tiers, in the order the rules allocate (内部整合 → 系统内调剂 → 跨系统调剂): each idle
-- room is 1 'own' when the requesting body holds it (the ledger's vacant), 2 'system' when
-- a body of its system holds it, 3 'other' otherwise (other systems and levels, and rooms
-- no body holds). The system: from the body, climb the parent links while the parent is of
-- the same jurisdiction level; the body reached (the system head: a city government for
-- its bureaus, a district government for its bureaus) and every body below it at that
-- level. A unit is offered at the first tier whose rooms alone (that tier's and the
-- nearer ones') fit, so an 'own' candidate fits with the body's own rooms by itself. A
-- building is offered whole at a tier only when none of its floors fits at that tier or a
-- nearer one.
, requester(id, parent_id, level, depth) AS (
  SELECT o.id, o.parent_id, o.level, 0
  FROM organisation_at(CAST(:as_of AS date)) o WHERE o.id = CAST(:organisation_id AS integer)
  UNION ALL
  SELECT p.id, p.parent_id, p.level, r.depth + 1
  FROM organisation_at(CAST(:as_of AS date)) p
  JOIN requester r ON p.id = r.parent_id AND p.level = r.level
  WHERE r.depth < 64
),
system_body(id) AS (
  SELECT id FROM (SELECT id FROM requester ORDER BY depth DESC LIMIT 1) head
  UNION
  SELECT o.id
  FROM organisation_at(CAST(:as_of AS date)) o
  JOIN system_body s ON o.parent_id = s.id
  WHERE o.level = (SELECT level FROM requester WHERE depth = 0)
),
pool AS (
  SELECT s.*,
         s.category = 'office' AND coalesce(s.subtype NOT IN ('rest_room', 'private_toilet'), true)
           AS is_office,
         s.category = 'service' AND s.subtype = 'meeting' AS is_meeting,
         CASE WHEN s.organisation_id = CAST(:organisation_id AS integer) THEN 1
              WHEN s.organisation_id IN (SELECT id FROM system_body) THEN 2
              ELSE 3 END AS tier
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
tiered AS (
  SELECT p.*, t.tier AS unit_tier
  FROM pool p JOIN generate_series(1, 3) AS t(tier) ON p.tier <= t.tier
),
unit AS (
  SELECT 'floor' AS unit, floor_id AS unit_id, building_id, unit_tier AS tier,
         count(*) FILTER (WHERE is_office) AS offices,
         count(*) FILTER (WHERE is_meeting) AS meetings,
         coalesce(sum(usable_area_m2) FILTER (WHERE is_office OR is_meeting), 0) AS area_m2
  FROM tiered GROUP BY floor_id, building_id, unit_tier
  UNION ALL
  SELECT 'building', building_id, building_id, unit_tier,
         count(*) FILTER (WHERE is_office),
         count(*) FILTER (WHERE is_meeting),
         coalesce(sum(usable_area_m2) FILTER (WHERE is_office OR is_meeting), 0)
  FROM tiered GROUP BY building_id, unit_tier
),
fits AS (
  SELECT DISTINCT ON (u.unit, u.unit_id)
         u.*, b.code AS building_code, b.name AS building_name, b.safety_grade,
         ST_Distance(geography(ST_PointOnSurface(b.geom)), geography(o.geom)) AS distance_m
  FROM unit u
  JOIN building b ON b.id = u.building_id
  CROSS JOIN origin o
  WHERE u.offices >= CAST(:offices AS integer) AND u.meetings >= CAST(:meetings AS integer)
    AND u.area_m2 >= CAST(:area AS numeric)
    AND ST_DWithin(geography(b.geom), geography(o.geom), CAST(:max_distance_m AS float8))
  ORDER BY u.unit, u.unit_id, u.tier
),
candidate AS (
  SELECT f.* FROM fits f
  WHERE f.unit = 'floor'
     OR NOT EXISTS (SELECT 1 FROM fits g WHERE g.unit = 'floor' AND g.building_id = f.building_id
                    AND g.tier <= f.tier)
)
