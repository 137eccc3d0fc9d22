-- Office rooms against the summed limits of their current occupants (2014 standard).
-- A leader's rest room or private toilet (office rooms of subtype rest_room / private_toilet)
-- counts inside the limit: its area is added to the main office of the same occupant.
, office_occupant AS (
  SELECT c.*, coalesce(r.subtype IN ('rest_room', 'private_toilet'), false) AS is_attachment
  FROM current_occupant c JOIN scoped_room r ON r.id = c.room_id AND r.category = 'office'
),
main_office AS (
  SELECT room_id,
         count(*) AS occupant_count,
         sum(limit_m2) AS limit_m2,
         count(*) FILTER (WHERE limit_m2 IS NULL) AS occupants_without_limit,
         jsonb_agg(jsonb_build_object(
           'staff_id', staff_id, 'rank', rank_code, 'rank_zh', rank_name_zh,
           'rank_en', rank_name_en, 'limit_m2', limit_m2) ORDER BY limit_m2 DESC, staff_id
         ) AS occupants
  FROM office_occupant WHERE NOT is_attachment
  GROUP BY room_id
),
attachment AS (
  SELECT DISTINCT m.room_id AS main_id, a.room_id AS attachment_id
  FROM office_occupant m
  JOIN office_occupant a ON a.staff_id = m.staff_id AND a.is_attachment
  WHERE NOT m.is_attachment
),
attached AS (
  SELECT t.main_id, sum(r.usable_area_m2) AS area_m2,
         array_agg(t.attachment_id ORDER BY t.attachment_id) AS room_ids
  FROM attachment t JOIN room r ON r.id = t.attachment_id
  GROUP BY t.main_id
),
room_result AS (
  SELECT r.id AS room_id, r.number AS room_number, r.floor_id, r.floor_name,
         r.building_id, r.building_name, r.campus_id, r.organisation_id,
         r.usable_area_m2,
         coalesce(t.area_m2, 0) AS attached_area_m2,
         coalesce(t.room_ids, '{}') AS attached_room_ids,
         r.usable_area_m2 + coalesce(t.area_m2, 0) AS counted_area_m2,
         m.occupant_count, m.occupants, m.occupants_without_limit,
         m.limit_m2,
         r.usable_area_m2 + coalesce(t.area_m2, 0) - m.limit_m2 AS excess_m2,
         (r.usable_area_m2 + coalesce(t.area_m2, 0) - m.limit_m2) > CAST(:tolerance AS numeric)
           AS over_standard,
         r.geom
  FROM main_office m
  JOIN scoped_room r ON r.id = m.room_id
  LEFT JOIN attached t ON t.main_id = m.room_id
)
