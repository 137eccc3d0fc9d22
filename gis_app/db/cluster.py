"""The private PostgreSQL + PostGIS cluster the app runs when no DATABASE_URL is given.

Layout of `root` (e.g. `var/pg/`): `data/` (PGDATA), `run/` (unix socket), `server.log`
and `password` (for TCP on loopback; the socket uses trust and is reachable only by
the cluster's owner and root). PostgreSQL refuses to run as root, so as root every
server command runs as an unprivileged system user and that user owns `root`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import secrets
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

SOCKET_PATH_LIMIT = 107
"""Longest unix socket path the kernel accepts (sun_path is 108 bytes with the NUL)."""

SERVICE_USERS = ("postgres", "gisapp")
RELOCATION_DIR = Path("/var/lib/gis-app")
"""Where a root-run cluster goes when the service user cannot enter the project folder."""
EXTENSIONS_REQUIRED = ("postgis", "btree_gist")
EXTENSIONS_OPTIONAL = ("postgis_raster",)
ARCHIVE_CONF = "gis_app_archive.conf"


class ClusterError(RuntimeError):
    """The private cluster could not be created, started or reached."""


@dataclass(frozen=True)
class ClusterStatus:
    """What `gis-app db status` reports."""

    running: bool
    root: Path
    port: int | None = None
    socket_dir: Path | None = None
    pid: int | None = None


def find_bin_dir(explicit: Path | None = None) -> Path:
    """Folder with initdb/pg_ctl/postgres, newest PostgreSQL that has PostGIS first."""
    if explicit:
        return explicit
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for bin_dir in candidates:
        version = bin_dir.parent.name
        if Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
            return bin_dir
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    if candidates:
        return candidates[0]
    raise ClusterError(
        "PostgreSQL server binaries not found: install postgresql and postgis "
        "(Debian: apt-get install postgresql-15-postgis-3) or set GIS_PG_BIN_DIR"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_postgres(pid: int) -> bool:
    """A live postgres process (a stale pid file may name a reused pid)."""
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return False
    return name.startswith("postgres")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class PrivateCluster:
    """A PostgreSQL cluster owned by the project, in one folder."""

    def __init__(
        self,
        root: Path,
        bin_dir: Path | None = None,
        *,
        fsync: bool = True,
        wal_archive: bool = False,
    ) -> None:
        self.root = Path(root).absolute()
        self._bin_dir = bin_dir
        self.fsync = fsync
        self.wal_archive = wal_archive

    # --- paths -----------------------------------------------------------------
    @property
    def real_root(self) -> Path:
        """Where the files are: paths handed to the server must not pass through a
        folder the service user cannot enter (the symlink left by a relocation)."""
        return self.root.resolve()

    @property
    def data_dir(self) -> Path:
        return self.real_root / "data"

    @property
    def log_file(self) -> Path:
        return self.real_root / "server.log"

    @property
    def password_file(self) -> Path:
        return self.real_root / "password"

    @property
    def socket_dir(self) -> Path:
        """`root/run` when short enough for the kernel (in bytes), else a short folder in /tmp."""
        local = self.real_root / "run"
        if len(os.fsencode(local)) + len("/.s.PGSQL.65535") <= SOCKET_PATH_LIMIT:
            return local
        digest = hashlib.sha1(os.fsencode(self.real_root)).hexdigest()[:10]
        return Path(tempfile.gettempdir()) / f"gis-app-{digest}"

    @property
    def wal_archive_dir(self) -> Path:
        """Where finished WAL segments are copied when `wal_archive` is on."""
        return self.real_root / "wal-archive"

    @property
    def port_file(self) -> Path:
        return self.real_root / "port"

    @property
    def bin_dir(self) -> Path:
        return find_bin_dir(self._bin_dir)

    # --- running commands as the right user ------------------------------------
    def _service_user(self) -> pwd.struct_passwd | None:
        """The unprivileged user the server runs as when we are root (else None)."""
        if os.geteuid() != 0:
            return None
        for name in SERVICE_USERS:
            with contextlib.suppress(KeyError):
                return pwd.getpwnam(name)
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "gisapp"],
            check=True,
        )
        return pwd.getpwnam("gisapp")

    def _run(self, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        user = self._service_user()
        cmd = (["runuser", "-u", user.pw_name, "--"] if user else []) + args
        result = subprocess.run(cmd, cwd="/", capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise ClusterError(
                f"{Path(args[0]).name} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-2000:]}"
            )
        return result

    def give_to_service_user(self, *paths: Path) -> None:
        user = self._service_user()
        if user is None:
            return
        for path in paths:
            os.chown(path, user.pw_uid, user.pw_gid)
            for dirpath, _dirs, files in os.walk(path):
                os.chown(dirpath, user.pw_uid, user.pw_gid)
                for name in files:
                    os.chown(os.path.join(dirpath, name), user.pw_uid, user.pw_gid)

    def _service_user_can_use(self, path: Path) -> bool:
        if self._service_user() is None:
            return True
        return (
            self._run(["test", "-w", str(path), "-a", "-x", str(path)], check=False).returncode == 0
        )

    # --- lifecycle -------------------------------------------------------------
    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def init(self) -> None:
        """Run initdb once. As root, relocate if the service user cannot reach `root`."""
        if self.is_initialised():
            return
        if self.root.is_symlink() and not self.root.exists():
            raise ClusterError(
                f"{self.root} points to {os.readlink(self.root)}, which no longer exists: "
                "the database there is gone. Remove the link to start a new, empty one."
            )
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self.give_to_service_user(self.root)
        if not self._service_user_can_use(self.root):
            self._relocate()
        password = secrets.token_urlsafe(24)
        self.password_file.write_text(password + "\n")
        os.chmod(self.password_file, 0o600)
        self.give_to_service_user(self.root)
        self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                f"--pwfile={self.password_file}",
            ]
        )

    def _relocate(self) -> None:
        """Keep the cluster in RELOCATION_DIR (persistent, unlike /tmp) and leave a symlink
        where it was asked for."""
        RELOCATION_DIR.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha1(os.fsencode(self.root)).hexdigest()[:12]
        target = RELOCATION_DIR / digest
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(mode=0o700)
        self.root.rmdir()
        self.root.symlink_to(target, target_is_directory=True)
        self.give_to_service_user(target)

    def status(self) -> ClusterStatus:
        pid_file = self.data_dir / "postmaster.pid"
        if not self.is_initialised() or not pid_file.exists():
            return ClusterStatus(False, self.root)
        lines = pid_file.read_text().splitlines()
        try:
            pid = int(lines[0])
        except (ValueError, IndexError):
            return ClusterStatus(False, self.root)
        if not _is_postgres(pid):
            return ClusterStatus(False, self.root)
        port = int(lines[3]) if len(lines) > 3 and lines[3].isdigit() else None
        sock = Path(lines[4]) if len(lines) > 4 and lines[4] else None
        return ClusterStatus(True, self.root, port, sock, pid)

    def start(self) -> ClusterStatus:
        """Start the server (initialising it first if needed); a running one is left alone."""
        self.init()
        current = self.status()
        if current.running and self._accepting(current):
            return current
        sock = self._prepare_socket_dir()
        if not self.log_file.exists():
            self.log_file.touch()
            self.give_to_service_user(self.log_file)
        port = self._pick_port()
        self._write_archive_conf()
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-p {port}",
                f"-c unix_socket_directories={shlex.quote(str(sock))}",
            ]
            + ([] if self.fsync else ["-c fsync=off -c synchronous_commit=off"])
        )
        pg_ctl = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file)]
        try:
            self._run([*pg_ctl, "-w", "-t", "60", "-o", options, "start"])
        except ClusterError as exc:
            raise ClusterError(f"{exc}\n{self._log_tail()}") from None
        status = self.status()
        if not status.running:
            raise ClusterError(f"server did not start\n{self._log_tail()}")
        return status

    def include_conf(self, name: str, text: str | None) -> None:
        """Write (or with None remove) `name` in the data folder and include it from
        postgresql.conf once, so our settings survive initdb's file untouched."""
        conf = self.data_dir / name
        if text is None:
            conf.unlink(missing_ok=True)
            return
        conf.write_text(text, encoding="utf-8")
        os.chmod(conf, 0o600)
        self.give_to_service_user(conf)
        main = self.data_dir / "postgresql.conf"
        line = f"include_if_exists = '{name}'"
        if line not in main.read_text(encoding="utf-8").splitlines():
            with main.open("a", encoding="utf-8") as out:
                out.write(f"\n{line}\n")

    def _write_archive_conf(self) -> None:
        """WAL archiving into `wal_archive_dir` (never overwriting a segment there), with a
        segment switch at least every minute so a crash loses at most that much."""
        if not self.wal_archive:
            self.include_conf(ARCHIVE_CONF, None)
            return
        self.wal_archive_dir.mkdir(mode=0o700, exist_ok=True)
        self.give_to_service_user(self.wal_archive_dir)
        target = shlex.quote(str(self.wal_archive_dir))
        command = f"test ! -f {target}/%f && cp %p {target}/%f"
        self.include_conf(
            ARCHIVE_CONF,
            "archive_mode = on\n"
            f"archive_command = '{command.replace(chr(39), chr(39) * 2)}'\n"
            "archive_timeout = 60\n",
        )

    def _prepare_socket_dir(self) -> Path:
        """Create the socket folder; refuse one that is a symlink or belongs to someone else
        (a predictable name in /tmp must not let another user steer our chown)."""
        sock = self.socket_dir
        try:
            sock.mkdir(parents=True, mode=0o700)
        except FileExistsError:
            info = sock.lstat()
            owners = {os.geteuid()} | ({u.pw_uid} if (u := self._service_user()) else set())
            if (
                stat.S_ISLNK(info.st_mode)
                or not stat.S_ISDIR(info.st_mode)
                or info.st_uid not in owners
            ):
                raise ClusterError(f"{sock} exists and is not ours; remove it") from None
        os.chmod(sock, 0o700)
        self.give_to_service_user(sock)
        return sock

    def _pick_port(self) -> int:
        """The port used last time while it is free (stable URLs), else a new free one."""
        with contextlib.suppress(OSError, ValueError):
            last = int(self.port_file.read_text())
            if _port_free(last):
                return last
        port = _free_port()
        self.port_file.write_text(f"{port}\n")
        return port

    def _log_tail(self, lines: int = 15) -> str:
        try:
            tail = self.log_file.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            tail = []
        return f"server log {self.log_file}:\n" + "\n".join(tail)

    def stop(self) -> bool:
        """Stop the server if it runs; True when it was running."""
        if not self.status().running:
            return False
        self._run(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]
        )
        return True

    def destroy(self) -> None:
        """Stop and delete everything (throwaway test clusters only)."""
        self.stop()
        socket_dir = self.socket_dir
        shutil.rmtree(self.real_root, ignore_errors=True)
        if self.root.is_symlink():
            self.root.unlink()
        shutil.rmtree(socket_dir, ignore_errors=True)

    # --- connecting ------------------------------------------------------------
    def _accepting(self, status: ClusterStatus) -> bool:
        try:
            with psycopg.connect(self._conninfo(status, "postgres"), connect_timeout=5):
                return True
        except psycopg.OperationalError:
            return False

    def _conninfo(self, status: ClusterStatus, dbname: str) -> str:
        return make_conninfo(
            host=str(status.socket_dir), port=status.port, user="postgres", dbname=dbname
        )

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL over the unix socket of the running server."""
        status = self.status()
        if not status.running:
            raise ClusterError(f"private cluster in {self.root} is not running (gis-app db start)")
        return (
            f"postgresql+psycopg://postgres@/{quote(dbname)}"
            f"?host={quote(str(status.socket_dir))}&port={status.port}"
        )

    def ensure_database(self, dbname: str, *, template_extensions: bool = False) -> None:
        """Create `dbname` with PostGIS if missing.

        With `template_extensions`, the extensions also go into template1 so that every
        database created later (one per test session, say) inherits them.
        """
        status = self.status()
        with psycopg.connect(self._conninfo(status, "postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        targets = (["template1"] if template_extensions else []) + [dbname]
        for target in targets:
            with psycopg.connect(self._conninfo(status, target), autocommit=True) as conn:
                create_extensions(conn)


def create_extensions(conn: psycopg.Connection) -> None:
    """PostGIS and btree_gist, plus postgis_raster where the server has it."""
    available = {
        row[0] for row in conn.execute("SELECT name FROM pg_available_extensions").fetchall()
    }
    missing = [ext for ext in EXTENSIONS_REQUIRED if ext not in available]
    if missing:
        raise ClusterError(
            f"extension(s) {', '.join(missing)} not installed on the server "
            "(Debian: apt-get install postgresql-15-postgis-3)"
        )
    for ext in EXTENSIONS_REQUIRED + tuple(e for e in EXTENSIONS_OPTIONAL if e in available):
        conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(ext)))
