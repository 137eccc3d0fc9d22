"""The layer files: every shipped one loads, and a wrong one is refused naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from gis_app.layers.catalog import LAYERS_DIR, CatalogError, load_catalog, load_layer
from gis_app.layers.sources import ANALYSES, TABLES

REQUIRED = {
    "buildings_vacancy",
    "buildings_over_standard",
    "buildings_safety",
    "campuses",
    "parcels_landuse",
    "roads",
    "transit_stations",
    "constraint_zones",
    "rooms",
}
GOOD = """
id = "zones"
title_zh = "管控区"
title_en = "Zones"
geometry = "polygon"
delivery = "geojson"

[source]
kind = "table"
table = "constraint_zone"

[style]
kind = "categories"
property = "kind"

[[style.categories]]
value = "flood_zone"
color = "#4fc3f7"
label_zh = "洪涝风险区"
label_en = "Flood zone"

[[popup]]
field = "name"
label_zh = "名称"
label_en = "Name"
"""


def test_every_shipped_layer_file_loads() -> None:
    catalog = load_catalog()
    assert set(catalog.layers) >= REQUIRED
    assert sorted(p.stem for p in LAYERS_DIR.glob("*.toml")) == list(catalog.layers)


def test_vector_sources_and_rasters_are_described() -> None:
    layers = load_catalog().layers
    assert layers["buildings_vacancy"].source.kind == "analysis"
    assert layers["buildings_vacancy"].delivery == "tiles"
    assert layers["campuses"].delivery == "geojson"
    assert {i for i, s in layers.items() if s.source.kind == "raster"} >= {
        "dem_hillshade",
        "flood_depth",
    }
    assert layers["rooms"].min_zoom >= 16


def test_landuse_categories_cover_the_schemes_first_level_classes() -> None:
    style = load_catalog().layers["parcels_landuse"].style
    values = {c.value for c in style.categories}
    assert {f"GB/T 21010-2017:{c:02d}" for c in range(1, 13)} <= values
    assert {f"MNR-YDYH-2023:{c:02d}" for c in (*range(1, 18), 23)} <= values
    assert {f"TD/T 1055-2019:{c:02d}" for c in range(13)} <= values


def test_sources_registry_is_closed() -> None:
    assert set(TABLES) == {
        "building",
        "campus",
        "land_parcel",
        "road",
        "transit_station",
        "constraint_zone",
        "floor",
        "room",
    }
    assert set(ANALYSES) == {
        ("vacancy", "building"),
        ("over_standard", "building"),
        ("safety", "building"),
    }


def _write(folder: Path, text: str, name: str = "zones.toml") -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def test_a_good_file_in_a_folder_loads(tmp_path: Path) -> None:
    _write(tmp_path, GOOD)
    layer = load_catalog(tmp_path).layers["zones"]
    assert layer.title("en") == "Zones"
    assert layer.title("zh-CN") == "管控区"
    assert layer.used_fields() == ["kind", "name"]


BROKEN = [
    ('color = "#4fc3f7"', 'color = "blue"', "style.categories[0].color", "#rgb"),
    ('title_en = "Zones"', 'title_en = "Zones"\ncolour = "red"', "colour", "Extra inputs"),
    ('property = "kind"', 'property = "lanes"', "style.property", "no field 'lanes'"),
    ('field = "name"', 'field = "height"', "popup[0].field", "no field 'height'"),
    ('delivery = "geojson"', 'delivery = "geojson"\nmin_zoom = 15\nmax_zoom = 9', "min_zoom", ""),
    ('delivery = "geojson"', 'delivery = "geojson"\nmax_zoom = 40', "max_zoom", "less than"),
    ('table = "constraint_zone"', 'table = "zonez"', "source.table", "unknown table"),
    ('geometry = "polygon"', 'geometry = "point"', "geometry", "does not match"),
    ('id = "zones"', 'id = "Zones!"', "id", "not a slug"),
    ('kind = "categories"', 'kind = "ramp"', "style.vmin", "Field required"),
    ("[[style.categories]]", "[[style.categories]", "not valid TOML", "line"),
]


@pytest.mark.parametrize(("old", "new", "field", "reason"), BROKEN)
def test_a_broken_file_is_refused_naming_file_and_field(
    tmp_path: Path, old: str, new: str, field: str, reason: str
) -> None:
    assert old in GOOD
    _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path.name}/zones.toml: ")
    assert field in message
    assert reason in message


def test_the_id_must_match_the_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD, "other.toml")
    with pytest.raises(CatalogError, match="id: 'zones' must match the file name 'other'"):
        load_layer(path)


def test_a_ramp_needs_a_numeric_field(tmp_path: Path) -> None:
    ramp = GOOD.replace(
        'kind = "categories"\nproperty = "kind"',
        'kind = "ramp"\nproperty = "kind"\nvmin = 0\nvmax = 1\ncolors = ["#000", "#fff"]',
    ).split("[[style.categories]]")[0]
    _write(tmp_path, ramp)
    with pytest.raises(CatalogError, match="style.property: field 'kind' is text, not number"):
        load_catalog(tmp_path)
