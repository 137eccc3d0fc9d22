-- Office rooms against the summed limits of their current occupants (2014 standard).
-- A leader's rest room or private toilet (office rooms of subtype rest_room / private_toilet)
-- counts inside the limit: its area is added to the main office of the same occupant.
, main_office AS (
  SELECT c.room_id,
         count(*) AS occupant_count,
         sum(c.limit_m2) AS limit_m2,
         count(*) FILTER (WHERE c.limit_m2 IS NULL) AS occupants_without_limit
  FROM current_occupant c JOIN scoped_room r ON r.id = c.room_id
  WHERE r.category = 'office'
    AND (r.subtype IS NULL OR r.subtype NOT IN ('rest_room', 'private_toilet'))
  GROUP BY c.room_id
),
-- Starts from the (few) rest rooms and toilets, so the planner can reach their occupants'
-- main offices through the occupancy indexes instead of joining all occupants twice. A main
-- office outside the scope drops out where room_result joins main_office.
attachment AS (
  SELECT DISTINCT m.room_id AS main_id, a.room_id AS attachment_id
  FROM scoped_room ar
  JOIN room_occupancy a ON a.room_id = ar.id
   AND a.valid_from <= CAST(:as_of AS date)
   AND (a.valid_to IS NULL OR a.valid_to > CAST(:as_of AS date))
  JOIN room_occupancy m ON m.staff_id = a.staff_id
   AND m.valid_from <= CAST(:as_of AS date)
   AND (m.valid_to IS NULL OR m.valid_to > CAST(:as_of AS date))
  JOIN room_at(CAST(:as_of AS date)) mr ON mr.id = m.room_id AND mr.category = 'office'
   AND (mr.subtype IS NULL OR mr.subtype NOT IN ('rest_room', 'private_toilet'))
  WHERE ar.category = 'office' AND ar.subtype IN ('rest_room', 'private_toilet')
    AND ar.serves_room_id IS NULL
  UNION
  -- or linked to its office explicitly (room.serves_room_id), whoever sits in it
  SELECT ar.serves_room_id, ar.id FROM scoped_room ar
  WHERE ar.serves_room_id IS NOT NULL AND ar.category = 'office'
),
attached AS (
  SELECT t.main_id, sum(r.usable_area_m2) AS area_m2,
         array_agg(t.attachment_id ORDER BY t.attachment_id) AS room_ids
  FROM attachment t JOIN room_at(CAST(:as_of AS date)) r ON r.id = t.attachment_id
  GROUP BY t.main_id
),
room_result AS (
  SELECT r.id AS room_id, r.number AS room_number, r.floor_id, r.floor_name,
         r.building_id, r.building_name, r.campus_id, r.organisation_id,
         r.usable_area_m2,
         coalesce(t.area_m2, 0) AS attached_area_m2,
         coalesce(t.room_ids, '{}') AS attached_room_ids,
         r.usable_area_m2 + coalesce(t.area_m2, 0) AS counted_area_m2,
         m.occupant_count, m.occupants_without_limit,
         m.limit_m2,
         r.usable_area_m2 + coalesce(t.area_m2, 0) - m.limit_m2 AS excess_m2,
         (r.usable_area_m2 + coalesce(t.area_m2, 0) - m.limit_m2) > CAST(:tolerance AS numeric)
           AS over_standard,
         r.geom
  FROM main_office m
  JOIN scoped_room r ON r.id = m.room_id
  LEFT JOIN attached t ON t.main_id = m.room_id
)
