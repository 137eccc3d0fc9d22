"""A small hand-built land world whose expected results are worked out in the tests.

Everything is laid out in EPSG:4549 metres (CGCS2000 Gauss-Krüger, central meridian 120°E)
around x = 500 000, y = 3 350 000 (on the central meridian, where the projection's scale is
1, so projected lengths equal ellipsoidal ones to about 1e-6) and stored in EPSG:4490.
Coordinates below are metres from that origin.

parcel  code (GB/T)  status   box (x0, y0, x1, y1)      notes
P1      0801         idle     (0, 0, 100, 100)          flat; 50 m from metro S1
P2      1201         idle     (300, 0, 500, 100)        slope 5.71°; 150 m from S1
P3      0101         idle     (0, 300, 100, 400)        inside basic farmland (10 000 m²)
P4      0801         reserved (300, 300, 400, 400)      half in the red line (5 000 m²)
P5      0801         in_use   (600, 0, 700, 100)
P6      0801         idle     (1000, 0, 1100, 100)      inside the flood zone; 850 m from S1

Road R1 (arterial) runs along y = −20 from x = −100 to 1200: 20 m from P1, P2, P5, P6 and
320 m from P3, P4. Stations: S1 metro at (150, 50), S2 bus at (800, 200). Office building
B1 at (0, 600, 50, 650). Zones: basic farmland (−50, 250, 150, 450), ecological red line
(350, 250, 450, 450), flood zone (950, −50, 1150, 150).

DEM (10 m cells over (−100, −100, 1200, 500)): z = 0 for x < 250, z = 0.1·(x − 250) beyond,
so its slope is 0° west of x ≈ 240 and atan(0.1) = 5.7106° east of x ≈ 260.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.db import migrate
from gis_app.db.engine import make_engine
from gis_app.raster.registry import RasterMeaning, register_raster

X0, Y0 = 500_000.0, 3_350_000.0
TO_CGCS = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)

PARCELS = {
    "P1": ("0801", "idle", (0, 0, 100, 100)),
    "P2": ("1201", "idle", (300, 0, 500, 100)),
    "P3": ("0101", "idle", (0, 300, 100, 400)),
    "P4": ("0801", "reserved", (300, 300, 400, 400)),
    "P5": ("0801", "in_use", (600, 0, 700, 100)),
    "P6": ("0801", "idle", (1000, 0, 1100, 100)),
}
ZONES = [
    ("basic_farmland", "基本农田一片", (-50, 250, 150, 450)),
    ("ecological_redline", "西山生态红线", (350, 250, 450, 450)),
    ("flood_zone", "东河洪泛区", (950, -50, 1150, 150)),
]
SLOPE = float(np.degrees(np.arctan(0.1)))


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Metres from the origin → CGCS2000 lon/lat."""
    return TO_CGCS.transform(X0 + x, Y0 + y)


def polygon_wkt(x0: float, y0: float, x1: float, y1: float, steps: int = 10) -> str:
    """A box in metres as a lon/lat polygon, edges densified (they curve slightly)."""
    ring = []
    for (ax, ay), (bx, by) in zip(
        [(x0, y0), (x1, y0), (x1, y1), (x0, y1)],
        [(x1, y0), (x1, y1), (x0, y1), (x0, y0)],
        strict=True,
    ):
        for k in range(steps):
            ring.append(lonlat(ax + (bx - ax) * k / steps, ay + (by - ay) * k / steps))
    ring.append(ring[0])
    return "POLYGON((" + ",".join(f"{lon:.10f} {lat:.10f}" for lon, lat in ring) + "))"


def point_wkt(x: float, y: float) -> str:
    lon, lat = lonlat(x, y)
    return f"POINT({lon:.10f} {lat:.10f})"


def write_dem(path: Path) -> Path:
    cell = 10.0
    width, height = 130, 60
    xs = -100 + (np.arange(width) + 0.5) * cell
    z = np.where(xs < 250, 0.0, 0.1 * (xs - 250)).astype("float32")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=width,
        height=height,
        count=1,
        dtype="float32",
        crs="EPSG:4549",
        transform=Affine(cell, 0, X0 - 100, 0, -cell, Y0 + 500),
        nodata=-9999.0,
    ) as dst:
        dst.write(np.tile(z, (height, 1)), 1)
    return path


@pytest.fixture(scope="session")
def land_world(
    new_database: Callable[..., str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """URL of the land world and the folder holding its registered rasters."""
    url = new_database()
    migrate.upgrade(url)
    folder = tmp_path_factory.mktemp("land")
    raster_dir = folder / "rasters"
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for n, (code, (landuse, status, box)) in enumerate(PARCELS.items(), start=1):
            area = (box[2] - box[0]) * (box[3] - box[1])
            session.execute(
                text(
                    "INSERT INTO land_parcel (id, parcel_code, landuse_scheme, landuse_code, "
                    "area_m2, ownership, status, district, geom) VALUES (:id, :code, "
                    "'GB/T 21010-2017', :landuse, :area, 'state', :status, '西湖区', "
                    "ST_Multi(ST_GeomFromText(:wkt, 4490)))"
                ),
                {
                    "id": n,
                    "code": code,
                    "landuse": landuse,
                    "area": area,
                    "status": status,
                    "wkt": polygon_wkt(*box),
                },
            )
        for kind, name, box in ZONES:
            session.execute(
                text(
                    "INSERT INTO constraint_zone (kind, name, geom) VALUES "
                    "(:kind, :name, ST_Multi(ST_GeomFromText(:wkt, 4490)))"
                ),
                {"kind": kind, "name": name, "wkt": polygon_wkt(*box)},
            )
        points = [lonlat(x, -20) for x in range(-100, 1201, 10)]
        road = "LINESTRING(" + ",".join(f"{lon:.10f} {lat:.10f}" for lon, lat in points) + ")"
        session.execute(
            text(
                "INSERT INTO road (name, road_class, geom) VALUES "
                "('文一路', 'arterial', ST_Multi(ST_GeomFromText(:wkt, 4490)))"
            ),
            {"wkt": road},
        )
        session.execute(
            text(
                "INSERT INTO transit_station (name, mode, geom) VALUES "
                "('S1', 'metro', ST_GeomFromText(:s1, 4490)), "
                "('S2', 'bus', ST_GeomFromText(:s2, 4490))"
            ),
            {"s1": point_wkt(150, 50), "s2": point_wkt(800, 200)},
        )
        session.execute(
            text(
                "INSERT INTO building (id, code, name, floors_above, geom) VALUES "
                "(1, 'B1', '一号楼', 5, ST_Multi(ST_GeomFromText(:wkt, 4490)))"
            ),
            {"wkt": polygon_wkt(0, 600, 50, 650)},
        )
        dem = write_dem(folder / "dem_upload.tif")
        meaning = RasterMeaning("dem", "高程", "Elevation", "dem", "m")
        register_raster(session, dem, meaning, raster_dir)
    engine.dispose()
    return {"url": url, "raster_dir": raster_dir}


@pytest.fixture
def land_session(land_world: dict[str, object]) -> Iterator[Session]:
    """A session on the land world whose changes are rolled back."""
    engine = make_engine(str(land_world["url"]))
    with Session(engine) as session:
        yield session
        session.rollback()
    engine.dispose()
