"""Point-in-time recovery of the private cluster: the base backup of a `--physical` backup
replayed with the archived WAL up to a moment, then promoted to a new timeline.

The current data folder is moved aside, not deleted, until the recovered server is up
and out of recovery; if recovery fails it is put back and started again."""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path

import psycopg

from gis_app.db.backup import BASE
from gis_app.db.backup_manifest import BackupRefused, verified_manifest
from gis_app.db.cluster import ClusterError, PrivateCluster

RECOVERY_CONF = "gis_app_recovery.conf"
RECOVERY_WAIT_SECONDS = 600


def parse_until(text: str) -> datetime:
    """An ISO 8601 moment; without a zone it is the machine's local time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BackupRefused("backup.until_bad_time", until=text) from None
    return moment if moment.tzinfo else moment.astimezone()


def recover_until(cluster: PrivateCluster, folder: Path, until: datetime) -> None:
    """Replace the cluster's data with the base backup in `folder` replayed to `until`."""
    manifest = verified_manifest(folder)
    physical = manifest.get("physical")
    if not physical or not (folder / BASE).is_dir():
        raise BackupRefused("backup.no_base")
    earliest = datetime.fromisoformat(physical["finished_at"])
    if not earliest <= until <= datetime.now(until.tzinfo):
        raise BackupRefused(
            "backup.until_out_of_range", until=until.isoformat(), earliest=earliest.isoformat()
        )
    if not cluster.wal_archive_dir.is_dir():
        raise ClusterError(f"no WAL archive at {cluster.wal_archive_dir}")
    cluster.stop()
    data = cluster.data_dir
    aside = data.with_name(f"data.before-recovery-{int(time.time())}")
    data.rename(aside)
    try:
        _recover(cluster, folder / BASE, until)
    except BaseException:
        _stop_after_failure(cluster)
        shutil.rmtree(data, ignore_errors=True)
        aside.rename(data)
        cluster.include_conf(RECOVERY_CONF, None)
        cluster.start()
        raise
    shutil.rmtree(aside)


def _recovered(cluster: PrivateCluster, conninfo: str) -> bool:
    """Out of recovery; a server that ended it by stopping (e.g. the moment lies after
    the last archived WAL) is a failure named by the server log's last lines."""
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            return not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
    except psycopg.OperationalError:
        if cluster.status().running:
            return False
        lines = cluster.log_file.read_text(errors="replace").splitlines()[-15:]
        raise ClusterError("recovery failed:\n" + "\n".join(lines)) from None


def _stop_after_failure(cluster: PrivateCluster) -> None:
    """Stop a server that may be shutting itself down after a failed recovery (its pid
    file can vanish between our look and pg_ctl's)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            cluster.stop()
            return
        except ClusterError:
            if not cluster.status().running:
                return
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _recover(cluster: PrivateCluster, base: Path, until: datetime) -> None:
    data = cluster.data_dir
    shutil.copytree(base, data, symlinks=True)
    data.chmod(0o700)
    (data / "recovery.signal").touch()
    cluster.include_conf(
        RECOVERY_CONF,
        f'restore_command = \'cp "{cluster.wal_archive_dir}/%f" "%p"\'\n'
        f"recovery_target_time = '{until.isoformat()}'\n"
        "recovery_target_action = 'promote'\n",
    )
    cluster.give_to_service_user(data)
    status = cluster.start()
    conninfo = f"host={status.socket_dir} port={status.port} user=postgres dbname=postgres"
    deadline = time.monotonic() + RECOVERY_WAIT_SECONDS
    while not _recovered(cluster, conninfo):
        if time.monotonic() > deadline:
            raise ClusterError(f"recovery did not finish in time; see {cluster.log_file}")
        time.sleep(0.2)
    cluster.include_conf(RECOVERY_CONF, None)
