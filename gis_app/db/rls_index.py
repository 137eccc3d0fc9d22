"""PostGIS's `&&` (geometry_overlaps) marked LEAKPROOF, so row-level security lets the
spatial index be used (migration 0007 says why). It is an attribute of an extension's
function: neither pg_dump nor `ALTER EXTENSION postgis UPDATE` keeps it, so a restore sets
it again with the same statement."""

from __future__ import annotations

_TEMPLATE = """
        DO $$
        BEGIN
          IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            ALTER FUNCTION geometry_overlaps(geometry, geometry) ATTRIBUTE;
          ELSE
            RAISE WARNING 'not a superuser: geometry_overlaps(geometry, geometry) stays as it is; '
              'row-level security keeps the spatial index from being used until a superuser '
              'runs ALTER FUNCTION geometry_overlaps(geometry, geometry) ATTRIBUTE';
          END IF;
        END
        $$
        """


def leakproof_statement(attribute: str = "LEAKPROOF") -> str:
    """SQL that sets `attribute` (LEAKPROOF or NOT LEAKPROOF) when run by a superuser and
    otherwise warns how to do it (the app then works, slowly)."""
    if attribute not in ("LEAKPROOF", "NOT LEAKPROOF"):
        raise ValueError(attribute)
    return _TEMPLATE.replace("ATTRIBUTE", attribute)
