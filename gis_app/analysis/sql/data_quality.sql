-- Ledger against reality (账实相符). One row per finding:
-- (check, entity, entity_id, room_id, floor_id, building_id, organisation_id, details, geom).
-- :area_threshold is a fraction (0.10 = 10 %); :sliver_m2 the smallest area reported.
-- Staff counted are those in post on :as_of (scope.sql's in_post). Follows scope.sql and
-- safety.sql (safety_building).
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
  FROM organisation o JOIN in_post s ON s.organisation_id = o.id
  WHERE (CAST(:body_id AS integer) IS NULL OR o.id IN (SELECT id FROM body_tree))
  GROUP BY o.id
  HAVING count(s.id) > o.authorised_staff
  UNION ALL
  -- 2014 standard: usable ÷ building area at least 65 % (multi-storey), 60 % (high-rise:
  -- above 24 m, GB 50352; height unknown: more than 7 floors above ground, ~3.3 m each)
  SELECT 'usable_coefficient_low', 'building', b.id, NULL, NULL, b.id, b.title_holder_id,
         jsonb_build_object('name', b.name, 'coefficient', b.usable_coefficient,
           'minimum', k.minimum, 'high_rise', k.high_rise),
         b.geom
  FROM building_at(CAST(:as_of AS date)) b
  CROSS JOIN LATERAL (
    SELECT coalesce(b.height_m > 24, b.floors_above > 7) AS high_rise
  ) h
  CROSS JOIN LATERAL (
    SELECT h.high_rise, CASE WHEN h.high_rise THEN 0.60 ELSE 0.65 END AS minimum
  ) k
  WHERE b.id IN (SELECT DISTINCT building_id FROM scoped_room)
    AND b.usable_coefficient < k.minimum
  UNION ALL
  -- A rank must be of its body's level, or one its equivalence note allows (rank_equivalence:
  -- a sub-provincial city's municipal bodies, vice-ministerial units, dispatched bodies). The
  -- editing API refuses others; this finds those given before, or loaded.
  SELECT 'rank_outside_level', 'staff', s.id, NULL, NULL, NULL, s.organisation_id,
         jsonb_build_object('name', o.name, 'rank', s.rank_code, 'rank_level', k.level,
           'level', o.level, 'equivalence', be.equivalence),
         NULL
  FROM in_post s
  JOIN organisation o ON o.id = s.organisation_id
  JOIN rank k ON k.code = s.rank_code
  LEFT JOIN gis_body_equivalence() be ON be.organisation_id = o.id
  WHERE (CAST(:body_id AS integer) IS NULL OR o.id IN (SELECT id FROM body_tree))
    AND NOT gis_rank_allowed(o.level, be.equivalence, k.code, k.level)
  UNION ALL
  -- A private toilet (an office room of subtype private_toilet) only for the ranks that may
  -- have one (rank.private_toilet) and of at most the standard's size (6 m², 2014): its
  -- people are its own occupants and those of the office it serves (room.serves_room_id).
  SELECT 'private_toilet_not_allowed', 'room', t.id, t.id, t.floor_id, t.building_id,
         t.organisation_id,
         jsonb_build_object('room_number', t.number, 'area_m2', t.usable_area_m2,
           'max_m2', v.leader_toilet_max_m2, 'office_room_id', t.serves_room_id,
           'office_number', (SELECT x.number FROM scoped_room x WHERE x.id = t.serves_room_id),
           'entitled', e.entitled, 'too_large', t.usable_area_m2 > v.leader_toilet_max_m2),
         t.geom
  FROM scoped_room t
  JOIN standard_version v ON v.code = CAST(:standard AS text)
  CROSS JOIN LATERAL (
    SELECT coalesce(bool_or(k.private_toilet), false) AS entitled
    FROM current_occupant c JOIN rank k ON k.code = c.rank_code
    WHERE c.room_id = t.id OR c.room_id = t.serves_room_id
  ) e
  WHERE t.category = 'office' AND t.subtype = 'private_toilet'
    AND (t.usable_area_m2 > v.leader_toilet_max_m2 OR NOT e.entitled)
  UNION ALL
  -- JGJ 125-2016 (sql/safety.sql): people still working in a D building (整幢危房: not to be
  -- used, move them now: an error) or a C building (局部危房: use restricted, strengthen or
  -- move: a warning); GET /api/v1/buildings/{id}/relocation offers the idle space.
  SELECT 'occupied_dangerous_building', 'building', s.building_id, NULL, NULL, s.building_id,
         s.title_holder_id,
         jsonb_build_object('name', s.name, 'grade', s.safety_grade,
           'severity', CASE s.safety_grade WHEN 'D' THEN 'error' ELSE 'warning' END,
           'people', s.people, 'rooms', s.rooms, 'area_m2', s.area_m2,
           'bodies', (SELECT coalesce(jsonb_agg(x->>'name'), '[]')
                      FROM jsonb_array_elements(s.bodies) x),
           'by_body', s.bodies),
         s.geom
  FROM safety_building s
  WHERE s.safety_grade IN ('C', 'D') AND s.people > 0
  UNION ALL
  -- A safety appraisal older than :appraisal_years on :as_of is overdue.
  SELECT 'appraisal_overdue', 'building', s.building_id, NULL, NULL, s.building_id,
         s.title_holder_id,
         jsonb_build_object('name', s.name, 'appraised_on', s.safety_appraised_on,
           'years', CAST(:appraisal_years AS integer), 'grade', s.safety_grade),
         s.geom
  FROM safety_building s
  WHERE s.appraisal_overdue
  UNION ALL
  SELECT CASE WHEN o.room_id IS NULL THEN 'in_use_but_empty' ELSE 'vacant_but_occupied' END,
         'room', r.id, r.id, r.floor_id, r.building_id, r.organisation_id,
         jsonb_build_object('room_number', r.number, 'status', r.status),
         r.geom
  FROM scoped_room r LEFT JOIN occupied o ON o.room_id = r.id
  WHERE r.category = 'office'
    AND ((r.status = 'in_use' AND o.room_id IS NULL AND r.organisation_id IS NOT NULL)
      OR (r.status = 'vacant' AND o.room_id IS NOT NULL))
  UNION ALL
  -- A room leased out (出租) needs an approval. Its number is the 文号 of the edit that set
  -- the room leased out (audit_log.document_no); a room leased out with none — loaded so,
  -- or set without a 文号 — is found.
  SELECT 'leased_out_without_approval', 'room', r.id, r.id, r.floor_id, r.building_id,
         r.organisation_id,
         jsonb_build_object('room_number', r.number, 'building', r.building_name,
           'area_m2', r.usable_area_m2),
         r.geom
  FROM scoped_room r
  WHERE r.status = 'leased_out'
    AND NOT coalesce((
      SELECT nullif(btrim(a.document_no), '') IS NOT NULL FROM audit_log a
      WHERE a.table_name = 'room' AND a.row_key = CAST(r.id AS text)
        AND a.after ->> 'status' = 'leased_out'
        AND (a.before IS NULL OR a.before ->> 'status' IS DISTINCT FROM 'leased_out')
      ORDER BY a.id DESC LIMIT 1), false)
)
