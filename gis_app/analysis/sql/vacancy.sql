-- Vacancy. A room counts for vacancy when it can be allocated (office or service room; a
-- leader's rest room or private toilet belongs to its office and never counts on its own;
-- toilets and boiled-water rooms are building common space, never allocatable).
-- It is vacant when nobody sits in it on :as_of, it is not under renovation or leased out,
-- and no body uses it: unassigned, or assigned but marked vacant in the ledger. An office
-- assigned to a body with nobody in it while the ledger says in use is "unoccupied" for
-- that body (its idle space within its allocation), not part of the vacant pool.
-- `occupied`: someone in post (scope.sql's current_occupant test) sits there on :as_of; it
-- is only asked of office and service rooms, once per room (OFFSET 0 keeps the
-- planner from copying the EXISTS into each expression that reads it).
, room_state AS (
  SELECT r.*,
         r.countable AS allocatable,
         r.countable AND NOT r.occupied
           AND r.status NOT IN ('renovation', 'leased_out')
           AND (r.organisation_id IS NULL OR r.status = 'vacant') AS vacant,
         r.countable AND r.category = 'office' AND r.organisation_id IS NOT NULL
           AND NOT r.occupied AND r.status NOT IN ('renovation', 'leased_out') AS unoccupied
  FROM (
    SELECT s.*, s.category IN ('office', 'service') AND NOT s.common
             AND coalesce(s.subtype NOT IN ('rest_room', 'private_toilet'), true) AS countable,
           s.category IN ('office', 'service') AND EXISTS (
      SELECT 1 FROM current_occupant c WHERE c.room_id = s.id
    ) AS occupied
    FROM scoped_room s
    OFFSET 0
  ) r
)
