"""Finding things by what people call them: buildings by name, code or address, bodies by
name or code (located at the buildings they use), campuses by name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

SEARCH_SQL = """
WITH q AS (SELECT '%' || :term || '%' AS pattern)
(SELECT 'building' AS kind, b.id, b.name, coalesce(b.address, b.code) AS detail,
        ST_X(ST_PointOnSurface(b.geom)) AS lon, ST_Y(ST_PointOnSurface(b.geom)) AS lat,
        ARRAY[b.id] AS building_ids
 FROM building b, q
 WHERE b.name ILIKE q.pattern OR b.code ILIKE q.pattern OR b.address ILIKE q.pattern
 ORDER BY length(b.name), b.id LIMIT :limit)
UNION ALL
(SELECT 'body', o.id, o.name, o.code, ST_X(c), ST_Y(c), ids
 FROM organisation o CROSS JOIN q
 CROSS JOIN LATERAL (
   SELECT array_agg(DISTINCT f.building_id ORDER BY f.building_id) AS ids,
          ST_PointOnSurface(ST_Collect(DISTINCT bb.geom)) AS c
   FROM room r JOIN floor f ON f.id = r.floor_id JOIN building bb ON bb.id = f.building_id
   WHERE r.organisation_id = o.id) used
 WHERE o.name ILIKE q.pattern OR o.code ILIKE q.pattern
 ORDER BY length(o.name), o.id LIMIT :limit)
UNION ALL
(SELECT 'campus', c.id, c.name, c.code, ST_X(ST_PointOnSurface(c.geom)),
        ST_Y(ST_PointOnSurface(c.geom)), ARRAY(SELECT b.id FROM building b WHERE b.campus_id = c.id)
 FROM campus c, q
 WHERE c.name ILIKE q.pattern OR c.code ILIKE q.pattern
 ORDER BY length(c.name), c.id LIMIT :limit)
"""


def search(session: Session, term: str, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` matches of each kind, shortest names first (the closest matches)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = session.execute(text(SEARCH_SQL), {"term": escaped, "limit": limit}).mappings()
    return [dict(r) for r in rows]
