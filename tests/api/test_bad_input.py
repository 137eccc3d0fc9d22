"""Input a careless user or an attacker sends: every case a 4xx naming the field, never a
500, and never a silently wrong answer (issue 14, defects 7-9)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient

from gis_app.errors import InvalidParameter, domain_answer
from gis_app.ingest.jsontext import MAX_DEPTH

DEEP = "[" * 100_000 + "]" * 100_000
"""Past Python's recursion limit: `json.loads` raises RecursionError on it."""
SEARCH = "/api/v1/land/search"
SELECTION = "/api/v1/land/site-selection"
SCORE = {
    "name": "area",
    "measure": "area",
    "normalise": {"shape": "linear_up", "low": 0, "high": 10},
}


def _detail(answer, status: int = 422) -> dict:
    assert answer.status_code == status, answer.text
    detail = answer.json()["detail"]
    assert isinstance(detail, dict)
    return detail


def _post_json(client: TestClient, url: str, text: str, **params: str):
    return client.post(
        url,
        content=text,
        params=params,
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )


def test_a_deeply_nested_body_is_refused_naming_the_body(client: TestClient) -> None:
    detail = _detail(_post_json(client, SEARCH, DEEP))
    assert detail["field"] == "body"
    assert str(MAX_DEPTH) in detail["message"]
    within = {"within": {"type": "Polygon", "coordinates": json.loads("[" * 60 + "]" * 60)}}
    assert _detail(client.post(SEARCH, json=within))["field"] == "within"


def test_deep_json_in_import_form_fields_names_the_field(client: TestClient) -> None:
    upload = {"file": ("a.geojson", b'{"type": "FeatureCollection", "features": []}')}
    for field in ("defaults", "mapping"):
        answer = client.post(
            "/api/v1/imports", data={"target": "building", field: DEEP}, files=upload
        )
        assert _detail(answer)["field"] == field


def test_deep_json_or_nan_in_dxf_control_and_origin_names_the_field(client: TestClient) -> None:
    upload = {"file": ("plan.dxf", b"0\nEOF\n")}
    for form, field in (
        ({"control": DEEP}, "control"),
        ({"control": '[["0", "0", "nan", "30"]]'}, "control"),
        ({"control": "[[0, 0, NaN, 30]]"}, "control"),
        ({"origin": "nan,nan"}, "origin"),
        ({"origin": "inf,30"}, "origin"),
    ):
        answer = client.post("/api/v1/floors/1/dxf", data=form, files=upload)
        detail = _detail(answer)
        assert detail["field"] == field, form


def test_a_deep_imdf_upload_is_reported_not_a_crash(client: TestClient) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("manifest.json", DEEP)
        out.writestr("venue.geojson", '{"type": "FeatureCollection", "features": ' + DEEP + "}")
    answer = client.post(
        "/api/v1/imdf/validate",
        files={"file": ("deep.zip", archive.getvalue())},
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 200, answer.text
    texts = json.dumps(answer.json())
    assert "levels deep" in texts and "manifest.json" in texts and "venue.geojson" in texts


def test_a_building_that_is_no_number_is_looked_up_as_a_code(client: TestClient) -> None:
    """`'¹'.isdigit()` is true but `int('¹')` fails: it is a code, and no building has it."""
    detail = _detail(client.get("/api/v1/imdf", params={"building": "¹"}), 404)
    assert detail["id"] == "¹"
    for bad in ("B\x00", "x" * 41):
        assert _detail(client.get("/api/v1/imdf", params={"building": bad}))["field"] == "building"


@pytest.mark.parametrize(
    ("kind", "coordinates"),
    [
        ("MultiPolygon", [{}]),
        ("Polygon", [{}]),
        ("MultiPolygon", [[{}]]),
        ("Polygon", [[[1, 2]]]),
        ("Polygon", [[["a", "b"], [1, 2], [1, 3], [1, 2]]]),
        ("Polygon", [[[120, 30, 1, 2]]]),
    ],
)
def test_malformed_polygons_name_within(client: TestClient, kind: str, coordinates: list) -> None:
    """A MultiPolygon of `[{}]` made shapely raise KeyError: 0, a 500."""
    body = {"within": {"type": kind, "coordinates": coordinates}}
    detail = _detail(client.post(SEARCH, json=body))
    assert detail["field"] == "within"
    body = {"exclude": body, "scores": [SCORE], "weights": {"values": [1]}}
    assert _detail(client.post(SELECTION, json=body))["field"] == "exclude.within"


def test_nan_coordinates_name_within(client: TestClient) -> None:
    ring = "[[120, 30], [120.1, 30], [NaN, 30.1], [120, 30]]"
    text = '{"within": {"type": "Polygon", "coordinates": [' + ring + "]}}"
    detail = _detail(_post_json(client, SEARCH, text))
    assert detail["field"] == "within" and "finite" in detail["message"]


def test_an_empty_result_map_is_a_page_even_with_no_parcels(client: TestClient) -> None:
    answer = client.post(SEARCH, params={"format": "html"}, json={"district": "nowhere"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"rasters": [{"raster": "dem", "max": NaN}]}', "rasters[0].max"),
        ('{"rasters": [{"raster": "dem", "min": -Infinity}]}', "rasters[0].min"),
        ('{"area_m2": {"min": Infinity}}', "area_m2.min"),
        (
            '{"distances": [{"to": "point", "point": {"lon": NaN, "lat": 30}}]}',
            "distances[0].point.lon",
        ),
    ],
)
def test_non_finite_search_numbers_are_refused(client: TestClient, text: str, field: str) -> None:
    detail = _detail(_post_json(client, SEARCH, text))
    assert detail["field"] == field
    assert "finite" in detail["message"]


@pytest.mark.parametrize(
    ("scores", "weights", "field"),
    [
        (
            '{"shape": "ideal", "ideal": NaN, "tolerance": 5}',
            '{"values": [1]}',
            "scores[0].normalise.ideal",
        ),
        (
            '{"shape": "linear_up", "low": 0, "high": Infinity}',
            '{"values": [1]}',
            "scores[0].normalise.high",
        ),
        ('{"shape": "linear_up", "low": 0, "high": 1}', '{"values": [NaN]}', "weights.values[0]"),
        ('{"shape": "linear_up", "low": 0, "high": 1}', '{"ahp": [[NaN]]}', "weights.ahp[0][0]"),
    ],
)
def test_non_finite_selection_numbers_are_refused(
    client: TestClient, scores: str, weights: str, field: str
) -> None:
    text = (
        '{"scores": [{"name": "a", "measure": "area", "normalise": ' + scores + "}], "
        '"weights": ' + weights + "}"
    )
    detail = _detail(_post_json(client, SELECTION, text))
    assert detail["field"] == field
    assert "finite" in detail["message"] and "negative" not in detail["message"]


def test_a_preset_cannot_store_nan(client: TestClient) -> None:
    text = (
        '{"name": "nan", "kind": "search", "criteria": {"rasters": [{"raster": "d", "max": NaN}]}}'
    )
    detail = _detail(_post_json(client, "/api/v1/land/presets", text))
    assert detail["field"] == "criteria.rasters[0].max"


def test_non_finite_dxf_numbers_are_refused(client: TestClient) -> None:
    upload = {"file": ("plan.dxf", b"0\nEOF\n")}
    for form in ({"rotation": "nan"}, {"tolerance": "inf"}):
        detail = _detail(client.post("/api/v1/floors/1/dxf", data=form, files=upload))
        assert detail["field"] == next(iter(form))


def test_an_error_reporting_a_non_finite_value_still_answers() -> None:
    """The handler failed on NaN in an error's context (JSON has no NaN): a 500 instead."""
    refused = InvalidParameter(field="origin", reason="reason.not_finite", value=float("nan"))
    answer = domain_answer(refused, "en")
    detail = json.loads(answer.body)["detail"]
    assert answer.status_code == 422
    assert detail["value"] == "nan" and detail["field"] == "origin"
