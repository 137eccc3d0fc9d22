"""`<table>_at(date)` is planned as an append of the table and its history (no subquery
read whole), so a join reaches the indexes: what keeps a floor plan fast at province size."""

from __future__ import annotations

from sqlalchemy import text


def test_room_at_joins_through_the_indexes(engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            conn.execute(
                text(
                    "EXPLAIN SELECT r.id FROM floor f "
                    "JOIN room_at(CURRENT_DATE) r ON r.floor_id = f.id "
                    "JOIN staff_at(CURRENT_DATE) s ON s.organisation_id = r.organisation_id "
                    "WHERE f.id = 1"
                )
            ).scalars()
        )
    assert "Subquery Scan" not in plan, plan
    assert "Index" in plan, plan
