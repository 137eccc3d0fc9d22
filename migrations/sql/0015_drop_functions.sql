-- Reverse of 0015_functions.sql: gis_rank_fits of 0011 again.
DROP FUNCTION gis_rank_fits(integer, text);
DROP FUNCTION gis_rank_allowed(text, text, text, text);
DROP FUNCTION gis_body_equivalence();
CREATE FUNCTION gis_rank_fits(org integer, rank_code text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH RECURSIVE up(id, parent_id, sub) AS (
    SELECT id, parent_id, sub_provincial FROM organisation WHERE id = org
    UNION ALL
    SELECT o.id, o.parent_id, o.sub_provincial FROM organisation o JOIN up ON o.id = up.parent_id
  )
  SELECT k.level = o.level
      OR ((SELECT bool_or(sub) FROM up)
          AND k.code IN ('provincial_deputy', 'provincial_dept_head', 'provincial_dept_deputy'))
  FROM organisation o, rank k WHERE o.id = org AND k.code = rank_code
$$;
