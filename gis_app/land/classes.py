"""Which land-use classes a search by class matches, in every scheme.

A search names codes of one scheme; a first-level code takes every class below it. A parcel
coded in that scheme matches directly. A parcel coded in another scheme matches through the
crosswalk (`landuse_link`, migration 0014) when its class is linked to one of the asked
classes: the linked class itself, and the classes below it when the link says the parcel's
side lies within the asked one (`same`, `narrower`). A `broader` or `partial` link matches
only parcels coded with exactly that class: its subclasses may well lie outside the search.
A search chooses the relations it crosses; by default not `partial` (新闻出版 is partly
商务金融: every business parcel would turn up in a search for public administration).

The matching is done on the class tables (a few hundred rows) into the CTE `landuse_match`;
parcels then join it on (scheme, code), which the parcel index answers.
"""

from __future__ import annotations

MATCH_CTE = "landuse_match"
_RANK = "CASE x.relation WHEN 'same' THEN 1 WHEN 'narrower' THEN 2 WHEN 'broader' THEN 3 ELSE 4 END"


def match_cte(s: str, c: str, relations: str | None) -> str:
    """`landuse_match(scheme, code, via, searched, linked, relation)`: every class matching
    the asked codes `c` (a bound text array) of scheme `s` (bound), each once, by its closest
    tie (direct, then same, narrower, broader, partial). `searched` is the asked scheme's
    class the match came from (the asked code itself for a direct match), `linked` the
    parcel-side class of the link. `relations` (a bound text array) are the links crossed;
    None: direct matches only."""
    asked = f"q.scheme = {s} AND q.ancestor = ANY(CAST({c} AS text[]))"
    direct = (
        "SELECT q.scheme, q.code, 'direct' AS via, q.ancestor AS searched, "
        "NULL::text AS linked, 'same' AS relation, 0 AS rank "
        f"FROM landuse_class_tree q WHERE {asked}"
    )
    through = (
        f" UNION ALL SELECT k.scheme, k.code, 'crosswalk', x.from_code, x.to_code, x.relation, "
        f"{_RANK} FROM landuse_class_tree q "
        "JOIN landuse_link x ON x.from_scheme = q.scheme AND x.from_code = q.code "
        "JOIN landuse_class_tree k ON k.scheme = x.to_scheme AND k.ancestor = x.to_code "
        "AND (k.code = x.to_code OR x.relation IN ('same', 'narrower')) "
        f"WHERE {asked} AND x.to_scheme <> {s} AND x.relation = ANY(CAST({relations} AS text[]))"
    )
    return (
        f"{MATCH_CTE} AS MATERIALIZED (SELECT DISTINCT ON (m.scheme, m.code) m.scheme, m.code, "
        f"m.via, m.searched, m.linked, m.relation FROM ({direct}{through if relations else ''}) m "
        "ORDER BY m.scheme, m.code, m.rank, m.searched, m.linked)"
    )


MATCHES = f"(p.landuse_scheme, p.landuse_code) IN (SELECT m.scheme, m.code FROM {MATCH_CTE} m)"
"""The parcel `p` is of a matching class."""


def match_column(s: str) -> str:
    """How the parcel `p` matched the search in scheme `s` (bound): directly or through the
    crosswalk, from which asked-scheme class, by which class of its own scheme, and how
    close (NULL: it did not match)."""
    return (
        f"(SELECT jsonb_build_object('via', m.via, 'scheme', {s}, 'code', m.searched, "
        "'crosswalk_code', m.linked, 'relation', m.relation) "
        f"FROM {MATCH_CTE} m WHERE m.scheme = p.landuse_scheme AND m.code = p.landuse_code)"
    )
