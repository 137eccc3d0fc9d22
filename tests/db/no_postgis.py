"""A PostgreSQL server that has no PostGIS to offer, made from the installed one: its
binaries copied to a folder whose `share/` lacks PostGIS's extension files (the server
finds its share folder relative to where its binaries are)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from gis_app.db.cluster import PrivateCluster, find_bin_dir


def bin_dir_without_postgis(root: Path) -> Path:
    """Under `root`: lib/postgresql/N/bin (copies), lib/postgresql/N/lib and
    share/postgresql/N (links), leaving out every postgis* extension file."""
    real_bin = find_bin_dir()
    major = real_bin.parent.name
    real_share = Path(f"/usr/share/postgresql/{major}")
    bin_dir = root / "lib" / "postgresql" / major / "bin"
    shutil.copytree(real_bin, bin_dir, symlinks=False)
    (bin_dir.parent / "lib").symlink_to(real_bin.parent / "lib")
    share = root / "share" / "postgresql" / major
    (share / "extension").mkdir(parents=True)
    for entry in real_share.iterdir():
        if entry.name != "extension":
            (share / entry.name).symlink_to(entry)
    for entry in (real_share / "extension").iterdir():
        if not entry.name.startswith("postgis"):
            (share / "extension" / entry.name).symlink_to(entry)
    for dirpath, _dirs, _files in os.walk(root):
        os.chmod(dirpath, 0o755)
    return bin_dir


def cluster_without_postgis() -> tuple[PrivateCluster, Path]:
    """A started private cluster without PostGIS, and the folder to remove afterwards."""
    root = Path(tempfile.mkdtemp(prefix="gis-app-nopostgis-"))
    os.chmod(root, 0o755)
    bin_dir = bin_dir_without_postgis(root / "usr")
    cluster = PrivateCluster(root / "pg", bin_dir, fsync=False)
    cluster.start()
    return cluster, root
