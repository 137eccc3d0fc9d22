-- Bodies against their quotas: office rooms vs Σ staff limits by rank; service rooms vs the
-- service allowance for the authorised staff number (编制数) of the body's level; equipment
-- rooms vs the version's ratio × (office quota + service allowance). Areas are the rooms
-- assigned to the body inside the place filters.
, body AS (
  SELECT o.id, o.code, o.name, o.level, o.authorised_staff FROM organisation o
  WHERE CAST(:body_id AS integer) IS NULL OR o.id IN (SELECT id FROM body_tree)
),
quota AS (
  SELECT s.organisation_id, count(*) AS staff_count,
         coalesce(sum(a.max_usable_m2), 0) AS office_quota_m2,
         count(*) FILTER (WHERE a.max_usable_m2 IS NULL) AS staff_without_limit
  FROM staff_at(CAST(:as_of AS date)) s
  LEFT JOIN office_area_standard a
    ON a.rank_code = s.rank_code AND a.standard_code = CAST(:standard AS text)
  WHERE s.left_on IS NULL OR s.left_on > CAST(:as_of AS date)
  GROUP BY s.organisation_id
),
used AS (
  SELECT organisation_id,
         coalesce(sum(usable_area_m2) FILTER (WHERE category = 'office'), 0) AS office_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE category = 'service'), 0) AS service_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE category = 'equipment'), 0) AS equipment_m2
  FROM scoped_room WHERE organisation_id IS NOT NULL
  GROUP BY organisation_id
),
allowance AS (
  SELECT b.*, coalesce(q.staff_count, 0) AS staff_count,
         coalesce(q.office_quota_m2, 0) AS office_quota_m2,
         coalesce(q.staff_without_limit, 0) AS staff_without_limit,
         coalesce(band.rate, 0) AS service_rate_m2,
         round(coalesce(band.rate, 0) * b.authorised_staff, 2) AS service_allowance_m2,
         band.verified AS service_rule_verified,
         v.equipment_max_ratio,
         coalesce(u.office_m2, 0) AS office_m2,
         coalesce(u.service_m2, 0) AS service_m2,
         coalesce(u.equipment_m2, 0) AS equipment_m2
  FROM body b
  CROSS JOIN (SELECT equipment_max_ratio FROM standard_version
              WHERE code = CAST(:standard AS text)) v
  LEFT JOIN quota q ON q.organisation_id = b.id
  LEFT JOIN used u ON u.organisation_id = b.id
  LEFT JOIN LATERAL (
    SELECT sb.rate_intercept + sb.rate_slope * b.authorised_staff AS rate, sb.verified
    FROM service_room_band sb
    WHERE sb.standard_code = CAST(:standard AS text) AND sb.level = b.level
      AND b.authorised_staff > sb.staff_above
      AND (sb.staff_up_to IS NULL OR b.authorised_staff <= sb.staff_up_to)
  ) band ON true
),
body_result AS (
  SELECT a.id AS organisation_id, a.code, a.name, a.level, a.authorised_staff, a.staff_count,
         a.staff_without_limit, a.service_rate_m2, a.service_rule_verified,
         a.office_m2, a.office_quota_m2, a.office_m2 - a.office_quota_m2 AS office_excess_m2,
         a.service_m2, a.service_allowance_m2,
         a.service_m2 - a.service_allowance_m2 AS service_excess_m2,
         a.equipment_m2,
         round(a.equipment_max_ratio * (a.office_quota_m2 + a.service_allowance_m2), 2)
           AS equipment_allowance_m2,
         a.equipment_m2
           - round(a.equipment_max_ratio * (a.office_quota_m2 + a.service_allowance_m2), 2)
           AS equipment_excess_m2
  FROM allowance a
)
