"""Point-in-time recovery of the private cluster: a base backup, edit A, a noted moment,
edit B; recovering to the moment gives back A without B. A refused or failed recovery
leaves the cluster as it was."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from gis_app.config import Settings
from gis_app.db.backup import make_backup
from gis_app.db.backup_manifest import BackupRefused
from gis_app.db.cluster import ClusterError, PrivateCluster
from gis_app.db.engine import libpq_url
from gis_app.db.pitr import parse_until, recover_until


@pytest.fixture
def archiving_cluster(tmp_path: Path) -> Iterator[PrivateCluster]:
    cluster = PrivateCluster(tmp_path / "pg", fsync=False, wal_archive=True)
    cluster.start()
    cluster.ensure_database("gis_app")
    yield cluster
    cluster.destroy()


def _sql(cluster: PrivateCluster, query: str) -> list[tuple]:
    with psycopg.connect(libpq_url(cluster.url("gis_app")), autocommit=True) as conn:
        cur = conn.execute(query)
        return cur.fetchall() if cur.description else []


def _archive_everything(cluster: PrivateCluster) -> None:
    """Close the current WAL segment and wait until the archiver has copied it."""
    segment = _sql(cluster, "SELECT pg_walfile_name(pg_switch_wal())")[0][0]
    deadline = time.monotonic() + 60
    while not (cluster.wal_archive_dir / segment).exists():
        assert time.monotonic() < deadline, f"{segment} was not archived"
        time.sleep(0.2)


def test_recovery_to_a_moment_between_two_edits_keeps_only_the_first(
    archiving_cluster: PrivateCluster, tmp_path: Path
) -> None:
    cluster = archiving_cluster
    _sql(cluster, "CREATE TABLE building (id int PRIMARY KEY, name text)")
    _sql(cluster, "INSERT INTO building VALUES (1, '市政府1号楼'), (2, '财政局大楼')")
    url = cluster.url("gis_app")
    done = make_backup(url, Settings(database_url=url, backup_dir=tmp_path), cluster=cluster)
    assert (done.folder / "base" / "PG_VERSION").is_file()

    time.sleep(1.1)
    _sql(cluster, "UPDATE building SET name = '市政府综合楼' WHERE id = 1")
    time.sleep(1.1)
    noted = _sql(cluster, "SELECT clock_timestamp()")[0][0]
    time.sleep(1.1)
    _sql(cluster, "UPDATE building SET name = '已拆除' WHERE id = 2")
    _sql(cluster, "INSERT INTO building VALUES (3, '新建楼')")
    _archive_everything(cluster)

    with pytest.raises(BackupRefused) as early:
        recover_until(cluster, done.folder, noted - timedelta(hours=1))
    assert early.value.key == "backup.until_out_of_range"
    assert _sql(cluster, "SELECT count(*) FROM building")[0][0] == 3

    with pytest.raises(ClusterError, match="before configured recovery target was reached"):
        recover_until(cluster, done.folder, datetime.now(UTC))
    assert _sql(cluster, "SELECT count(*) FROM building")[0][0] == 3

    recover_until(cluster, done.folder, noted)
    assert _sql(cluster, "SELECT id, name FROM building ORDER BY id") == [
        (1, "市政府综合楼"),
        (2, "财政局大楼"),
    ]
    assert _sql(cluster, "SELECT pg_is_in_recovery()")[0][0] is False
    _sql(cluster, "INSERT INTO building VALUES (4, '恢复后可写')")
    assert not list(cluster.data_dir.parent.glob("data.before-recovery-*"))


def test_a_time_without_a_zone_is_local_and_nonsense_is_refused() -> None:
    assert parse_until("2026-12-03T20:15:00").tzinfo is not None
    with pytest.raises(BackupRefused) as refusal:
        parse_until("yesterday at noon")
    assert refusal.value.key == "backup.until_bad_time"
