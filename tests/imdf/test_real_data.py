"""The real indoor data of the project (copied into tests/data): counts in, counts rejected
with reasons, and every oddity their SOURCE.md lists is in the report. They lie in France,
so by default every feature is refused as outside China; with `check_area=False` the good
ones are written (with `skip_invalid`), the others reported."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import Engine, text

from gis_app.imdf.importer import IndoorImportReport, import_indoor
from tests.imdf.conftest import DATA

IMDF_LIKE = DATA / "indoor_imdf_like" / "demo-map.geojson"
OSM = DATA / "indoor_osm"


def _import(engine: Engine, path, **options) -> IndoorImportReport:  # noqa: ANN001
    with engine.begin() as conn:
        return import_indoor(conn, path, **options)


def _details(report: IndoorImportReport, code: str) -> Counter[str]:
    return Counter(p.detail for p in report.problems if p.code == code)


def test_imdf_like_file(fresh_engine: Engine) -> None:
    report = _import(fresh_engine, IMDF_LIKE, check_area=False, skip_invalid=True)
    assert report.form == "imdf-like"
    assert report.read == {"demo-map.geojson": 411}
    assert report.rejected == 247 and report.planned == {"building": 1, "floor": 3, "room": 164}
    assert report.written == {"building": 1, "floor": 3, "room": 164}
    assert report.by_code() == {
        "wrong_geometry_type": 242,
        "imdf_unknown_feature_type": 5,
        "invalid_geometry": 3,
        "imdf_no_level": 1,
    }
    assert _details(report, "wrong_geometry_type") == {"MultiLineString": 183, "Point": 59}
    assert _details(report, "imdf_unknown_feature_type") == {
        "corridor": 3,
        "unknown": 1,
        "unkown": 1,
    }
    assert set(_details(report, "invalid_geometry")) == {
        "Ring Self-intersection[3.1114389216029 45.7590950039003]"
    }
    assert Counter((p.code, p.detail) for p in report.warnings) == {
        ("imdf_null_string", "null"): 30,
        ("imdf_string_boolean", "true"): 5,
        ("imdf_area_ignored", "0 ×411"): 1,
    }
    with fresh_engine.connect() as conn:
        floors = conn.execute(
            text(
                "SELECT ordinal, name, (SELECT count(*) FROM room r WHERE r.floor_id = f.id) FROM floor f ORDER BY ordinal"
            )
        ).all()
    assert [tuple(f) for f in floors] == [(0, "1F", 57), (1, "2F", 59), (2, "3F", 48)]


@pytest.mark.parametrize(
    ("name", "read", "rejected", "problems", "rooms", "floors", "ignored"),
    [
        (
            "caserne",
            123,
            9,
            {"imdf_multi_level": 7, "imdf_no_level": 1, "wrong_geometry_type": 1},
            59,
            3,
            {"not indoor": 53, "indoor=wall": 2},
        ),
        (
            "gare-de-l-est",
            244,
            9,
            {"imdf_no_level": 8, "invalid_geometry": 1},
            107,
            2,
            {"not indoor": 128},
        ),
        (
            "grand-place",
            333,
            2,
            {"invalid_geometry": 2},
            122,
            2,
            {"not indoor": 161, "indoor=yes": 40, "indoor=column": 8},
        ),
    ],
)
def test_osm_indoor_files(
    fresh_engine: Engine,
    name,
    read,
    rejected,
    problems,
    rooms,
    floors,
    ignored,  # noqa: ANN001
) -> None:
    path = OSM / f"{name}.geojson"
    report = _import(fresh_engine, path, check_area=False, skip_invalid=True)
    assert report.form == "osm-indoor"
    assert report.read == {f"{name}.geojson": read}
    assert (report.rejected, report.by_code(), report.ignored) == (rejected, problems, ignored)
    assert report.written == {"building": 1, "floor": floors, "room": rooms}
    assert read == rejected + rooms + sum(ignored.values())


def test_osm_oddities_are_named() -> None:
    from gis_app.imdf.importer import plan_source

    caserne = plan_source(OSM / "caserne.geojson", check_area=False)
    multi = Counter(p.detail for p in caserne.problems if p.code == "imdf_multi_level")
    assert multi == {"-1;0": 4, "0;1": 3}
    line = [p for p in caserne.problems if p.code == "wrong_geometry_type"]
    assert [(p.detail, p.field) for p in line] == [("LineString", "geometry")]
    gare = plan_source(OSM / "gare-de-l-est.geojson", check_area=False)
    [bad] = [p for p in gare.problems if p.code == "invalid_geometry"]
    assert bad.detail.startswith("Self-intersection[2.3597278") and bad.feature_id
    grand = plan_source(OSM / "grand-place.geojson", check_area=False)
    assert sorted(p.feature_id for p in grand.problems) == ["relation/7244911", "relation/7244912"]
    # multi-level tags on features that are not rooms (walls, platforms): warnings
    assert Counter(p.detail for p in grand.warnings) == {"0;1": 5, "0;2": 5, "1;2": 5}
    assert sum(p.code == "imdf_multi_level" for p in caserne.warnings) == 7


@pytest.mark.parametrize("path", [IMDF_LIKE, OSM / "caserne.geojson"], ids=["imdf-like", "osm"])
def test_by_default_data_outside_china_is_refused_and_nothing_written(
    fresh_engine: Engine,
    path,  # noqa: ANN001
) -> None:
    report = _import(fresh_engine, path, skip_invalid=True)
    assert report.by_code()["out_of_area"] > 0 and report.planned["room"] == 0
    assert sum(report.written.values()) == 0
    with fresh_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM room")) == 0


def test_without_skip_invalid_one_problem_writes_nothing(fresh_engine: Engine) -> None:
    report = _import(fresh_engine, OSM / "gare-de-l-est.geojson", check_area=False)
    assert not report.ok and report.planned["room"] == 107
    assert sum(report.written.values()) == 0
    with fresh_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM building")) == 0
