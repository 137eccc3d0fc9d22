"""OGC API Features Parts 1–3 over the demo district: documents, paging, CRS, filters,
exports and the errors a client gets for bad parameters."""

from __future__ import annotations

import io
import json
import zipfile

import pyogrio
import pytest
from pyproj import Transformer
from sqlalchemy import text

from gis_app.ogc.documents import CONFORMANCE

COLLECTIONS = {
    "campuses",
    "buildings",
    "floors",
    "rooms",
    "parcels",
    "roads",
    "transit_stations",
    "constraint_zones",
    "building_vacancy",
    "building_over_standard",
}


def _items(ogc, collection: str, **params) -> dict:
    response = ogc.get(f"/collections/{collection}/items", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_landing_conformance_and_collections(ogc):
    landing = ogc.get("").json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    conforms = ogc.get("/conformance").json()["conformsTo"]
    assert conforms == CONFORMANCE
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conforms
    assert not any(c.endswith("/html") or c.endswith("/oas30") for c in conforms)
    collections = ogc.get("/collections").json()["collections"]
    assert {c["id"] for c in collections} == COLLECTIONS
    buildings = next(c for c in collections if c["id"] == "buildings")
    assert buildings["storageCrs"].endswith("/EPSG/0/4490")
    assert any(c.endswith("/EPSG/0/4549") for c in buildings["crs"])
    west, south, east, north = buildings["extent"]["spatial"]["bbox"][0]
    assert 119 < west < east < 122 and 29 < south < north < 31


def test_openapi_names_each_collections_queryables(ogc):
    api = ogc.get("/api").json()
    rooms = api["paths"]["/collections/rooms/items"]["get"]["parameters"]
    names = {p["name"] for p in rooms}
    assert {"filter", "filter-lang", "crs", "bbox", "level", "ordinal", "building_code"} <= names
    lang = next(p for p in rooms if p["name"] == "filter-lang")
    assert "cql2-text" in lang["schema"]["enum"]


def test_rooms_of_one_level_page_by_page(ogc, sample_engine):
    first = _items(ogc, "rooms", level="0", limit=50)
    assert first["numberReturned"] == 50
    assert "numberMatched" not in first
    assert {f["properties"]["ordinal"] for f in first["features"]} == {0}
    following = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = ogc.get(following).json()
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in second["features"]}
    assert any(link["rel"] == "prev" for link in second["links"])
    with sample_engine.connect() as conn:
        on_1f = conn.execute(
            text(
                "SELECT count(*) FROM room r JOIN floor f ON f.id = r.floor_id WHERE f.ordinal = 0"
            )
        ).scalar_one()
    last = _items(ogc, "rooms", level="0", limit=1000, offset=on_1f - 3)
    assert last["numberReturned"] == 3 and last["numberMatched"] == on_1f
    assert not any(link["rel"] == "next" for link in last["links"])
    by_name = _items(ogc, "rooms", level="1F", limit=5)
    assert {f["properties"]["floor_name"] for f in by_name["features"]} == {"1F"}


def test_output_crs_axis_order_and_header(ogc):
    lonlat = _items(ogc, "buildings", limit=1)
    response = ogc.get(
        "/collections/buildings/items",
        params={"limit": 1, "crs": "http://www.opengis.net/def/crs/EPSG/0/4490"},
    )
    assert response.headers["content-crs"] == "<http://www.opengis.net/def/crs/EPSG/0/4490>"
    latlon = response.json()
    lon, lat = lonlat["features"][0]["geometry"]["coordinates"][0][0][0]
    assert latlon["features"][0]["geometry"]["coordinates"][0][0][0] == [lat, lon]
    gk = _items(ogc, "buildings", limit=1, crs="EPSG:4549")
    northing, easting = gk["features"][0]["geometry"]["coordinates"][0][0][0]
    east, north = Transformer.from_crs(4490, 4549, always_xy=True).transform(lon, lat)
    assert abs(easting - east) < 0.01 and abs(northing - north) < 0.01
    mercator = _items(ogc, "buildings", limit=1, crs="EPSG:3857")
    x, _ = mercator["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 1.3e7 < x < 1.4e7


def test_bbox_in_another_crs_finds_the_same_buildings(ogc):
    first = _items(ogc, "buildings", limit=1)["features"][0]
    lon, lat = first["geometry"]["coordinates"][0][0][0]
    box = (lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)
    plain = _items(ogc, "buildings", bbox=",".join(map(str, box)), limit=1000)
    x0, y0 = Transformer.from_crs(4490, 3857, always_xy=True).transform(box[0], box[1])
    x1, y1 = Transformer.from_crs(4490, 3857, always_xy=True).transform(box[2], box[3])
    mercator = _items(
        ogc, "buildings", bbox=f"{x0},{y0},{x1},{y1}", limit=1000, **{"bbox-crs": "EPSG:3857"}
    )
    latlon = _items(
        ogc,
        "buildings",
        bbox=f"{box[1]},{box[0]},{box[3]},{box[2]}",
        limit=1000,
        **{"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4490"},
    )
    ids = {f["id"] for f in plain["features"]}
    assert first["id"] in ids
    assert {f["id"] for f in mercator["features"]} == ids
    assert {f["id"] for f in latlon["features"]} == ids


def test_cql2_text_and_json_select_the_same_rooms(ogc, sample_engine):
    cql_text = "ordinal = 1 AND category IN ('office') AND usable_area_m2 BETWEEN 10 AND 30"
    as_text = _items(ogc, "rooms", filter=cql_text, limit=10000)
    as_json = _items(
        ogc,
        "rooms",
        limit=10000,
        filter=json.dumps(
            {
                "op": "and",
                "args": [
                    {"op": "=", "args": [{"property": "ordinal"}, 1]},
                    {"op": "in", "args": [{"property": "category"}, ["office"]]},
                    {"op": "between", "args": [{"property": "usable_area_m2"}, 10, 30]},
                ],
            }
        ),
        **{"filter-lang": "cql2-json"},
    )
    with sample_engine.connect() as conn:
        expected = set(
            conn.execute(
                text(
                    "SELECT r.id FROM room r JOIN floor f ON f.id = r.floor_id WHERE f.ordinal = 1"
                    " AND r.category = 'office' AND r.usable_area_m2 BETWEEN 10 AND 30"
                )
            ).scalars()
        )
    assert expected
    assert {f["id"] for f in as_text["features"]} == expected
    assert {f["id"] for f in as_json["features"]} == expected
    like = _items(ogc, "buildings", filter="code LIKE 'HZ-B00000_'", limit=100)
    assert {f["properties"]["code"] for f in like["features"]} == {
        f"HZ-B00000{i}" for i in range(1, 10)
    }


def test_spatial_filter_in_filter_crs(ogc):
    first = _items(ogc, "buildings", limit=1)["features"][0]
    lon, lat = first["geometry"]["coordinates"][0][0][0]
    w, s, e, n = lon - 0.0005, lat - 0.0005, lon + 0.0005, lat + 0.0005
    lonlat = f"S_INTERSECTS(geometry, POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s})))"
    latlon = f"S_INTERSECTS(geometry, POLYGON(({s} {w}, {s} {e}, {n} {e}, {n} {w}, {s} {w})))"
    a = _items(ogc, "buildings", filter=lonlat, limit=100)
    b = _items(ogc, "buildings", filter=latlon, limit=100, **{"filter-crs": "EPSG:4490"})
    c = _items(ogc, "buildings", filter=f"S_INTERSECTS(geometry, BBOX({w},{s},{e},{n}))", limit=100)
    d = _items(
        ogc,
        "buildings",
        limit=100,
        filter=json.dumps(
            {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [w, s, e, n]}]}
        ),
        **{"filter-lang": "cql2-json"},
    )
    ids = {f["id"] for f in a["features"]}
    assert first["id"] in ids
    assert {f["id"] for f in b["features"]} == ids
    assert {f["id"] for f in c["features"]} == ids
    assert {f["id"] for f in d["features"]} == ids


def test_property_equality_and_properties_subset(ogc):
    page = _items(
        ogc, "rooms", category="office", status="vacant", properties="number,status", limit=20
    )
    assert page["features"]
    for feature in page["features"]:
        assert set(feature["properties"]) == {"number", "status"}
        assert feature["properties"]["status"] == "vacant"


def test_one_feature_and_analysis_results(ogc):
    first = _items(ogc, "building_vacancy", limit=1)["features"][0]
    assert 0 <= first["properties"]["vacancy_rate"] <= 1
    one = ogc.get(f"/collections/buildings/items/{first['id']}")
    assert one.status_code == 200
    assert one.json()["properties"]["code"] == first["properties"]["code"]
    assert ogc.get("/collections/buildings/items/999999").status_code == 404


@pytest.mark.parametrize(
    ("path", "params", "status", "field"),
    [
        ("/collections/nowhere/items", {}, 404, None),
        ("/collections/rooms/items", {"filter": "nosuch = 1"}, 400, "filter"),
        ("/collections/rooms/items", {"filter": "ordinal = "}, 400, "filter"),
        ("/collections/rooms/items", {"filter": "number = 5"}, 400, "filter"),
        ("/collections/rooms/items", {"filter": "{", "filter-lang": "cql2-json"}, 400, "filter"),
        ("/collections/rooms/items", {"crs": "EPSG:2154"}, 400, "crs"),
        ("/collections/rooms/items", {"bbox": "1,2,3"}, 400, "bbox"),
        ("/collections/rooms/items", {"bbox": "3,2,1,4"}, 400, "bbox"),
        ("/collections/rooms/items", {"bbox": "nan,1,2,3"}, 400, "bbox"),
        ("/collections/rooms/items", {"filter": "ordinal / 0 = 1"}, 400, "filter"),
        ("/collections/rooms/items", {"bbox-crs": "EPSG:3857"}, 400, "bbox-crs"),
        ("/collections/rooms/items", {"colour": "red"}, 400, "colour"),
        ("/collections/rooms/items", {"usable_area_m2": "big"}, 400, "usable_area_m2"),
        ("/collections/rooms/items", {"properties": "number,secret"}, 400, "properties"),
        ("/collections/parcels/items", {"level": "1"}, 400, "level"),
    ],
)
def test_bad_parameters_are_named(ogc, path, params, status, field):
    response = ogc.get(path, params=params)
    assert response.status_code == status, response.text
    if field:
        assert response.json()["detail"]["field"] == field


def test_exports_as_geopackage_and_zipped_shapefile(ogc, tmp_path):
    expected = _items(ogc, "rooms", level="0", building_code="HZ-B000001", limit=1000)
    gpkg = ogc.get(
        "/collections/rooms/items",
        params={"level": "0", "building_code": "HZ-B000001", "f": "gpkg"},
    )
    assert gpkg.status_code == 200
    assert gpkg.headers["content-type"] == "application/geopackage+sqlite3"
    path = tmp_path / "rooms.gpkg"
    path.write_bytes(gpkg.content)
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == expected["numberReturned"]
    assert frame.crs.to_epsg() == 4490
    assert set(frame["building_name"]) == {"中共杭州市委员会1号楼"}
    shp = ogc.get(
        "/collections/buildings/items", params={"f": "shp", "limit": 20, "crs": "EPSG:4549"}
    )
    assert shp.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(shp.content)).namelist()
    assert {"buildings.shp", "buildings.dbf", "buildings.prj", "buildings.cpg"} <= set(names)
    (tmp_path / "b.zip").write_bytes(shp.content)
    buildings = pyogrio.read_dataframe(f"/vsizip/{tmp_path / 'b.zip'}/buildings.shp")
    assert len(buildings) == 20 and buildings.crs.to_epsg() == 4549
    assert buildings["name"].str.contains("杭州").any()


def test_geojson_download_holds_the_whole_selection(ogc):
    paged = _items(ogc, "rooms", level="0", building_code="HZ-B000001", limit=5)
    assert paged["numberReturned"] == 5
    whole = ogc.get(
        "/collections/rooms/items",
        params={"level": "0", "building_code": "HZ-B000001", "f": "geojson"},
    )
    assert whole.headers["content-disposition"] == 'attachment; filename="rooms.geojson"'
    body = whole.json()
    assert body["numberReturned"] == body["numberMatched"] > 5
    assert not any(link["rel"] == "next" for link in body["links"])
