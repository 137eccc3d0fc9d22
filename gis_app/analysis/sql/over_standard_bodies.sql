-- Bodies against their quotas. Office rooms vs the office quota on the standard's basis, the
-- establishment (编制定员): each leader post filled counts at its rank's limit (职数 in post:
-- approved leader posts are not recorded) and the rest of the authorised staff number at the
-- body's non-leader limit; a body with no authorised number recorded falls back to the staff
-- in post ('in_post'), and says so. Service rooms vs the service allowance for the
-- authorised staff number of the body's level; equipment rooms vs the version's ratio ×
-- (office quota + service allowance). Toilets and boiled-water rooms are building common
-- space (scope.sql `common`): not a body's service room, unless :common_service, which
-- apportions each building's to the bodies by their share of its office area (公摊). A
-- service or equipment excess under a band not verified against a published rule
-- (service_room_band.verified) is reported but flags the body only with :unverified_bands.
-- Areas are the rooms assigned to the body inside the place filters. Bodies and staff are
-- those of :as_of.
, body AS (
  SELECT o.id, o.code, o.name, o.level, o.authorised_staff
  FROM organisation_at(CAST(:as_of AS date)) o
  WHERE (CAST(:body_id AS integer) IS NULL OR o.id IN (SELECT id FROM body_tree))
    AND (o.ended_on IS NULL OR o.ended_on > CAST(:as_of AS date))
),
quota AS (
  SELECT s.organisation_id, count(*) AS staff_count,
         count(*) FILTER (WHERE k.is_leader) AS leader_count,
         coalesce(sum(a.max_usable_m2) FILTER (WHERE k.is_leader), 0) AS leader_quota_m2,
         coalesce(sum(a.max_usable_m2), 0) AS in_post_quota_m2,
         count(*) FILTER (WHERE a.max_usable_m2 IS NULL) AS staff_without_limit
  FROM in_post s
  JOIN rank k ON k.code = s.rank_code
  LEFT JOIN office_area_standard a
    ON a.rank_code = s.rank_code AND a.standard_code = CAST(:standard AS text)
  GROUP BY s.organisation_id
),
basis AS (
  SELECT b.id, coalesce(q.staff_count, 0) AS staff_count,
         coalesce(q.leader_count, 0) AS leader_count,
         coalesce(q.staff_without_limit, 0) AS staff_without_limit,
         CASE WHEN b.authorised_staff > 0 THEN 'establishment' ELSE 'in_post' END AS quota_basis,
         greatest(b.authorised_staff - coalesce(q.leader_count, 0), 0) AS other_posts,
         o.max_usable_m2 AS other_limit_m2,
         CASE WHEN b.authorised_staff > 0
           THEN coalesce(q.leader_quota_m2, 0)
                + coalesce(o.max_usable_m2, 0)
                  * greatest(b.authorised_staff - coalesce(q.leader_count, 0), 0)
           ELSE coalesce(q.in_post_quota_m2, 0)
         END AS office_quota_m2
  FROM body b
  LEFT JOIN quota q ON q.organisation_id = b.id
  LEFT JOIN gis_body_equivalence() be ON be.organisation_id = b.id
  LEFT JOIN LATERAL (
    SELECT min(a.max_usable_m2) AS max_usable_m2
    FROM rank k JOIN office_area_standard a
      ON a.rank_code = k.code AND a.standard_code = CAST(:standard AS text)
    WHERE NOT k.is_leader AND gis_rank_allowed(b.level, be.equivalence, k.code, k.level)
  ) o ON true
),
building_office AS (
  SELECT organisation_id, building_id, sum(usable_area_m2) AS office_m2
  FROM scoped_room
  WHERE category = 'office' AND organisation_id IS NOT NULL AND CAST(:common_service AS boolean)
  GROUP BY organisation_id, building_id
),
-- each building's common service rooms shared by the bodies with offices in it, by their
-- share of its assigned office area (rooms of the building, not only those in scope)
apportioned AS (
  SELECT bo.organisation_id,
         round(sum(c.common_m2 * bo.office_m2 / nullif(c.office_m2, 0)), 2) AS common_m2
  FROM building_office bo
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(r.usable_area_m2) FILTER (
             WHERE r.category = 'service' AND r.subtype IN ('toilet', 'pantry')), 0) AS common_m2,
           sum(r.usable_area_m2) FILTER (
             WHERE r.category = 'office' AND r.organisation_id IS NOT NULL) AS office_m2
    FROM room_at(CAST(:as_of AS date)) r
    JOIN floor_at(CAST(:as_of AS date)) f ON f.id = r.floor_id
    WHERE f.building_id = bo.building_id
  ) c
  GROUP BY bo.organisation_id
),
used AS (
  SELECT organisation_id,
         coalesce(sum(usable_area_m2) FILTER (WHERE category = 'office'), 0) AS office_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE category = 'service' AND NOT common), 0)
           AS service_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE category = 'equipment'), 0) AS equipment_m2
  FROM scoped_room WHERE organisation_id IS NOT NULL
  GROUP BY organisation_id
),
allowance AS (
  SELECT b.*, q.staff_count, q.leader_count, q.other_posts, q.other_limit_m2, q.quota_basis,
         q.office_quota_m2, q.staff_without_limit,
         coalesce(band.rate, 0) AS service_rate_m2,
         round(coalesce(band.rate, 0) * b.authorised_staff, 2) AS service_allowance_m2,
         coalesce(band.verified, false) AS service_rule_verified,
         v.equipment_max_ratio,
         coalesce(u.office_m2, 0) AS office_m2,
         coalesce(u.service_m2, 0) + coalesce(ap.common_m2, 0) AS service_m2,
         coalesce(ap.common_m2, 0) AS common_service_m2,
         coalesce(u.equipment_m2, 0) AS equipment_m2
  FROM body b
  CROSS JOIN (SELECT equipment_max_ratio FROM standard_version
              WHERE code = CAST(:standard AS text)) v
  JOIN basis q ON q.id = b.id
  LEFT JOIN used u ON u.organisation_id = b.id
  LEFT JOIN apportioned ap ON ap.organisation_id = b.id
  LEFT JOIN LATERAL (
    SELECT sb.rate_intercept + sb.rate_slope * b.authorised_staff AS rate, sb.verified
    FROM service_room_band sb
    WHERE sb.standard_code = CAST(:standard AS text) AND sb.level = b.level
      AND b.authorised_staff > sb.staff_above
      AND (sb.staff_up_to IS NULL OR b.authorised_staff <= sb.staff_up_to)
  ) band ON true
),
excess AS (
  SELECT a.id AS organisation_id, a.code, a.name, a.level, a.authorised_staff, a.staff_count,
         a.leader_count, a.other_posts, a.other_limit_m2, a.quota_basis,
         a.staff_without_limit, a.service_rate_m2, a.service_rule_verified,
         a.office_m2, a.office_quota_m2, a.office_m2 - a.office_quota_m2 AS office_excess_m2,
         a.service_m2, a.common_service_m2, a.service_allowance_m2,
         a.service_m2 - a.service_allowance_m2 AS service_excess_m2,
         a.equipment_m2,
         round(a.equipment_max_ratio * (a.office_quota_m2 + a.service_allowance_m2), 2)
           AS equipment_allowance_m2,
         a.equipment_m2
           - round(a.equipment_max_ratio * (a.office_quota_m2 + a.service_allowance_m2), 2)
           AS equipment_excess_m2
  FROM allowance a
),
-- the flags every consumer shares (report, dashboard, map): over by more than :tolerance;
-- service and equipment only under a verified band unless :unverified_bands
body_result AS (
  SELECT e.*,
         e.office_excess_m2 > CAST(:tolerance AS numeric) AS office_over,
         e.service_excess_m2 > CAST(:tolerance AS numeric)
           AND (e.service_rule_verified OR CAST(:unverified_bands AS boolean)) AS service_over,
         e.equipment_excess_m2 > CAST(:tolerance AS numeric)
           AND (e.service_rule_verified OR CAST(:unverified_bands AS boolean)) AS equipment_over
  FROM excess e
)
