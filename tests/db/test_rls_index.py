"""Row-level security keeps the spatial indexes usable (migration 0007): PostGIS's `&&` is
leakproof, so under a policy the planner may still search a GiST index by box, and the
policy's condition is evaluated only on the rows in the box."""

from __future__ import annotations

import pytest
from sqlalchemy import text

BOX = "ST_MakeEnvelope(120.1, 30.2, 120.2, 30.3, 4490)"


def test_bbox_overlap_is_leakproof(engine) -> None:
    with engine.connect() as conn:
        leakproof = conn.scalar(
            text(
                "SELECT proleakproof FROM pg_proc "
                "WHERE oid = 'geometry_overlaps(geometry, geometry)'::regprocedure"
            )
        )
    assert leakproof is True


@pytest.mark.parametrize("table", ["room", "building"])
def test_a_scoped_box_query_of_the_app_role_uses_the_spatial_index(engine, table) -> None:
    with engine.connect() as conn, conn.begin():
        conn.execute(text("SET LOCAL ROLE gis_web"))
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        conn.execute(
            text(
                "SELECT set_config('gis_app.role', 'unit_officer', true),"
                " set_config('gis_app.scope', 'orgs', true),"
                " set_config('gis_app.orgs', '{1}', true)"
            )
        )
        plan = "\n".join(
            conn.execute(text(f"EXPLAIN SELECT id FROM {table} WHERE geom && {BOX}")).scalars()
        )
    assert f"Seq Scan on {table}" not in plan, plan
    assert f"idx_{table}_geom" in plan, plan
