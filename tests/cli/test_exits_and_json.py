"""The import commands agree: the same exit status for the same outcome (`dxf import`,
`imdf import` and `import` alike, dry run or not), and with `--json` a refusal is the
API's error body on stdout, never a line on stderr."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from gis_app.cli.main import app
from gis_app.config import get_settings
from gis_app.db import migrate
from gis_app.db.engine import make_engine
from tests.dxf.conftest import ORIGIN, box, insert_floor, new_drawing, room, save
from tests.imdf.conftest import DATA
from tests.ingest.test_real_data import LYON

CASERNE = DATA / "indoor_osm" / "caserne.geojson"
FLOOR = ("CLI-EXIT", 0)
PLACE = ["--building", FLOOR[0], "--ordinal", str(FLOOR[1]), "--origin", "120.15,30.25"]


@pytest.fixture(scope="module")
def url(new_database: Callable[[], str]) -> str:
    """A migrated database with one floor around ORIGIN for the drawings."""
    database = new_database()
    migrate.upgrade(database)
    lon, lat = ORIGIN
    engine = make_engine(database)
    with engine.begin() as conn:
        insert_floor(conn, *FLOOR, (lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002))
    engine.dispose()
    return database


@pytest.fixture
def run(url: str) -> Iterator[Callable[..., Result]]:
    """`gis-app ARGS…` in this process, on the test database."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        get_settings.cache_clear()
        return runner.invoke(app, list(args), env={"DATABASE_URL": url})

    yield invoke
    get_settings.cache_clear()


def _drawing(folder: Path, *, good: bool) -> Path:
    """An open outline (a problem) and, when `good`, a room that can be written."""
    doc = new_drawing()
    room(doc, box(0, 0, 5000, 5000), "ROOM", "301", closed=False)
    room(doc, [(0, 0), (4000, 4000), (4000, 0), (0, 4000)], "ROOM", "302")  # a bow tie
    if good:
        room(doc, box(6000, 0, 4000, 4000), "ROOM", "303")
    return save(doc, folder, f"plan_{good}.dxf")


def test_every_import_exits_alike_under_skip_invalid(run, tmp_path: Path) -> None:
    """3 when problems keep (or would keep) the import from writing; 0 when `--skip-invalid`
    leaves something to write; 3 when it leaves nothing."""
    lyon = ["import", "building", str(LYON), "--map", "code=numero", "--map", "name=numero"]
    lyon += ["--default", "floors_above=1"]
    commands = {
        # (with problems and something valid), (with nothing valid)
        "dxf": (
            ["dxf", "import", str(_drawing(tmp_path, good=True)), *PLACE],
            ["dxf", "import", str(_drawing(tmp_path, good=False)), *PLACE],
        ),
        "imdf": (["imdf", "import", str(CASERNE), "--any-area"], ["imdf", "import", str(CASERNE)]),
        "import": ([*lyon, "--any-area"], lyon),
    }
    exits = {}
    for name, (some_valid, none_valid) in commands.items():
        exits[name] = tuple(
            run(*args, *flags, "--dry-run").exit_code
            for args, flags in (
                (some_valid, []),
                (some_valid, ["--skip-invalid"]),
                (none_valid, ["--skip-invalid"]),
            )
        )
    assert exits == {"dxf": (3, 0, 3), "imdf": (3, 0, 3), "import": (3, 0, 3)}


def test_imdf_validate_with_problems_exits_as_an_import_with_problems(run) -> None:
    assert run("imdf", "validate", str(CASERNE)).exit_code == 3


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["dxf", "import", str(Path(__file__)), *PLACE], "file"),
        (["dxf", "import", "plan.dxf", "--floor-id", "1", "--origin", "east"], "origin"),
        (["dxf", "import", str(LYON), "--floor-id", "999999", "--origin", "1,2"], "floor_id"),
        (["imdf", "import", "missing.zip"], "path"),
        (["imdf", "import", str(CASERNE), "--status", "gone"], "status"),
        (["imdf", "validate", "missing.zip"], "path"),
        (["import", "building", str(LYON), "--map", "code"], "--map"),
        (["import", "building", "missing.gpkg"], "path"),
    ],
    ids=lambda v: v if isinstance(v, str) else " ".join(v[:2]),
)
def test_a_refusal_with_json_is_the_api_error_body(run, args: list[str], field: str) -> None:
    result = run(*args, "--json", "--lang", "en")
    assert result.exit_code == 2, result.output
    detail = json.loads(result.stdout)["detail"]
    assert detail["message"] not in result.stderr  # there: progress bars only
    assert detail["code"] in ("ImportRefused", "InvalidParameter", "NotFound")
    assert detail.get("field", detail.get("resource")) in (field, "floor")
    assert detail["message"].isascii() and detail["message"]


def test_a_refusal_without_json_is_one_line_in_both_languages(run) -> None:
    result = run("imdf", "import", "missing.zip")
    assert result.exit_code == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert " / " in line and "missing.zip" in line
