"""`gis-app imdf validate`: a valid archive passes; each rule of OGC 20-094 we check is
broken once and named (file, feature, id, field, code); unsafe zips are refused."""

from __future__ import annotations

import copy
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from gis_app.imdf.archive import read_archive
from gis_app.imdf.validate import validate
from gis_app.ingest import ImportRefused
from gis_app.ingest.report import ImportTooLarge
from tests.imdf.conftest import write_folder, zip_bytes

VENUE = "11111111-1111-4111-8111-111111111111"
ADDRESS = "22222222-2222-4222-8222-222222222222"
BUILDING = "33333333-3333-4333-8333-333333333333"
FOOTPRINT = "44444444-4444-4444-8444-444444444444"
LEVEL_0 = "55555555-5555-4555-8555-555555555550"
LEVEL_1 = "55555555-5555-4555-8555-555555555551"
UNIT_A = "66666666-6666-4666-8666-66666666666a"
UNIT_B = "66666666-6666-4666-8666-66666666666b"
OPENING = "77777777-7777-4777-8777-777777777777"


def _square(x: float, y: float, d: float) -> dict[str, Any]:
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _point(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y]}


def _feature(ident: str, kind: str, geometry: Any, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": ident,
        "feature_type": kind,
        "geometry": geometry,
        "properties": props,
    }


def _collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def _level(ident: str, ordinal: Any) -> dict[str, Any]:
    name = {"zh-Hans": f"{ordinal + 1}F"}
    return _feature(
        ident, "level", _square(120.15, 30.27, 0.0004), category="unspecified",
        restriction=None, outdoor=False, ordinal=ordinal, name=name, short_name=name,
        display_point=None, address_id=None, building_ids=[BUILDING],
    )  # fmt: skip


def _unit(ident: str, level: str, x: float, category: str = "office") -> dict[str, Any]:
    return _feature(
        ident, "unit", _square(x, 30.27, 0.0002), category=category, restriction=None,
        accessibility=None, name={"zh-Hans": "办公室"}, alt_name={"zh-Hans": ident[-3:]},
        level_id=level, display_point=_point(x + 0.0001, 30.2701),
    )  # fmt: skip


def valid_files() -> dict[str, Any]:
    """A small archive that passes every check: one venue, building, two levels, two units."""
    return {
        "manifest.json": {
            "version": "1.0.0",
            "created": "2026-11-28T12:00:00Z",
            "language": "zh-Hans",
        },
        "venue.geojson": _collection(
            _feature(
                VENUE,
                "venue",
                _square(120.149, 30.269, 0.003),
                category="governmentfacility",
                restriction=None,
                name={"zh-Hans": "测试园区"},
                alt_name=None,
                hours=None,
                phone=None,
                website=None,
                display_point=_point(120.15, 30.27),
                address_id=ADDRESS,
            )  # fmt: skip
        ),
        "address.geojson": _collection(
            _feature(
                ADDRESS,
                "address",
                None,
                address="北山路 1 号",
                unit=None,
                locality="杭州市",
                province=None,
                country="CN",
                postal_code=None,
            )  # fmt: skip
        ),
        "building.geojson": _collection(
            _feature(
                BUILDING,
                "building",
                None,
                category="unspecified",
                restriction=None,
                name={"zh-Hans": "测试楼"},
                alt_name=None,
                display_point=None,
                address_id=ADDRESS,
            )  # fmt: skip
        ),
        "footprint.geojson": _collection(
            _feature(
                FOOTPRINT,
                "footprint",
                _square(120.15, 30.27, 0.0004),
                category="ground",
                name=None,
                building_ids=[BUILDING],
            )  # fmt: skip
        ),
        "level.geojson": _collection(_level(LEVEL_0, 0), _level(LEVEL_1, 1)),
        "unit.geojson": _collection(
            _unit(UNIT_A, LEVEL_0, 120.15), _unit(UNIT_B, LEVEL_1, 120.1502, "restroom.female")
        ),
        "opening.geojson": _collection(
            _feature(
                OPENING,
                "opening",
                {"type": "LineString", "coordinates": [[120.1501, 30.27], [120.15015, 30.27]]},
                category="pedestrian",
                accessibility=None,
                access_control=None,
                door=None,
                name=None,
                alt_name=None,
                display_point=None,
                level_id=LEVEL_0,
            )  # fmt: skip
        ),
    }


def _codes(files: dict[str, Any], tmp_path: Path) -> list[tuple[str, int, str | None, str, str]]:
    report = validate(read_archive(write_folder(tmp_path / "venue", files)))
    return [(p.file, p.index, p.feature_id, p.field, p.code) for p in report.problems]


def test_a_valid_archive_has_no_problem_as_folder_and_as_zip(tmp_path: Path) -> None:
    files = valid_files()
    assert _codes(files, tmp_path) == []
    report = validate(read_archive(zip_bytes(files), name="venue.zip"))
    assert report.ok
    assert report.files["unit.geojson"] == 2 and report.feature_types["level"] == 2


def test_an_archive_zipped_with_its_folder_reads_the_same(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in valid_files().items():
            archive.writestr(f"venue/{name}", __import__("json").dumps(content))
    assert validate(read_archive(out.getvalue(), name="v.zip")).ok


def _broken(change) -> dict[str, Any]:  # noqa: ANN001
    files = copy.deepcopy(valid_files())
    change(files)
    return files


def _units(files: dict[str, Any]) -> list[dict[str, Any]]:
    return files["unit.geojson"]["features"]


def _levels(files: dict[str, Any]) -> list[dict[str, Any]]:
    return files["level.geojson"]["features"]


CASES = [
    ("manifest version", lambda f: f["manifest.json"].update(version="2.0"),
     ("manifest.json", -1, None, "version", "imdf_bad_value")),
    ("manifest language", lambda f: f["manifest.json"].pop("language"),
     ("manifest.json", -1, None, "language", "missing_field")),
    ("id not a UUID", lambda f: _units(f)[0].update(id="room-101"),
     ("unit.geojson", 0, "room-101", "id", "imdf_bad_id")),
    ("id used twice", lambda f: _units(f)[1].update(id=LEVEL_0),
     ("unit.geojson", 1, LEVEL_0, "id", "imdf_duplicate_id")),
    ("unit on no level", lambda f: _units(f)[0]["properties"].update(level_id=BUILDING),
     ("unit.geojson", 0, UNIT_A, "level_id", "imdf_unresolved_reference")),
    ("level of no building", lambda f: _levels(f)[1]["properties"].update(building_ids=[VENUE]),
     ("level.geojson", 1, LEVEL_1, "building_ids", "imdf_unresolved_reference")),
    ("two levels, one ordinal", lambda f: _levels(f)[1]["properties"].update(ordinal=0),
     ("level.geojson", 1, LEVEL_1, "ordinal", "imdf_duplicate_ordinal")),
    ("ordinal not an integer", lambda f: _levels(f)[1]["properties"].update(ordinal=1.5),
     ("level.geojson", 1, LEVEL_1, "ordinal", "imdf_bad_ordinal")),
    ("unit category", lambda f: _units(f)[0]["properties"].update(category="bureau"),
     ("unit.geojson", 0, UNIT_A, "category", "unknown_code")),
    ("unit without category", lambda f: _units(f)[0]["properties"].pop("category"),
     ("unit.geojson", 0, UNIT_A, "category", "missing_field")),
    ("unit as a point", lambda f: _units(f)[0].update(geometry=_point(120.15, 30.27)),
     ("unit.geojson", 0, UNIT_A, "geometry", "wrong_geometry_type")),
    ("building with geometry", lambda f: f["building.geojson"]["features"][0].update(
        geometry=_square(120.15, 30.27, 0.0004)),
     ("building.geojson", 0, BUILDING, "geometry", "wrong_geometry_type")),
    ("unclosed ring", lambda f: _units(f)[0]["geometry"]["coordinates"][0].pop(),
     ("unit.geojson", 0, UNIT_A, "geometry", "imdf_unclosed_ring")),
    ("bow tie", lambda f: _units(f)[0]["geometry"].update(coordinates=[[
        [120.15, 30.27], [120.1502, 30.2702], [120.1502, 30.27], [120.15, 30.2702], [120.15, 30.27]]]),
     ("unit.geojson", 0, UNIT_A, "geometry", "invalid_geometry")),
    ("lat/lon swapped", lambda f: _units(f)[0].update(geometry=_square(30.27, 120.15, 0.0002)),
     ("unit.geojson", 0, UNIT_A, "geometry", "imdf_out_of_range")),
    ("unit outside its level", lambda f: _units(f)[0].update(geometry=_square(120.152, 30.27, 0.0002)),
     ("unit.geojson", 0, UNIT_A, "geometry", "imdf_outside_level")),
    ("name not labels", lambda f: _units(f)[0]["properties"].update(name="办公室"),
     ("unit.geojson", 0, UNIT_A, "name", "imdf_bad_value")),
    ("unknown feature type", lambda f: _units(f)[0].update(feature_type="room"),
     ("unit.geojson", 0, UNIT_A, "feature_type", "imdf_wrong_file")),
    ("no level file", lambda f: f.pop("level.geojson"),
     (None, -1, None, "file", "imdf_missing_part")),
]  # fmt: skip


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_broken_rule_is_named(tmp_path: Path, change, expected) -> None:  # noqa: ANN001
    found = _codes(_broken(change), tmp_path)
    file, *rest = expected
    assert any(p[1:] == tuple(rest) and (file is None or p[0] == file) for p in found), found


def test_every_problem_has_a_message_in_both_languages(tmp_path: Path) -> None:
    files = _broken(lambda f: _units(f)[0].update(id="x", geometry=_point(1, 2)))
    report = validate(read_archive(write_folder(tmp_path / "v", files)))
    zh, en = report.as_dict("zh-CN"), report.as_dict("en")
    assert [p["code"] for p in zh["problems"]] == [p["code"] for p in en["problems"]]
    zh_id, en_id = ([p for p in r["problems"] if p["field"] == "id"][0] for r in (zh, en))
    assert zh_id["message"] == "unit.geojson 第 0 个要素（id x），id：id x 不是 UUID"
    assert en_id["message"] == "unit.geojson feature 0 (id x), id: id x is not a UUID"


def test_a_corrupt_zip_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefused) as refused:
        read_archive(b"PK\x03\x04 this is no zip", name="venue.zip")
    assert "zip" in refused.value.message("en")


def test_a_zip_bomb_stops_at_the_ratio_limit() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("unit.geojson", b" " * 50_000_000)
    data = out.getvalue()
    assert len(data) < 100_000
    with pytest.raises(ImportTooLarge) as refused:
        read_archive(data, name="bomb.zip")
    assert refused.value.context["reason"] == "imdf.reason.zip_ratio"
    assert refused.value.status_code == 413


def test_an_archive_over_the_size_limit_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("unit.geojson", os.urandom(3_000_000))
    with pytest.raises(ImportTooLarge) as refused:
        read_archive(out.getvalue(), name="big.zip", max_bytes=2_000_000)
    assert refused.value.context["reason"] == "imdf.reason.too_big"


def test_a_file_that_is_not_json_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "v", valid_files())
    (folder / "unit.geojson").write_text("{not json", "utf-8")
    report = validate(read_archive(folder))
    assert ("unit.geojson", "imdf_bad_json") in {(p.file, p.code) for p in report.problems}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "gis_app", "imdf", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_cli_exit_code_says_valid_or_not(tmp_path: Path) -> None:
    good = write_folder(tmp_path / "good", valid_files())
    assert _cli("validate", str(good)).returncode == 0
    bad = write_folder(tmp_path / "bad", _broken(lambda f: _units(f)[0].update(id="x")))
    result = _cli("validate", str(bad), "--lang", "en")
    assert result.returncode == 3
    assert "unit.geojson feature 0 (id x), id: id x is not a UUID" in result.stdout
    missing = _cli("validate", str(tmp_path / "nothing.zip"))
    assert missing.returncode == 2 and "nothing.zip" in missing.stderr


def test_cli_import_dry_run_reports_and_writes_nothing(db_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "gis_app", "imdf", "import", "--dry-run", "--any-area", "--lang",
         "en", str(Path(__file__).parent.parent / "data" / "indoor_osm" / "caserne.geojson")],
        capture_output=True, text=True, timeout=120, check=False, env={**env, "DATABASE_URL": db_url},
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert (
        "123 features read, 9 rejected, 55 not rooms (left out); 59 rooms checked, 0 written"
        in (result.stdout)
    )
