"""A populated database of the oldest supported revision upgrades to head with every row.

The released code itself (git archive of OLDEST_SUPPORTED_COMMIT) migrates a new database to
its head and loads its own demo sample, so the data are what that release wrote, not today's
sample squeezed into the old schema. Today's `migrate.upgrade` then takes it to head.

Compared before and after: row counts of every table, checksums of the key columns of the
key tables, and the results of the analyses whose rules this wave left alone: every
occupied office's counted area, limit, excess and over-standard flag (an office against its
occupants' rank limits) and which rooms are vacant. The vacancy rule did change in one point (toilets and boiled-water rooms became
building common space, never allocatable or vacant), so each building's figures are
compared after taking exactly those rooms out of the released results. Body quotas changed
(office quota on the establishment, equivalence notes) and are not compared.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from pathlib import Path

import pytest

from gis_app.config import PROJECT_ROOT
from gis_app.db import migrate
from gis_app.db.upgrades import OLDEST_SUPPORTED_COMMIT, OLDEST_SUPPORTED_REVISION
from tests.db import upgrade_snapshot

SNAPSHOT = Path(upgrade_snapshot.__file__)
RELEASED_TREE = ("gis_app", "sample_geodata", "migrations", "alembic.ini")
SEEDED_BY_MIGRATIONS = {
    "public.landuse_class": "0014 adds the 2023 classes in full and the 三调 scheme",
}
"""Tables whose rows a migration after the oldest supported revision adds by design; their
old rows are checked to be there still."""


def _released_tree(target: Path) -> None:
    """Write the released commit's code to `target`, or skip when git or the history is not
    there (a source archive, a shallow clone)."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("needs git to read the released code (OLDEST_SUPPORTED_COMMIT)")
    commit = f"{OLDEST_SUPPORTED_COMMIT}^{{commit}}"
    found = subprocess.run(
        [git, "-C", str(PROJECT_ROOT), "cat-file", "-e", commit], capture_output=True
    )
    if found.returncode != 0:
        pytest.skip(
            f"needs the git history back to {OLDEST_SUPPORTED_COMMIT[:10]} (the oldest supported "
            "revision's code): a full clone, not a shallow one or a source archive"
        )
    archive = subprocess.run(
        [git, "-C", str(PROJECT_ROOT), "archive", OLDEST_SUPPORTED_COMMIT, *RELEASED_TREE],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")


def _released_snapshot(tree: Path, url: str, sample_dir: Path) -> dict:
    """Migrate and load with the released code, and snapshot with it."""
    env = os.environ | {"PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, str(SNAPSHOT), url, str(sample_dir)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


def _without_common(released: dict) -> dict[str, dict]:
    """Each building's released vacancy figures with the common rooms taken out: what this
    wave's rule gives on the same rooms (rates rounded half up, as PostgreSQL's round())."""
    vacant = {room_id for room_id, _ in released["vacant_rooms"]}
    expected = {}
    for building, figures in released["building_vacancy"].items():
        common = [r for r in released["common_rooms"] if str(r[1]) == building]
        allocatable = Decimal(figures["allocatable_area_m2"]) - sum(
            (Decimal(r[2]) for r in common), Decimal(0)
        )
        vacant_common = [r for r in common if r[0] in vacant]
        vacant_area = Decimal(figures["vacant_area_m2"]) - sum(
            (Decimal(r[2]) for r in vacant_common), Decimal(0)
        )
        expected[building] = {
            "allocatable_area_m2": allocatable,
            "vacant_area_m2": vacant_area,
            "allocatable_rooms": figures["allocatable_rooms"] - len(common),
            "vacant_rooms": figures["vacant_rooms"] - len(vacant_common),
            "vacancy_rate": (vacant_area / allocatable).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            if allocatable
            else None,
        }
    return expected


@pytest.mark.slow
def test_released_sample_upgrades_to_head_with_every_row(
    new_database: Callable[..., str], tmp_path: Path
) -> None:
    tree = tmp_path / "released"
    _released_tree(tree)
    url = new_database()
    before = _released_snapshot(tree, url, tmp_path / "sample")
    assert before["revision"] == OLDEST_SUPPORTED_REVISION
    assert before["counts"]["public.room"] > 1000, "the released sample did not load"

    migrate.upgrade(url)
    after = upgrade_snapshot.snapshot(url)

    assert after["revision"] == migrate.head_revision()
    for table, rows in before["counts"].items():
        if table in SEEDED_BY_MIGRATIONS:
            assert after["counts"][table] >= rows, table
        else:
            assert after["counts"][table] == rows, table
    assert set(before["landuse_classes"]) <= set(after["landuse_classes"])
    assert after["checksums"] == before["checksums"]

    old, new = before["analyses"], after["analyses"]
    assert any(r[-1] for r in old["over_standard_rooms"]), "no over-standard office to compare"
    assert new["over_standard_rooms"] == old["over_standard_rooms"]
    assert new["common_rooms"] == old["common_rooms"]
    common_ids = {r[0] for r in old["common_rooms"]}
    assert new["vacant_rooms"] == [r for r in old["vacant_rooms"] if r[0] not in common_ids]

    expected = _without_common(old)
    got = {
        building: {
            "allocatable_area_m2": Decimal(f["allocatable_area_m2"]),
            "vacant_area_m2": Decimal(f["vacant_area_m2"]),
            "allocatable_rooms": f["allocatable_rooms"],
            "vacant_rooms": f["vacant_rooms"],
            "vacancy_rate": None if f["vacancy_rate"] is None else Decimal(f["vacancy_rate"]),
        }
        for building, f in new["building_vacancy"].items()
    }
    assert len(got) > 10
    assert got == expected
