-- The equivalence note each body is under, if any: its own (organisation.equivalence), or,
-- for a municipal body of a sub-provincial city (the flag on it or a body above it), the
-- sub-provincial note. Run as the owner: the bodies above a caller's scope decide it too.
CREATE FUNCTION gis_body_equivalence() RETURNS TABLE (organisation_id integer, equivalence text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT o.id, coalesce(o.equivalence, 'sub_provincial_city')
  FROM organisation o
  WHERE o.equivalence IS NOT NULL
     OR (o.level = 'municipal' AND o.id IN (SELECT gis_sub_provincial_bodies()))
$$;
REVOKE EXECUTE ON FUNCTION gis_body_equivalence() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gis_body_equivalence() TO gis_web;

-- Whether a rank (of rank_level) may be held in a body of body_level under the note
-- (NULL: none): its own level's ranks, unless a note applies, which adds its ranks (and, for
-- dispatched bodies, replaces the own level's). One rule for the editing API
-- (gis_rank_fits) and the data-quality check.
CREATE FUNCTION gis_rank_allowed(body_level text, note text, rank_code text, rank_level text)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN note IS NULL THEN rank_level = body_level
    ELSE (rank_level = body_level
          AND (SELECT e.keeps_own_ranks FROM rank_equivalence e WHERE e.code = note))
         OR EXISTS (SELECT 1 FROM rank_equivalence_rank x
                    WHERE x.equivalence_code = note AND x.rank_code = gis_rank_allowed.rank_code)
  END
$$;

DROP FUNCTION gis_rank_fits(integer, text);
CREATE FUNCTION gis_rank_fits(org integer, rank_code text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT gis_rank_allowed(o.level, b.equivalence, k.code, k.level)
  FROM organisation o
  JOIN rank k ON k.code = rank_code
  LEFT JOIN gis_body_equivalence() b ON b.organisation_id = o.id
  WHERE o.id = org
$$;
