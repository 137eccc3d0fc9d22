"""The private cluster: life cycle, socket path limit, running as root."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from gis_app.db.cluster import RELOCATION_DIR, SOCKET_PATH_LIMIT, ClusterError, PrivateCluster
from gis_app.db.engine import libpq_url


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    """A cluster in a fresh 0700 folder: as root, the server user cannot enter it and the
    cluster must relocate itself."""
    parent = Path(tempfile.mkdtemp(prefix="gis-app-cl-"))
    made = PrivateCluster(parent / "pg", fsync=False)
    yield made
    made.destroy()
    shutil.rmtree(parent, ignore_errors=True)


def test_start_creates_postgis_database_and_stop_stops(cluster: PrivateCluster) -> None:
    assert not cluster.status().running
    status = cluster.start()
    assert status.running and status.port
    cluster.ensure_database("demo")
    with psycopg.connect(libpq_url(cluster.url("demo"))) as conn:
        version = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
        extensions = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
    assert version.startswith("3.")
    assert {"postgis", "btree_gist"} <= extensions
    assert cluster.start().pid == status.pid, "a running cluster is left alone"
    assert cluster.stop() is True
    assert not cluster.status().running
    assert cluster.stop() is False


def test_restart_keeps_data(cluster: PrivateCluster) -> None:
    cluster.start()
    cluster.ensure_database("keep")
    with psycopg.connect(libpq_url(cluster.url("keep")), autocommit=True) as conn:
        conn.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (42)")
    cluster.stop()
    cluster.start()
    with psycopg.connect(libpq_url(cluster.url("keep"))) as conn:
        assert conn.execute("SELECT x FROM t").fetchone()[0] == 42


def test_tcp_loopback_needs_the_password(cluster: PrivateCluster) -> None:
    status = cluster.start()
    password = cluster.password_file.read_text().strip()
    base = f"host=127.0.0.1 port={status.port} user=postgres dbname=postgres"
    with psycopg.connect(f"{base} password={password}") as conn:
        assert conn.execute("SELECT 1").fetchone()[0] == 1
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"{base} password=wrong").close()


def test_long_project_path_gets_a_short_socket_dir(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    cluster = PrivateCluster(deep)
    assert len(str(cluster.socket_dir)) + len("/.s.PGSQL.65535") <= SOCKET_PATH_LIMIT
    assert PrivateCluster(Path("/tmp/x")).socket_dir == Path("/tmp/x/run")


@pytest.mark.skipif(os.geteuid() != 0, reason="only as root")
def test_as_root_the_server_runs_as_an_unprivileged_user(cluster: PrivateCluster) -> None:
    status = cluster.start()
    owner = pwd.getpwuid(Path(f"/proc/{status.pid}").stat().st_uid).pw_name
    assert owner != "root"
    assert pwd.getpwuid(cluster.data_dir.stat().st_uid).pw_name == owner
    # The fixture's folder is 0700 root: the cluster moved somewhere persistent, not /tmp.
    assert cluster.root.is_symlink()
    assert cluster.real_root.parent == RELOCATION_DIR


def test_a_path_with_spaces_and_chinese_too_long_for_a_socket(tmp_path_factory) -> None:
    parent = Path(tempfile.mkdtemp(prefix="gis-app-cl-"))
    os.chmod(parent, 0o755)
    deep = parent / "机关 事务" / ("以图管房" * 5)
    deep.parent.mkdir(mode=0o755)
    cluster = PrivateCluster(deep, fsync=False)
    try:
        assert len(os.fsencode(deep / "run")) + 15 > SOCKET_PATH_LIMIT
        status = cluster.start()
        assert status.socket_dir == cluster.socket_dir != deep / "run"
        cluster.ensure_database("odd")
        with psycopg.connect(libpq_url(cluster.url("odd"))) as conn:
            assert conn.execute("SELECT 1").fetchone()[0] == 1
    finally:
        cluster.destroy()
        shutil.rmtree(parent, ignore_errors=True)


def test_a_dangling_relocation_link_is_reported_not_papered_over(tmp_path: Path) -> None:
    link = tmp_path / "pg"
    link.symlink_to(tmp_path / "gone")
    with pytest.raises(ClusterError, match="no longer exists"):
        PrivateCluster(link).start()


def test_the_port_is_kept_across_restarts_while_free(cluster: PrivateCluster) -> None:
    first = cluster.start().port
    cluster.stop()
    assert cluster.start().port == first
