"""`gis-app db backup` / `db restore` on real PostgreSQL: the round trip gives back the same
rows (checksums computed in SQL), rasters, the app role's grants, row-level security and
the LEAKPROOF `&&`; every refusal leaves the target exactly as it was."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from gis_app.config import Settings
from gis_app.db import migrate
from gis_app.db.backup import DUMP, BackupDone, make_backup
from gis_app.db.backup_manifest import MANIFEST, BackupRefused, database_facts
from gis_app.db.cluster import PrivateCluster
from gis_app.db.engine import libpq_url
from gis_app.db.identity import Identity, apply_identity
from gis_app.db.restore import restore_backup
from gis_app.db.roles import ensure_login_role
from tests.db.no_postgis import cluster_without_postgis


@pytest.fixture(scope="module")
def backup(sample_db: dict, tmp_path_factory: pytest.TempPathFactory) -> BackupDone:
    """A backup of the demo district with its rasters."""
    settings = Settings(
        database_url=sample_db["url"],
        raster_dir=sample_db["raster_dir"],
        backup_dir=tmp_path_factory.mktemp("backups"),
    )
    return make_backup(sample_db["url"], settings)


def _scoped_org(url: str) -> int:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute("SELECT min(organisation_id) FROM room").fetchone()[0]


def _seen_by_app_role(url: str, org_id: int, *, set_role: bool = True) -> tuple[int, int]:
    """Buildings and rooms a unit officer of `org_id` sees through gis_web and RLS (as the
    owner taking the role, or, with `set_role` false, as the app's login role)."""
    with psycopg.connect(libpq_url(url)) as conn, conn.cursor() as cur:
        if set_role:
            cur.execute("SET LOCAL ROLE gis_web")
        apply_identity(cur, Identity(1, "officer", "unit_officer", org_id))
        buildings = cur.execute("SELECT count(*) FROM building").fetchone()[0]
        rooms = cur.execute("SELECT count(*) FROM room").fetchone()[0]
        conn.rollback()
    return buildings, rooms


def _leakproof(url: str) -> bool:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute(
            "SELECT proleakproof FROM pg_proc "
            "WHERE oid = 'geometry_overlaps(geometry, geometry)'::regprocedure"
        ).fetchone()[0]


def _copy(backup: BackupDone, tmp_path: Path) -> Path:
    return Path(shutil.copytree(backup.folder, tmp_path / "copy"))


def test_backup_files_are_private_and_hold_no_secret(backup: BackupDone) -> None:
    assert backup.folder.stat().st_mode & 0o777 == 0o700
    for path in backup.folder.rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path
    settings = json.loads((backup.folder / "settings.json").read_text())
    assert "database_url" not in settings and "tianditu_key" not in settings
    assert "postgresql" not in (backup.folder / MANIFEST).read_text()
    assert any(name.startswith("rasters/") for name in backup.manifest["files"])


def test_manifest_describes_the_database(backup: BackupDone, sample_db: dict) -> None:
    manifest = backup.manifest
    assert manifest["schema_revision"] == migrate.head_revision()
    assert manifest["postgis_version"]
    assert manifest["table_counts"]["building"] > 0
    named_in_the_issue = "building floor room organisation staff land_parcel room_occupancy"
    assert set(manifest["table_checksums"]) == {*named_in_the_issue.split(), "audit_log"}
    assert database_facts(sample_db["url"])["table_checksums"] == manifest["table_checksums"]


def test_round_trip_then_change_then_restore_gives_the_same_rows(
    backup: BackupDone, sample_db: dict, new_database: Callable[[], str], tmp_path: Path
) -> None:
    target = new_database()
    done = restore_backup(backup.folder, target, tmp_path / "rasters")
    restored = database_facts(target)
    assert restored["table_checksums"] == backup.manifest["table_checksums"]
    assert restored["table_counts"] == backup.manifest["table_counts"]
    assert done.rasters == sum(1 for f in backup.manifest["files"] if f.startswith("rasters/"))
    for rel in backup.manifest["files"]:
        if rel.startswith("rasters/"):
            copied = tmp_path / "rasters" / rel.removeprefix("rasters/")
            assert copied.read_bytes() == (backup.folder / rel).read_bytes()

    with psycopg.connect(libpq_url(target)) as conn:
        conn.execute(
            "UPDATE building SET name = name || ' (changed)' WHERE id = (SELECT min(id) FROM building)"
        )
    assert database_facts(target)["table_checksums"] != backup.manifest["table_checksums"]

    restore_backup(backup.folder, target, tmp_path / "rasters", force=True)
    assert database_facts(target)["table_checksums"] == backup.manifest["table_checksums"]


def test_after_a_restore_the_app_role_and_row_level_security_work(
    backup: BackupDone, sample_db: dict, new_database: Callable[[], str], tmp_path: Path
) -> None:
    org_id = _scoped_org(sample_db["url"])
    before = _seen_by_app_role(sample_db["url"], org_id)
    target = new_database()
    restore_backup(backup.folder, target, tmp_path)
    after = _seen_by_app_role(target, org_id)
    assert after == before
    assert 0 < after[0] < backup.manifest["table_counts"]["building"]
    assert _leakproof(target)


def _refused(key: str, folder: Path, target: str, *, force: bool = False) -> None:
    """The restore is refused with `key` and the target keeps every row it had."""
    before = database_facts(target)
    with pytest.raises(BackupRefused) as refusal:
        restore_backup(folder, target, folder / "unused-rasters", force=force)
    assert refusal.value.key == key
    assert refusal.value.message("zh-CN") and refusal.value.message("en")
    assert database_facts(target) == before
    assert not (folder / "unused-rasters").exists()


@pytest.fixture(scope="module")
def filled_target(backup: BackupDone, new_database: Callable[[], str], tmp_path_factory) -> str:
    """A database with our schema and rows in it (the demo district restored)."""
    target = new_database()
    restore_backup(backup.folder, target, tmp_path_factory.mktemp("rasters"))
    return target


def test_a_corrupt_file_is_refused(backup: BackupDone, filled_target: str, tmp_path: Path) -> None:
    folder = _copy(backup, tmp_path)
    with (folder / DUMP).open("r+b") as dump:
        dump.seek(1000)
        byte = dump.read(1)
        dump.seek(1000)
        dump.write(bytes([byte[0] ^ 0xFF]))
    _refused("backup.file_corrupt", folder, filled_target, force=True)


def test_a_truncated_file_is_refused(
    backup: BackupDone, filled_target: str, tmp_path: Path
) -> None:
    folder = _copy(backup, tmp_path)
    size = (folder / DUMP).stat().st_size
    with (folder / DUMP).open("r+b") as dump:
        dump.truncate(size // 2)
    _refused("backup.file_truncated", folder, filled_target, force=True)


def test_a_missing_manifest_is_refused(
    backup: BackupDone, filled_target: str, tmp_path: Path
) -> None:
    folder = _copy(backup, tmp_path)
    (folder / MANIFEST).unlink()
    _refused("backup.no_manifest", folder, filled_target, force=True)


def test_a_newer_schema_is_refused(backup: BackupDone, filled_target: str, tmp_path: Path) -> None:
    folder = _copy(backup, tmp_path)
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["schema_revision"] = "9999"
    (folder / MANIFEST).write_text(json.dumps(manifest))
    _refused("backup.newer_schema", folder, filled_target, force=True)


def test_a_backup_of_another_application_is_refused(
    new_database: Callable[..., str], filled_target: str, tmp_path: Path
) -> None:
    other = new_database(extensions=False)
    with psycopg.connect(libpq_url(other)) as conn:
        conn.execute("CREATE TABLE invoice (id int PRIMARY KEY, total numeric)")
        conn.execute("INSERT INTO invoice VALUES (1, 9.5)")
    done = make_backup(other, Settings(database_url=other, backup_dir=tmp_path))
    _refused("backup.not_ours", done.folder, filled_target, force=True)


def test_a_non_empty_target_is_kept_without_force(backup: BackupDone, filled_target: str) -> None:
    _refused("backup.target_not_empty", backup.folder, filled_target)


def test_an_older_backup_is_migrated_up(new_database: Callable[..., str], tmp_path: Path) -> None:
    old = new_database()
    migrate.upgrade(old, "0014")
    done = make_backup(old, Settings(database_url=old, backup_dir=tmp_path))
    assert done.manifest["schema_revision"] == "0014"
    target = new_database()
    restored = restore_backup(done.folder, target, tmp_path / "rasters")
    assert restored.migrated_from == "0014"
    assert database_facts(target)["schema_revision"] == migrate.head_revision()


def test_a_server_without_postgis_is_refused(backup: BackupDone) -> None:
    cluster, root = cluster_without_postgis()
    try:
        with psycopg.connect(libpq_url(cluster.url("postgres")), autocommit=True) as conn:
            assert not conn.execute(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
            ).fetchone()
            conn.execute("CREATE DATABASE office")
        target = cluster.url("office")
        _refused("backup.no_postgis", backup.folder, target)
        with psycopg.connect(libpq_url(cluster.url("postgres"))) as conn:
            databases = conn.execute("SELECT datname FROM pg_database ORDER BY 1").fetchall()
            roles = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'gis_web'").fetchall()
        assert [d[0] for d in databases] == ["office", "postgres", "template0", "template1"]
        assert roles == []
    finally:
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


def test_a_restore_onto_a_new_server_makes_the_role_and_the_app_sees_its_scope(
    backup: BackupDone, sample_db: dict, tmp_path: Path
) -> None:
    """The new-machine case: no gis_web role and no database yet on the server."""
    root = Path(tempfile.mkdtemp(prefix="gis-app-new-server-"))
    cluster = PrivateCluster(root / "pg", fsync=False)
    cluster.start()
    try:
        target = cluster.url("gis_app")
        with psycopg.connect(libpq_url(cluster.url("postgres"))) as conn:
            assert not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'gis_web'").fetchone()
        restore_backup(backup.folder, target, tmp_path / "rasters")
        assert database_facts(target)["table_checksums"] == backup.manifest["table_checksums"]
        org_id = _scoped_org(sample_db["url"])
        app_url = ensure_login_role(target, Settings(secret_dir=tmp_path / "secrets"))
        assert make_url(app_url).username == "gis_web_login"
        assert _seen_by_app_role(app_url, org_id, set_role=False) == _seen_by_app_role(
            sample_db["url"], org_id
        )
    finally:
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)
