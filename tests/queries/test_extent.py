"""The one extent query: estimated, exact, or none for a table too big to scan."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from gis_app.queries.extent import table_extent


def test_exact_estimated_and_capped_extents_of_the_parcels(sample_engine: Engine) -> None:
    with Session(sample_engine) as session:
        exact = session.execute(
            text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                "FROM (SELECT ST_Extent(geom) AS e FROM land_parcel) x"
            )
        ).one()
        assert table_extent(session, "land_parcel", estimate=False) == tuple(exact)
        assert table_extent(session, "land_parcel") == pytest.approx(tuple(exact), abs=1e-4)
        assert table_extent(session, "land_parcel", estimate=False, exact_below=0) is None


def test_only_registered_tables(sample_engine: Engine) -> None:
    with Session(sample_engine) as session, pytest.raises(ValueError, match="no extent"):
        table_extent(session, "organisation")
