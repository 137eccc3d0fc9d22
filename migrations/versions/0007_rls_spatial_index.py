"""Spatial indexes under row-level security: mark PostGIS's bounding-box overlap `&&`
(geometry_overlaps) LEAKPROOF.

Under a policy PostgreSQL evaluates the policy's condition before any condition of the
query that is not leakproof, so it may not use an index whose operator is not: with
migration 0005's policies every tile and items request of the app's role scanned the whole
building or room table (bench/rls_cost.py, scale 0.25, p50: rooms tile z17 of an admin
28 → 427 ms, buildings tile z14 of a unit_officer 30 → 1 985 ms, the building policy's
gis_building_used() run for each of the 25 000 buildings). With `&&` leakproof the GiST
index is used again and the policy is evaluated only on the rows in the box (17 and 23 ms).

`&&` compares two boxes and raises no error that depends on the values compared (mixed
SRIDs included), so it reveals nothing of a row beyond the box test itself; the app's users
cannot write SQL in any case. Only a superuser may change the attribute: run by an owner
that is not one, the migration warns and goes on (the app works, slowly);
a superuser can later run `ALTER FUNCTION geometry_overlaps(geometry, geometry) LEAKPROOF`.
`ALTER EXTENSION postgis UPDATE` and a dump and restore may reset it (PostGIS does not mark
it itself, trac #3676): `gis-app db upgrade` after either does not redo it, so run the ALTER
again (bench/rls_cost.py shows the difference).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

from alembic import op

from gis_app.db.rls_index import leakproof_statement

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _set(attribute: str) -> None:
    op.execute(leakproof_statement(attribute))


def upgrade() -> None:
    _set("LEAKPROOF")


def downgrade() -> None:
    _set("NOT LEAKPROOF")
