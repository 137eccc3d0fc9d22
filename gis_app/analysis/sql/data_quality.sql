-- Ledger against reality (账实相符). One row per finding:
-- (check, entity, entity_id, room_id, floor_id, building_id, organisation_id, details, geom).
-- :area_threshold is a fraction (0.10 = 10 %); :sliver_m2 the smallest area reported.
, occupied AS (SELECT DISTINCT c.room_id FROM current_occupant c
             WHERE c.room_id IN (SELECT id FROM scoped_room)),
finding AS (
  SELECT 'area_mismatch' AS check_code, 'room' AS entity, r.id AS entity_id, r.id AS room_id,
         r.floor_id, r.building_id, r.organisation_id,
         jsonb_build_object(
           'room_number', r.number, 'recorded_m2', r.usable_area_m2,
           'drawn_m2', round(ST_Area(g.local_geom)::numeric, 2),
           'difference_ratio',
           round((r.usable_area_m2 / ST_Area(g.local_geom)::numeric) - 1, 4)) AS details,
         r.geom
  FROM scoped_room r JOIN room g ON g.id = r.id
  WHERE ST_Area(g.local_geom) > 0
    AND abs(r.usable_area_m2 / ST_Area(g.local_geom)::numeric - 1) > CAST(:area_threshold AS numeric)
  UNION ALL
  SELECT 'room_outside_floor', 'room', r.id, r.id, r.floor_id, r.building_id, r.organisation_id,
         jsonb_build_object('room_number', r.number, 'outside_m2',
           round(ST_Area(geography(ST_Difference(r.geom, f.geom)))::numeric, 2)),
         r.geom
  FROM scoped_room r JOIN floor f ON f.id = r.floor_id
  WHERE NOT ST_CoveredBy(r.geom, f.geom)
    AND ST_Area(geography(ST_Difference(r.geom, f.geom))) > CAST(:sliver_m2 AS float8)
  UNION ALL
  SELECT 'overlapping_rooms', 'room', a.id, a.id, a.floor_id, a.building_id, a.organisation_id,
         jsonb_build_object('room_number', a.number, 'other_room_id', b.id,
           'other_room_number', b.number,
           'overlap_m2', round(ST_Area(ST_Intersection(ga.local_geom, gb.local_geom))::numeric, 2)),
         a.geom
  FROM scoped_room a
  JOIN room ga ON ga.id = a.id
  -- Every floor is drawn from (0, 0): the local_geom index would match rooms of every
  -- building, so rooms are paired by floor first and their boxes compared after.
  JOIN room gb ON gb.floor_id = a.floor_id AND gb.id > a.id
    AND ST_Envelope(gb.local_geom) && ST_Envelope(ga.local_geom)
  JOIN scoped_room b ON b.id = gb.id
  WHERE ST_Area(ST_Intersection(ga.local_geom, gb.local_geom)) > CAST(:sliver_m2 AS float8)
  UNION ALL
  SELECT 'floor_outside_building', 'floor', f.id, NULL, f.id, f.building_id, NULL,
         jsonb_build_object('floor_name', f.name, 'outside_m2',
           round(ST_Area(geography(ST_Difference(f.geom, b.geom)))::numeric, 2)),
         f.geom
  FROM floor f JOIN building b ON b.id = f.building_id
  WHERE f.id IN (SELECT DISTINCT floor_id FROM scoped_room)
    AND NOT ST_CoveredBy(f.geom, b.geom)
    AND ST_Area(geography(ST_Difference(f.geom, b.geom))) > CAST(:sliver_m2 AS float8)
  UNION ALL
  SELECT 'staff_in_two_offices', 'staff', c.staff_id, NULL, NULL, NULL, c.staff_body_id,
         jsonb_build_object('rank', min(c.rank_code),
           'room_ids', jsonb_agg(c.room_id ORDER BY c.room_id)),
         NULL
  FROM current_occupant c JOIN scoped_room r ON r.id = c.room_id AND r.category = 'office'
    AND coalesce(r.subtype NOT IN ('rest_room', 'private_toilet'), true)
  GROUP BY c.staff_id, c.staff_body_id
  HAVING count(*) > 1
  UNION ALL
  SELECT 'staff_over_establishment', 'organisation', o.id, NULL, NULL, NULL, o.id,
         jsonb_build_object('name', o.name, 'authorised_staff', o.authorised_staff,
           'staff', count(s.id)),
         NULL
  FROM organisation o JOIN staff s ON s.organisation_id = o.id
  WHERE CAST(:body_id AS integer) IS NULL OR o.id IN (SELECT id FROM body_tree)
  GROUP BY o.id
  HAVING count(s.id) > o.authorised_staff
  UNION ALL
  SELECT CASE WHEN o.room_id IS NULL THEN 'in_use_but_empty' ELSE 'vacant_but_occupied' END,
         'room', r.id, r.id, r.floor_id, r.building_id, r.organisation_id,
         jsonb_build_object('room_number', r.number, 'status', r.status),
         r.geom
  FROM scoped_room r LEFT JOIN occupied o ON o.room_id = r.id
  WHERE r.category = 'office'
    AND ((r.status = 'in_use' AND o.room_id IS NULL AND r.organisation_id IS NOT NULL)
      OR (r.status = 'vacant' AND o.room_id IS NOT NULL))
)
