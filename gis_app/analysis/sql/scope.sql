-- Shared opening of every office-space analysis: the parameters and the rooms in scope.
-- :body_id limits to a body and its whole subtree; :campus_id, :building_id, :floor_id to
-- a place; :bbox_west.. :bbox_north (CGCS2000 lon/lat) to buildings whose footprint meets
-- that box, through the building GIST index, so a map tile computes only its buildings
-- (NULL = no limit); :district to buildings in that 行政区. Every analysis appends its own
-- CTEs and final SELECT. `common`: toilets and boiled-water rooms, building common space
-- (公共部位) shared by whoever works there: never allocatable or vacant, and not a body's
-- service room (README, "Service rooms").
-- building_district: a building's 行政区 is the district of the land parcel under a point
-- of its footprint (ST_PointOnSurface; the lowest parcel id where parcels overlap). Only the
-- statements that name a district or show it compute it.
-- current_occupant: who sits where on :as_of, with the limit of their rank; consumers join
-- it to scoped_room. Both are inlined (NOT MATERIALIZED) so that the planner sees real row
-- counts and can push a building or floor filter down to the indexes. Rooms, floors,
-- buildings and staff are those of :as_of (<table>_at, migration 0010: the current rows,
-- plus past versions when :as_of is before a change).
WITH RECURSIVE
body_tree(id) AS (
  SELECT id FROM organisation WHERE id = CAST(:body_id AS integer)
  UNION ALL
  SELECT o.id FROM organisation o JOIN body_tree t ON o.parent_id = t.id
),
building_district AS NOT MATERIALIZED (
  SELECT b.id AS building_id,
         (SELECT p.district FROM land_parcel p
          WHERE ST_Intersects(p.geom, ST_PointOnSurface(b.geom))
          ORDER BY p.id LIMIT 1) AS district
  FROM building_at(CAST(:as_of AS date)) b
),
scoped_room AS NOT MATERIALIZED (
  SELECT r.id, r.number, r.category, r.subtype, r.usable_area_m2, r.organisation_id,
         r.status, r.floor_id, f.name AS floor_name, f.building_id, b.name AS building_name,
         b.campus_id, b.safety_grade, r.serves_room_id, r.geom,
         r.category = 'service' AND coalesce(r.subtype IN ('toilet', 'pantry'), false) AS common
  FROM room_at(CAST(:as_of AS date)) r
  JOIN floor_at(CAST(:as_of AS date)) f ON f.id = r.floor_id
  JOIN building_at(CAST(:as_of AS date)) b ON b.id = f.building_id
  WHERE (CAST(:floor_id AS integer) IS NULL OR r.floor_id = CAST(:floor_id AS integer))
    AND (CAST(:building_id AS integer) IS NULL OR f.building_id = CAST(:building_id AS integer))
    AND (CAST(:campus_id AS integer) IS NULL OR b.campus_id = CAST(:campus_id AS integer))
    AND (CAST(:body_id AS integer) IS NULL OR r.organisation_id IN (SELECT id FROM body_tree))
    AND (CAST(:district AS text) IS NULL OR f.building_id IN (
      SELECT building_id FROM building_district WHERE district = CAST(:district AS text)))
    AND (CAST(:bbox_west AS float8) IS NULL OR b.geom && ST_MakeEnvelope(
      CAST(:bbox_west AS float8), CAST(:bbox_south AS float8),
      CAST(:bbox_east AS float8), CAST(:bbox_north AS float8), 4490))
),
-- in_post: the staff in post on :as_of (started by then, not yet left): the one test the
-- office quota, the headcounts, the rank checks and who sits where all use.
in_post AS NOT MATERIALIZED (
  SELECT s.id, s.organisation_id, s.rank_code, s.started_on, s.left_on
  FROM staff_at(CAST(:as_of AS date)) s
  WHERE (s.left_on IS NULL OR s.left_on > CAST(:as_of AS date))
    AND (s.started_on IS NULL OR s.started_on <= CAST(:as_of AS date))
),
current_occupant AS NOT MATERIALIZED (
  SELECT o.room_id, o.staff_id, s.organisation_id AS staff_body_id, s.rank_code,
         k.name_zh AS rank_name_zh, k.name_en AS rank_name_en, a.max_usable_m2 AS limit_m2
  FROM room_occupancy o
  -- people in post only: one who has left sits nowhere, even where a loaded stay was never
  -- closed
  JOIN in_post s ON s.id = o.staff_id
  JOIN rank k ON k.code = s.rank_code
  LEFT JOIN office_area_standard a
    ON a.rank_code = s.rank_code AND a.standard_code = CAST(:standard AS text)
  WHERE o.valid_from <= CAST(:as_of AS date)
    AND (o.valid_to IS NULL OR o.valid_to > CAST(:as_of AS date))
)
