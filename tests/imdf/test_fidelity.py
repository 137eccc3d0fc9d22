"""An IMDF archive of an airport abroad, in English and French, with walls and columns,
restrooms by sex, an escalator, a café, a door and two footprints: walls and columns are
no rooms (counted, not written), and the export gives back what was read — languages,
venue category, address and country, unit categories, openings, footprints. `imdf
validate` and `imdf import` judge a unit's shape by the same rule."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from gis_app.imdf.archive import read_archive
from gis_app.imdf.export import export_features
from gis_app.imdf.importer import import_indoor
from gis_app.imdf.validate import validate
from tests.imdf.conftest import DATA, zip_bytes
from tests.imdf.test_validate import (
    ADDRESS,
    LEVEL_0,
    VENUE,
    _collection,
    _feature,
    _square,
    valid_files,
)

X, Y = 120.15, 30.27
WALL = "88888888-8888-4888-8888-888888888801"
COLUMN = "88888888-8888-4888-8888-888888888802"
AERIAL = "44444444-4444-4444-8444-444444444445"
ROOM_UNITS = {
    # id → (category, name labels, x, y, side in degrees)
    "66666666-6666-4666-8666-666666666601": (
        "restroom.male", {"en": "Men", "fr": "Hommes"}, X, Y, 0.0001
    ),
    "66666666-6666-4666-8666-666666666602": (
        "restroom.female", {"en": "Women", "fr": "Femmes"}, X + 0.0001, Y, 0.0001
    ),
    "66666666-6666-4666-8666-666666666603": ("escalator", {"en": "Escalator"}, X, Y + 0.0001, 0.0001),
    "66666666-6666-4666-8666-666666666604": (
        "foodservice", {"en": "Café", "fr": "Café"}, X + 0.0001, Y + 0.0001, 0.0001
    ),
}  # fmt: skip


def _unit(ident: str, category: str, names: Any, geometry: dict[str, Any]) -> dict[str, Any]:
    return _feature(
        ident, "unit", geometry, category=category, restriction=None, accessibility=None,
        name=names, alt_name=None, level_id=LEVEL_0, display_point=None,
    )  # fmt: skip


def airport_files() -> dict[str, Any]:
    """The valid test archive turned into a French airport's: one level with four rooms,
    a wall in two parts and a column (1 m²), an aerial footprint beside the ground one."""
    files = copy.deepcopy(valid_files())
    files["manifest.json"]["language"] = "en"
    venue = files["venue.geojson"]["features"][0]["properties"]
    venue.update(category="airport", name={"en": "Test Airport", "fr": "Aéroport d'essai"})
    files["address.geojson"]["features"][0]["properties"].update(
        address="1 rue de l'Aéroport", locality="Paris", country="FR", province="FR-75"
    )
    building = files["building.geojson"]["features"][0]["properties"]
    building.update(category="transit", name={"en": "Terminal 1", "fr": "Aérogare 1"})
    files["level.geojson"]["features"] = files["level.geojson"]["features"][:1]
    files["level.geojson"]["features"][0]["properties"].update(
        category="departures", name={"en": "Departures"}, short_name={"en": "D"}
    )
    wall = {
        "type": "MultiPolygon",
        "coordinates": [
            _square(X + 0.0002, Y, 0.00002)["coordinates"],
            _square(X + 0.0003, Y, 0.00002)["coordinates"],
        ],
    }
    files["unit.geojson"] = _collection(
        *(_unit(i, c, n, _square(x, y, d)) for i, (c, n, x, y, d) in ROOM_UNITS.items()),
        _unit(WALL, "structure", None, wall),
        _unit(COLUMN, "column", None, _square(X + 0.00025, Y + 0.00025, 0.00001)),
    )
    files["footprint.geojson"]["features"].append(
        _feature(
            AERIAL,
            "footprint",
            _square(X + 0.0004, Y, 0.0001),
            category="aerial",
            name={"en": "Bridge"},
            building_ids=[files["building.geojson"]["features"][0]["id"]],
        )  # fmt: skip
    )
    return files


@pytest.fixture
def imported(fresh_engine: Engine) -> tuple[dict[str, Any], Any]:
    files = airport_files()
    assert validate(read_archive(zip_bytes(files), name="airport.zip")).problems == []
    with fresh_engine.begin() as conn:
        report = import_indoor(conn, zip_bytes(files), name="airport.zip")
    assert report.ok, report.as_dict("en")["problems"]
    return files, report


def test_walls_and_columns_are_no_rooms_and_are_counted(imported, fresh_engine: Engine) -> None:
    _, report = imported
    assert report.ignored == {"category=structure": 1, "category=column": 1}
    assert report.written == {"building": 1, "floor": 1, "room": 4}
    with fresh_engine.connect() as conn:
        rooms, floor = conn.execute(
            text(
                "SELECT sum(ST_Area(geography(r.geom))), ST_Area(geography(f.geom)) "
                "FROM room r JOIN floor f ON f.id = r.floor_id GROUP BY f.geom"
            )
        ).one()
    # four rooms of 0.0001° × 0.0001° (a quarter of the level each) fill the level's
    # south-west quarter; the wall and column lie outside them and count for nothing
    assert rooms == pytest.approx(floor / 4, rel=1e-3)


def test_the_export_gives_back_what_was_read(imported, fresh_engine: Engine) -> None:
    files, report = imported
    with fresh_engine.connect() as conn:
        out = export_features(conn, report.ids["building"])
    assert out["manifest.json"]["language"] == "en"
    [venue] = out["venue.geojson"]["features"]
    original_venue = files["venue.geojson"]["features"][0]
    assert venue == original_venue and venue["properties"]["category"] == "airport"
    [address] = out["address.geojson"]["features"]
    assert address == files["address.geojson"]["features"][0]
    assert address["id"] == ADDRESS and address["properties"]["country"] == "FR"
    assert venue["id"] == VENUE
    [building] = out["building.geojson"]["features"]
    assert building["properties"]["category"] == "transit"
    assert building["properties"]["name"] == {"en": "Terminal 1", "fr": "Aérogare 1"}
    assert out["footprint.geojson"]["features"] == files["footprint.geojson"]["features"]
    assert out["opening.geojson"]["features"] == files["opening.geojson"]["features"]
    [level] = out["level.geojson"]["features"]
    assert level["properties"]["category"] == "departures"
    assert level["properties"]["name"] == {"en": "Departures"}
    units = {u["id"]: u["properties"] for u in out["unit.geojson"]["features"]}
    assert {i: (u["category"], u["name"]) for i, u in units.items()} == {
        i: (c, n) for i, (c, n, *_) in ROOM_UNITS.items()
    }
    assert all(u["alt_name"] is None for u in units.values())
    data = zip_bytes(out)
    assert validate(read_archive(data, name="again.zip")).problems == []


def test_a_renamed_room_is_exported_with_its_new_name(imported, fresh_engine: Engine) -> None:
    _, report = imported
    with fresh_engine.begin() as conn:
        conn.execute(text("UPDATE room SET name = '男卫生间' WHERE name = 'Men'"))
        conn.execute(text("UPDATE room SET category = 'office', subtype = 'office' "))
        out = export_features(conn, report.ids["building"])
    names = Counter(str(u["properties"]["name"]) for u in out["unit.geojson"]["features"])
    assert names["{'zh-Hans': '男卫生间'}"] == 1
    assert {u["properties"]["category"] for u in out["unit.geojson"]["features"]} == {"office"}


def test_a_building_imported_from_osm_abroad_is_not_made_chinese(fresh_engine: Engine) -> None:
    path = DATA / "indoor_osm" / "gare-de-l-est.geojson"
    with fresh_engine.begin() as conn:
        report = import_indoor(conn, path, check_area=False, skip_invalid=True)
        out = export_features(conn, report.ids["building"])
    [address] = out["address.geojson"]["features"]
    assert address["properties"]["country"] is None
    languages = Counter(
        tag for u in out["unit.geojson"]["features"] for tag in u["properties"]["name"] or {}
    )
    assert "zh-Hans" not in languages and languages["und"] > 0


def _problems(report) -> set[tuple[str, int, str]]:  # noqa: ANN001
    return {(p.file, p.index, p.code) for p in report.problems}


@pytest.mark.parametrize(
    ("geometry", "code"),
    [
        (_square(X, Y, 1e-7), "imdf_zero_area"),
        (
            {
                "type": "MultiPolygon",
                "coordinates": [
                    _square(X, Y, 0.00005)["coordinates"],
                    _square(X + 0.0001, Y, 0.00005)["coordinates"],
                ],
            },
            "imdf_multipart_unit",
        ),
    ],
    ids=["zero area", "two parts"],
)
def test_validate_and_import_judge_a_unit_alike(
    fresh_engine: Engine, tmp_path: Path, geometry: dict[str, Any], code: str
) -> None:
    files = airport_files()
    files["unit.geojson"]["features"][0]["geometry"] = geometry
    # the same shapes on a wall are no problem: a wall is no room
    files["unit.geojson"]["features"][4]["geometry"] = geometry
    data = zip_bytes(files)
    checked = validate(read_archive(data, name="a.zip"))
    with fresh_engine.begin() as conn:
        report = import_indoor(conn, data, name="a.zip", dry_run=True)
    assert _problems(checked) == _problems(report) == {("unit.geojson", 0, code)}
